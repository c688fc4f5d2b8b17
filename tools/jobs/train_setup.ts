// What `npm run train -- --sanity` and `--ensemble K` share with a training run before
// the first step: the data (train_data.ts) normalised as a run normalises it, the backend,
// and the trainer's options for a model. train_job.ts does the same inline for a run.
import type { Backend } from '../../src/backends/backend';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { createWebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';
import { meanStd, normalize, type Dataset } from '../../src/data/dataset';
import type { ImageFolder } from '../../src/data/image_folder';
import type { BatchReport, EpochReport } from '../../src/training/reports';
import type { SanityCheckResult } from '../../src/training/sanity';
import type { TrainerOptions } from '../../src/training/trainer';
import { folderOf, loadJobData, type JobFolder } from './train_data';
import { jobAugmentation, optimizerConfig, webgpuOptions, withBatch, type JobWebGPUOptions, type TrainJobConfig, type TrainJobProgress } from './train_job';

/** What --sanity and --ensemble report besides a run's messages. */
export type ModeProgress =
  | TrainJobProgress
  | { kind: 'sanity-start'; model: string; params: number; adapter: string; trainExamples: number; classes: number }
  | { kind: 'sanity'; check: SanityCheckResult }
  | {
      kind: 'ensemble-start';
      model: string;
      params: number;
      adapter: string;
      trainExamples: number;
      testExamples: number;
      stepsPerEpoch: number;
      batch: number;
      seeds: number[];
    }
  | { kind: 'member'; member: number; members: number; seed: number }
  | ({ kind: 'member-batch'; member: number; members: number } & BatchReport)
  | ({ kind: 'member-epoch'; member: number; members: number } & EpochReport)
  | { kind: 'member-done'; member: number; members: number; seed: number; testAccuracy: number; testLoss: number; file: string };

/** The data, the backend and what a run's trainer needs of them. */
export interface ClassifierSetup {
  train: Dataset;
  test: Dataset;
  classNames: string[];
  folder?: ImageFolder;
  backend: Backend;
  /** The normalisation of both splits (per channel for an image folder), as a run's files record it. */
  mean: number | number[];
  std: number | number[];
  /** What the augmentation's contrast turns about: black, normalised. */
  pivot: number;
  /** The batch size: the run's, or defaultBatch of the training split (train_data.ts). */
  batch: number;
  stepsPerEpoch: number;
  /** The adapter, as the start line names it. */
  adapter: string;
}

/** Loads and normalises the data of a classification run and makes its backend; reports an image folder's loading as a run does. */
export async function setUpClassifier(
  c: TrainJobConfig,
  report: (p: ModeProgress) => void | Promise<void>,
  datasetsUrl: string,
  hooks: { folder?: JobFolder; createWebGPU?: (options: JobWebGPUOptions) => Promise<Backend> },
): Promise<ClassifierSetup> {
  if ((c.task ?? 'classify') !== 'classify') throw new Error('train: --sanity and --ensemble are for classifiers (--task classify)');
  const folder = hooks.folder && {
    ...hooks.folder,
    onProgress: (p: { done: number; total: number; decoded: number; errors: number; perSecond: number }) =>
      void report({ kind: 'load', done: p.done, total: p.total, decoded: p.decoded, errors: p.errors, perSecond: p.perSecond }),
  };
  const { train, test, classNames, folder: images } = await loadJobData(c, datasetsUrl, folder);
  if (images)
    await report({
      kind: 'loaded',
      folder: folderOf(c.dataset)!,
      classes: classNames,
      train: train.count,
      validation: test.count,
      split: images.split,
      bad: images.bad,
      ignored: images.ignored.length,
      seconds: images.seconds,
      mean: images.mean,
      std: images.std,
    });
  const makeWebGPU = hooks.createWebGPU ?? ((o: JobWebGPUOptions) => createWebGPUBackend(o));
  const backend: Backend = c.backend === 'cpu' ? new CpuBackend() : await makeWebGPU(webgpuOptions(c));
  const { mean, std } = images ? { mean: images.mean, std: images.std } : meanStd(train.images);
  if (!images) {
    normalize(train.images, mean as number, std as number);
    normalize(test.images, mean as number, std as number);
  }
  const pivot = images ? images.mean.reduce((a, m, ch) => a - m / images.std[ch], 0) / 3 : (0 - (mean as number)) / (std as number);
  const info = backend.adapterInfo;
  const { batch } = withBatch(c, train.count);
  return {
    train,
    test,
    classNames,
    folder: images,
    backend,
    mean,
    std,
    pivot,
    batch,
    stepsPerEpoch: Math.floor(train.count / batch),
    adapter: info ? `${info.vendor} ${info.architecture}` : 'cpu',
  };
}

/** The trainer options of a run of `c` (train_job.ts's): its optimizer and schedule, batch, seed, augmentation and class weights. */
export function runTrainerOptions(c: TrainJobConfig, s: ClassifierSetup): TrainerOptions {
  // --class-weights, where the run's configuration has them.
  const { classWeights } = c as TrainJobConfig & { classWeights?: number[] };
  return {
    optimizer: optimizerConfig(c, s.stepsPerEpoch),
    batchSize: s.batch,
    seed: c.seed,
    augment: c.augment ? { ...jobAugmentation(c.augment, s.train.shape[0]), pivot: s.pivot } : undefined,
    loss: classWeights ? { kind: 'softmax-cross-entropy', classWeights } : undefined,
  };
}

/** The metadata a reader of a run's weights needs (the demo's pages read these): the zoo key, the inputs' normalisation, a folder's class names. */
export function weightsMetadata(c: TrainJobConfig, s: ClassifierSetup): Record<string, string> {
  return {
    ...(c.init?.toLowerCase().endsWith('.onnx') ? {} : { model_key: c.model }),
    input_mean: String(s.mean),
    input_std: String(s.std),
    ...(s.folder ? { class_names: JSON.stringify(s.classNames) } : {}),
  };
}
