import { cosineHorizon } from './cosine_horizon';
import type { Backend } from '../../src/backends/backend';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { createWebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';
import { meanStd, normalize, type Dataset } from '../../src/data/dataset';
import { segmentationPalette } from '../../src/data/segmentation_palette';
import { saveCheckpoint } from '../../src/io/checkpoint';
import { CHECKPOINT_FORMAT, RUN_ID, RUN_STEP } from '../../src/io/checkpoint_metadata';
import { exportOnnx } from '../../src/io/onnx/onnx_export';
import { importOnnx } from '../../src/io/onnx/onnx_import';
import { safetensorsMetadata } from '../../src/io/safetensors';
import { exportStateDict, loadStateDict } from '../../src/io/state_dict';
import { formatShape } from '../../src/shape';
import type { AugmentAttrs } from '../../src/ops/augment';
import { summary } from '../../src/nn/summary';
import { Trainer } from '../../src/training/trainer';
import type { BatchReport, EpochReport, EvalResult, StepStats } from '../../src/training/reports';
import { DivergenceError } from '../../src/training/training_progress';
import type { Model } from '../../src/nn/model';
import { MODELS } from '../../src/nn/zoo';
import type { OptimizerConfig } from '../../src/training/optimizers';
import type { ImageFolder } from '../../src/data/image_folder';
import { readCheckpointMetadata } from '../../src/io/checkpoint_metadata';
import { isFineTuning, planFineTuning, unfreezeAt, unfreezeCallback, type FineTuneConfig, type FineTunePlan } from './fine_tune';
import { defaultBatch, folderOf, loadJobData, type JobDataset, type JobFolder, type TrainTask } from './train_data';

/** What `npm run train` (and the demo's Train page) asks for; with `init`, the fine-tuning options of fine_tune.ts. */
export interface TrainJobConfig extends FineTuneConfig {
  model: string;
  /**
   * classify (default): one class per image. segment: one label per pixel, on scenes of
   * Fashion-MNIST items (train_data.ts), with the per-pixel cross-entropy; `limit` and
   * `testLimit` count scenes.
   */
  task?: TrainTask;
  /** A loss weight per class (--task segment: per label, background first), the mean taken over the weights as PyTorch's. */
  classWeights?: number[];
  /** fashion-mnist, mnist, or folder:PATH (an image folder, one subfolder per class; its validation split is the test set). */
  dataset: JobDataset;
  /** A folder data set's image side: RGB images of imageSize x imageSize (default 32). */
  imageSize?: number;
  /** A folder data set's crop margin (train_data.ts's JobDataConfig). */
  cropMargin?: number;
  /** A folder data set: any bad file is an error, not a skip. */
  strict?: boolean;
  epochs: number;
  /** Examples per step; absent: defaultBatch (train_data.ts) of the training split, which the job then records. */
  batch?: number;
  optimizer: 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'adamw';
  lr: number;
  schedule?: 'constant' | 'cosine' | 'step' | 'exponential';
  warmupSteps?: number;
  /** Augmentation on the GPU: one of AUGMENTATIONS (true: the full set, TRAIN_AUGMENTATION), or none. */
  augment: boolean | 'full' | 'flip' | 'crop' | 'resized-crop' | 'color';
  /** Use only the first N training examples. */
  limit?: number;
  /** Use only the first N test examples (default: all of them). */
  testLimit?: number;
  /** Pixels of black added on every side of each image (2: 28x28 becomes 32x32). */
  pad?: number;
  backend: 'webgpu' | 'cpu';
  seed: number;
  /**
   * Kernel variants: 'full' (default; true too) times every new shape class the shipped
   * table lacks, 'budget' at most 5 s per tuning pass, 'off' (false too) runs every
   * kernel's first variant.
   */
  autotune?: boolean | 'off' | 'budget' | 'full';
  /** A recorded tuning to replay (metrics.json's `tuning`): the same choices, nothing timed; overrides autotune. */
  tuning?: Record<string, string>;
  /**
   * The file the run starts from (its path, for the record; the bytes come in the hooks):
   * a .onnx network to fine-tune (it replaces `model`), or a safetensors state dict for
   * `model` (PyTorch's names and layouts, or a checkpoint of this engine).
   */
  init?: string;
  /** A step whose loss is above this multiple of the lowest so far has diverged (default 1e3; 'off'). */
  divergenceFactor?: number | 'off';
  /** What a loss explosion or an epoch at chance does: 'stop' (default; the last good weights stay) or 'warn'. */
  onDiverge?: 'stop' | 'warn';
  /**
   * Trains until this much training time is spent (fit's timeBudgetMs; a resumed run gets
   * what its checkpoint has left of it), `epochs` bounding it still. The epoch stopped in
   * is reported, checkpointed and evaluated on the test set.
   */
  timeBudgetMs?: number;
  /**
   * The cosine schedule's length in steps, where it is not epochs x steps per epoch: with a
   * time budget, the steps the budget is estimated to hold (set by the job once it has
   * timed some steps, then kept by the checkpoints).
   */
  scheduleSteps?: number;
}

/** What the job asks of the WebGPU backend it makes. */
export interface JobWebGPUOptions {
  autotune: boolean | { budgetMs: number };
  tuning?: Record<string, string>;
}

/** The 'budget' mode's cap on one tuning pass. */
export const TUNING_BUDGET_MS = 5000;

export function webgpuOptions(c: TrainJobConfig): JobWebGPUOptions {
  const mode = c.autotune === undefined || c.autotune === true ? 'full' : c.autotune === false ? 'off' : c.autotune;
  if (!['off', 'budget', 'full'].includes(mode)) throw new Error(`train: autotune must be off, budget or full, got ${JSON.stringify(c.autotune)}`);
  const autotune = mode === 'off' ? false : mode === 'budget' ? { budgetMs: TUNING_BUDGET_MS } : true;
  return c.tuning ? { autotune, tuning: c.tuning } : { autotune };
}

export type TrainJobProgress =
  | { kind: 'start'; [key: string]: unknown }
  | ({ kind: 'batch' } & BatchReport)
  | ({ kind: 'epoch' } & EpochReport)
  | { kind: 'resume'; epoch: number; batch: number; steps: number }
  | { kind: 'unfreeze'; epoch: number; layers: string[] }
  | { kind: 'load'; done: number; total: number; decoded: number; errors: number; perSecond: number }
  | {
      kind: 'loaded';
      folder: string;
      classes: string[];
      train: number;
      validation: number;
      split: string;
      bad: { path: string; reason: string }[];
      ignored: number;
      seconds: number;
      mean: number[];
      std: number[];
    };

export interface TrainJobResult {
  metrics: Record<string, unknown>;
  /** Safetensors bytes of the trained weights; null when training diverged (the last checkpoint holds the last good ones). */
  weights: Uint8Array | null;
  /** First convolution's filters [out, in, kh, kw] for the report. */
  filters: { shape: number[]; data: number[] } | null;
  /** --task segment: the first test scenes with their true and predicted label maps, for the report. */
  scenes?: SceneSamples | null;
  /** The trained model as ONNX and as a PyTorch state dict, when the hooks asked (null when training diverged). */
  onnx?: Uint8Array | null;
  torch?: Uint8Array | null;
}

/** What a job does besides training: continue from a checkpoint, and write checkpoints as it goes. */
export interface TrainJobHooks {
  /** Bytes of a checkpoint this job wrote (checkpoint.safetensors) to continue from. */
  resume?: Uint8Array;
  /** Also checkpoint every this many steps (the job always checkpoints after every epoch). */
  checkpointEvery?: number;
  /** Receives each checkpoint (weights, optimizer state, progress, the run so far) and the metrics so far. */
  onCheckpoint?(bytes: Uint8Array, metrics: Record<string, unknown>): void | Promise<void>;
  /** The bytes of `config.init`. */
  init?: Uint8Array;
  /** Also return the trained model as ONNX (`result.onnx`) and as a PyTorch state dict (`result.torch`). */
  exportOnnx?: boolean;
  exportTorch?: boolean;
  /** The run's id (npm run train: random, kept across --resume): every checkpoint and the weights carry it and their step (metadata run_id, step). */
  runId?: string;
  /** Makes the WebGPU backend (default createWebGPUBackend on navigator.gpu; Node passes Dawn's). */
  createWebGPU?: (options: JobWebGPUOptions) => Promise<Backend>;
  /** A folder data set's files and the platform's image decoder (--dataset folder:PATH). */
  folder?: JobFolder;
}

/** Test scenes for the report: grey image bytes and label maps, each size x size, with the labels' names and colours. */
export interface SceneSamples {
  size: number;
  labels: string[];
  palette: [number, number, number][];
  images: number[][];
  truth: number[][];
  predicted: number[][];
}

/** Scenes the report shows. */
const REPORT_SCENES = 8;

/** The first test scenes, their pixels back on the 0..255 scale (before normalising), beside their truth and prediction. */
function sceneSamples(test: Dataset, predicted: Uint8Array, labels: string[], mean: number, std: number): SceneSamples {
  const size = test.shape[2];
  const per = size * size;
  const n = Math.min(REPORT_SCENES, test.count);
  const slice = (a: ArrayLike<number>, i: number) => Array.from({ length: per }, (_, p) => a[i * per + p]);
  return {
    size,
    labels,
    palette: segmentationPalette(labels.length),
    images: Array.from({ length: n }, (_, i) => slice(test.images, i).map((v) => Math.max(0, Math.min(255, Math.round((v * std + mean) * 255))))),
    truth: Array.from({ length: n }, (_, i) => slice(test.targets!, i)),
    predicted: Array.from({ length: n }, (_, i) => slice(predicted, i)),
  };
}

/** What the run's initial weights came from, for the start report and the metrics. */
export interface InitReport {
  file: string;
  kind: 'onnx' | 'torch state dict' | 'checkpoint';
  loaded: number;
  skipped: string[];
  missing: string[];
}

/**
 * The model a job trains: the zoo's `c.model`, or the network of a .onnx `init`; with a
 * safetensors `init`, its weights are loaded by name (strict: false, so a head of another
 * class count keeps its fresh weights, and the report says so).
 */
export function jobModel(
  c: Pick<TrainJobConfig, 'model' | 'dataset' | 'seed' | 'init' | 'pad' | 'task'>,
  bytes: Uint8Array | undefined,
  train: Pick<Dataset, 'shape' | 'classes'>,
  backend: Backend,
): { model: Model; init: InitReport | null } {
  if (c.init && !bytes) throw new Error(`train: --init ${c.init}: the file's bytes were not given`);
  if (c.init?.toLowerCase().endsWith('.onnx')) {
    const model = importOnnx(bytes!, {
      file: c.init,
      name: c.init
        .split(/[\\/]/)
        .pop()!
        .replace(/\.onnx$/i, ''),
    });
    if (formatShape(model.input.shape) !== formatShape(train.shape))
      throw new Error(
        `train: --init ${c.init}: the network takes ${formatShape(model.input.shape)} per example but ${c.dataset} images are ${formatShape(train.shape)}${c.pad ? '' : ' (--pad 2 makes 28x28 images 32x32)'}`,
      );
    const output = c.task === 'segment' ? [train.classes, ...train.shape.slice(1)] : [train.classes];
    if (formatShape(model.output.shape) !== formatShape(output))
      throw new Error(
        `train: --init ${c.init}: the network outputs ${formatShape(model.output.shape)} per example but ${c.task === 'segment' ? `--task segment needs ${formatShape(output)} (a score per label and pixel)` : `${c.dataset} has ${train.classes} classes`}`,
      );
    model.build(backend, { seed: c.seed });
    return {
      model,
      init: {
        file: c.init,
        kind: 'onnx',
        loaded: model.initialWeights.size,
        skipped: [],
        missing: model
          .params()
          .filter((p) => !model.initialWeights.has(p.name))
          .map((p) => p.name),
      },
    };
  }
  const makeModel = MODELS[c.model];
  if (!makeModel) throw new Error(`train: unknown model '${c.model}' (models: ${Object.keys(MODELS).join(', ')})`);
  const model = makeModel(train.shape, train.classes).build(backend, { seed: c.seed });
  if (!c.init) return { model, init: null };
  const ours = safetensorsMetadata(bytes!, c.init).format === CHECKPOINT_FORMAT;
  const result = loadStateDict(model, bytes!, {
    layout: ours ? 'ours' : 'torch',
    strict: false,
    file: c.init,
    rename: ours ? (k) => (k.startsWith('optimizer.') ? null : k) : undefined,
  });
  if (result.loaded.length === 0)
    throw new Error(
      `train: --init ${c.init}: no tensor of the file fits ${model.name} (${result.skipped
        .slice(0, 3)
        .map((s) => `${s.key}: ${s.reason}`)
        .join('; ')})`,
    );
  return {
    model,
    init: {
      file: c.init,
      kind: ours ? 'checkpoint' : 'torch state dict',
      loaded: result.loaded.length,
      skipped: result.skipped.filter((k) => k.reason !== 'renamed to null').map((k) => `${k.key} (${k.reason})`),
      missing: result.missing,
    },
  };
}

/** Augmentations used by --augment: mirror, small shifts and turns, light contrast jitter. */
export const TRAIN_AUGMENTATION: Partial<AugmentAttrs> = { flipHorizontal: 0.5, maxShift: 2, maxRotation: 10, contrast: 0.1 };

/** Augmentation used by --augment flip: mirroring alone (Fashion-MNIST's classes are left-right symmetric). */
export const FLIP_AUGMENTATION: Partial<AugmentAttrs> = { flipHorizontal: 0.5 };

type AugmentKind = Exclude<TrainJobConfig['augment'], boolean>;

/** What each value of --augment turns on. */
export const AUGMENTATIONS: Record<AugmentKind, Partial<AugmentAttrs>> = {
  full: TRAIN_AUGMENTATION,
  flip: FLIP_AUGMENTATION,
  // The CIFAR recipe: pad 4, a random crop of the image's size, mirror.
  crop: { flipHorizontal: 0.5, padding: 4 },
  // torchvision's RandomResizedCrop, from 35% of the area up (its 8% leaves little of a 28x28 item).
  'resized-crop': { flipHorizontal: 0.5, cropScale: [0.35, 1], cropRatio: [3 / 4, 4 / 3] },
  color: { flipHorizontal: 0.5, perChannel: true, brightness: 0.1, contrast: 0.2, saturation: 0.3 },
};

/** The augmentation of `--augment KIND` (true: full) for images of `channels`; colour jitter needs RGB. */
export function jobAugmentation(kind: true | AugmentKind, channels: number): Partial<AugmentAttrs> {
  const k = kind === true ? 'full' : kind;
  if (!(k in AUGMENTATIONS)) throw new Error(`train: unknown --augment ${k} (${Object.keys(AUGMENTATIONS).join(', ')})`);
  if (k === 'color' && channels !== 3) throw new Error(`train: --augment color needs RGB images (--dataset folder:PATH); these have ${channels} channel(s)`);
  return AUGMENTATIONS[k];
}

/** The optimizer and learning-rate schedule a job (or the Train page) asks for. */
export function optimizerConfig(
  c: Pick<TrainJobConfig, 'optimizer' | 'lr' | 'schedule' | 'warmupSteps' | 'epochs' | 'scheduleSteps'>,
  stepsPerEpoch: number,
): OptimizerConfig {
  const total = c.scheduleSteps ?? stepsPerEpoch * c.epochs;
  const schedule =
    c.schedule === 'cosine'
      ? { kind: 'cosine' as const, totalSteps: total, warmupSteps: c.warmupSteps }
      : c.schedule === 'step'
        ? { kind: 'step' as const, stepSize: stepsPerEpoch, gamma: 0.5, warmupSteps: c.warmupSteps }
        : c.schedule === 'exponential'
          ? { kind: 'exponential' as const, decaySteps: stepsPerEpoch, gamma: 0.7, warmupSteps: c.warmupSteps }
          : { kind: 'constant' as const, warmupSteps: c.warmupSteps };
  switch (c.optimizer) {
    case 'sgd':
      return { kind: 'sgd', lr: c.lr, schedule };
    case 'momentum':
      return { kind: 'sgd', lr: c.lr, momentum: 0.9, schedule };
    case 'nesterov':
      return { kind: 'sgd', lr: c.lr, momentum: 0.9, nesterov: true, schedule };
    default:
      return { kind: c.optimizer, lr: c.lr, schedule };
  }
}

/** The checkpoint fields a job adds: its configuration and the epochs done, so a resume can finish the run. */
const RUN_CONFIG = 'run_config';
const RUN_EPOCHS = 'run_epochs';
/** The training-loss curve so far and its open window ({ points, window }); absent in checkpoints older than it. */
const RUN_CURVE = 'run_loss_curve';

/** One point of the training-loss curve: the mean batch loss of a window of steps, at the images seen by its end. */
export interface LossPoint {
  images: number;
  loss: number;
}

/** The curve as a checkpoint holds it: its points, and the batch losses summed since the last one. */
export interface LossCurve {
  points: LossPoint[];
  window: { sum: number; steps: number };
}

/** Points per epoch of the curve: enough to draw it, few enough for metrics.json. */
const CURVE_POINTS_PER_EPOCH = 25;

/** The loss curve a job checkpoint holds (empty for a checkpoint without one), checked. */
export function lossCurveOfCheckpoint(metadata: Record<string, string>, file: string): LossCurve {
  const text = metadata[RUN_CURVE];
  if (text === undefined) return { points: [], window: { sum: 0, steps: 0 } };
  let curve: LossCurve;
  try {
    curve = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: metadata field '${RUN_CURVE}' is not JSON (${(e as Error).message})`);
  }
  const points = curve?.points;
  if (
    !Array.isArray(points) ||
    points.some((p) => typeof p?.images !== 'number' || typeof p?.loss !== 'number') ||
    typeof curve.window?.sum !== 'number' ||
    !Number.isInteger(curve.window?.steps)
  )
    throw new Error(`${file}: metadata field '${RUN_CURVE}' must hold { points: [{ images, loss }], window: { sum, steps } }`);
  return curve;
}

/** `c` with its batch size: the one it names, or defaultBatch of its `trainCount` training examples. */
export function withBatch<C extends Pick<TrainJobConfig, 'batch' | 'dataset'>>(c: C, trainCount: number): C & { batch: number } {
  return { ...c, batch: c.batch ?? defaultBatch(c.dataset, trainCount) };
}

/** The configuration and epoch reports a job checkpoint holds, checked. */
export function runOfCheckpoint(metadata: Record<string, string>, file: string): { config: TrainJobConfig; epochs: EpochReport[] } {
  const parse = (field: string) => {
    const text = metadata[field];
    if (text === undefined) throw new Error(`${file}: not a checkpoint of npm run train (metadata field '${field}' missing)`);
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new Error(`${file}: metadata field '${field}' is not JSON (${(e as Error).message})`);
    }
  };
  const config = parse(RUN_CONFIG) as TrainJobConfig;
  if (typeof config !== 'object' || config === null || typeof config.model !== 'string' || !(config.epochs > 0) || !((config.batch ?? 0) > 0)) {
    throw new Error(`${file}: metadata field '${RUN_CONFIG}' does not describe a run (model, epochs, batch)`);
  }
  const epochs = parse(RUN_EPOCHS) as EpochReport[];
  if (!Array.isArray(epochs) || epochs.some((e) => typeof e !== 'object' || e === null || !Number.isInteger(e.epoch))) {
    throw new Error(`${file}: metadata field '${RUN_EPOCHS}' must be a list of epoch reports`);
  }
  return { config, epochs };
}

/**
 * Loads the dataset, trains, evaluates on the test set after every epoch and returns
 * metrics, weights and first-layer filters. Progress goes to `report` (batches
 * throttled). With hooks it resumes from a checkpoint and checkpoints after every epoch
 * (and every `checkpointEvery` steps). A diverged run resolves with the divergence in
 * its metrics and no weights (its last checkpoint holds the last good ones).
 */
export async function runTrainJob(
  config: TrainJobConfig,
  report: (p: TrainJobProgress) => void | Promise<void>,
  datasetsUrl = '/datasets',
  hooks: TrainJobHooks = {},
): Promise<TrainJobResult> {
  if (!config.init && !MODELS[config.model]) throw new Error(`train: unknown model '${config.model}' (models: ${Object.keys(MODELS).join(', ')})`);
  const segment = config.task === 'segment';
  // The GPU augmentations move and turn images, not their label maps.
  if (segment && config.augment) throw new Error('train: --augment does not apply to --task segment (it would move the images but not their label maps)');
  const folder = hooks.folder && {
    ...hooks.folder,
    onProgress: (p: { done: number; total: number; decoded: number; errors: number; perSecond: number }) =>
      void report({ kind: 'load', done: p.done, total: p.total, decoded: p.decoded, errors: p.errors, perSecond: p.perSecond }),
  };
  const { train, test, classNames, folder: images } = await loadJobData(config, datasetsUrl, folder);
  // The batch size, once the training split's size is known; the run records it (a resumed run has it).
  const c = withBatch(config, train.count);
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
  if (train.count < c.batch) throw new Error(`train: ${train.count} training examples are fewer than one batch of ${c.batch}; lower --batch or raise --limit`);
  const makeWebGPU = hooks.createWebGPU ?? ((o: JobWebGPUOptions) => createWebGPUBackend(o));
  const backend: Backend = c.backend === 'cpu' ? new CpuBackend() : await makeWebGPU(webgpuOptions(c));
  const adapter = backend.adapterInfo ?? null;
  // Normalise both splits with the training split's statistics (an image folder is, per channel, already).
  const { mean, std } = images ? { mean: images.mean, std: images.std } : meanStd(train.images);
  if (!images) {
    normalize(train.images, mean as number, std as number);
    normalize(test.images, mean as number, std as number);
  }
  // Black, normalised: what the augmentation's contrast turns about (a folder's mean over channels).
  const pivot = images ? images.mean.reduce((a, m, ch) => a - m / images.std[ch], 0) / 3 : (0 - (mean as number)) / (std as number);
  const { model, init } = jobModel(c, hooks.init, train, backend);
  // --freeze-body, --body-lr-scale, --unfreeze-every: the head and the body of the --init network.
  if (isFineTuning(c) && !c.init) throw new Error('train: --freeze-body, --body-lr-scale and --unfreeze-every fine-tune a network started from --init FILE');
  const fineTune = isFineTuning(c) ? planFineTuning(model, c, init?.missing ?? [], c.init!) : null;
  const stepsPerEpoch = Math.floor(train.count / c.batch);
  const trainer = new Trainer(model, {
    optimizer: optimizerConfig(c, stepsPerEpoch),
    batchSize: c.batch,
    seed: c.seed,
    augment: c.augment ? { ...jobAugmentation(c.augment, train.shape[0]), pivot } : undefined,
    loss: segment
      ? { kind: 'pixel-cross-entropy', ...(c.classWeights ? { classWeights: c.classWeights } : {}) }
      : c.classWeights
        ? { kind: 'softmax-cross-entropy', classWeights: c.classWeights }
        : undefined,
  });
  const epochs: EpochReport[] = [];
  const curve: LossCurve = { points: [], window: { sum: 0, steps: 0 } };
  if (hooks.resume) {
    // The layers the schedule had unfrozen by the checkpoint train (and have optimizer state) again.
    const at = readCheckpointMetadata(safetensorsMetadata(hooks.resume, 'checkpoint.safetensors'), 'checkpoint.safetensors').progress;
    if (fineTune && at) unfreezeAt(model, fineTune, at);
    const metadata = trainer.loadCheckpoint(hooks.resume, 'checkpoint.safetensors');
    epochs.push(...runOfCheckpoint(metadata, 'checkpoint.safetensors').epochs);
    Object.assign(curve, lossCurveOfCheckpoint(metadata, 'checkpoint.safetensors'));
    // The part of an epoch a time budget ended: the epoch goes on now and gets its full report.
    if (trainer.progress.batch > 0 && epochs.at(-1)?.stoppedByBudget) epochs.pop();
    const p = trainer.progress;
    await report({ kind: 'resume', epoch: p.epoch, batch: p.batch, steps: trainer.optimizer.steps });
  }
  const info = summary(model);
  await report({
    kind: 'start',
    model: model.name,
    params: info.totalParams,
    trainExamples: train.count,
    testExamples: test.count,
    stepsPerEpoch,
    batch: c.batch,
    adapter: adapter ? `${adapter.vendor} ${adapter.architecture}` : 'cpu',
    init,
    fineTune: fineTune?.description,
  });
  const started = performance.now();
  let lastBatch = 0;
  // The curve's points fall on fixed batches of each epoch, so a resumed run draws the same curve.
  const curveEvery = Math.max(1, Math.round(stepsPerEpoch / CURVE_POINTS_PER_EPOCH));
  let lastEval: EvalResult | null = null;
  let diverged: DivergenceError | null = null;
  const metricsNow = () => ({
    ...jobMetrics(c, {
      model,
      backend,
      adapter,
      info,
      train,
      test,
      mean,
      std,
      epochs,
      stats: trainer.stepStats(),
      lastEval,
      started,
      diverged,
      stepsPerEpoch,
      classNames,
      folder: images,
      imagesSeen: trainer.optimizer.steps * c.batch,
      midEpoch: trainer.progress.batch > 0,
      lossCurve: curve.points,
    }),
    ...(fineTune ? { fineTune: fineTuneRecord(c, fineTune, trainer.progress) } : {}),
  });
  // Which run wrote a file, and at which optimizer step: so a folder's files can be checked to be of one run.
  // What a reader of the file needs to use it (the demo's pages read these): the zoo key and the inputs' normalisation.
  const described = {
    ...(c.init?.toLowerCase().endsWith('.onnx') ? {} : { model_key: c.model }),
    input_mean: String(mean),
    input_std: String(std),
    ...(images ? { class_names: JSON.stringify(classNames) } : {}),
  };
  const stamp = (): Record<string, string> => ({
    ...described,
    ...(hooks.runId ? { [RUN_ID]: hooks.runId, [RUN_STEP]: String(trainer.optimizer.steps) } : {}),
  });
  const remaining = c.epochs - trainer.progress.epoch;
  // A time budget: what the checkpoint's training time leaves of it.
  const trained = epochs.reduce((sum, e) => sum + e.seconds, 0) + trainer.progress.seconds;
  const budgetMs = c.timeBudgetMs === undefined ? undefined : c.timeBudgetMs - trained * 1000;
  const horizon =
    budgetMs === undefined
      ? null
      : cosineHorizon(
          trainer,
          budgetMs,
          (steps) => {
            c.scheduleSteps = steps;
          },
          undefined,
          // A resumed run: the pace of the training time and steps its checkpoint holds.
          trained > 0 && trainer.optimizer.steps > 0 ? (trained * 1000) / trainer.optimizer.steps : undefined,
        );
  if (remaining > 0 && !(budgetMs !== undefined && budgetMs <= 0)) {
    try {
      await trainer.fit(train, {
        epochs: remaining,
        timeBudgetMs: budgetMs,
        checkpointEvery: hooks.checkpointEvery,
        // An image folder trains on random crops of its cached decodes, new each epoch.
        callbacks: [
          ...(images ? [images.randomCrops()] : []),
          ...(fineTune?.schedule.length ? [unfreezeCallback(model, fineTune, (epoch, layers) => report({ kind: 'unfreeze', epoch, layers }))] : []),
        ],
        divergence: c.divergenceFactor === undefined ? undefined : { lossFactor: c.divergenceFactor },
        onDiverge: c.onDiverge,
        onBatch: async (b) => {
          horizon?.onStep();
          const w = curve.window;
          if (Number.isFinite(b.loss)) {
            w.sum += b.loss;
            w.steps++;
          }
          if (w.steps > 0 && (b.batch % curveEvery === 0 || b.batch === b.batches)) {
            // By the batch's place, not optimizer.steps: steps already queued behind it count there.
            curve.points.push({ images: ((b.epoch - 1) * b.batches + b.batch) * c.batch, loss: w.sum / w.steps });
            curve.window = { sum: 0, steps: 0 };
          }
          const now = performance.now();
          if (now - lastBatch > 250 || b.batch === b.batches) {
            lastBatch = now;
            await report({ kind: 'batch', ...b });
          }
        },
        onEpoch: async (e) => {
          lastEval = await trainer.evaluate(test);
          e.testLoss = lastEval.loss;
          e.testAccuracy = lastEval.accuracy;
          if (lastEval.segmentation) e.testMeanIoU = lastEval.segmentation.meanIoU;
          epochs.push(e);
          await report({ kind: 'epoch', ...e });
        },
        onCheckpoint: async () => {
          if (!hooks.onCheckpoint) return;
          const bytes = await trainer.saveCheckpoint({
            [RUN_CONFIG]: JSON.stringify(c),
            [RUN_EPOCHS]: JSON.stringify(epochs),
            [RUN_CURVE]: JSON.stringify(curve),
            ...stamp(),
          });
          await hooks.onCheckpoint(bytes, metricsNow());
        },
      });
    } catch (e) {
      if (!(e instanceof DivergenceError)) throw e;
      diverged = e;
    }
  }
  lastEval ??= await trainer.evaluate(test);
  const firstConv = model.params().find((p) => p.layer.kind === 'conv2d' && p.spec.name === 'weight');
  const filters = firstConv ? { shape: [...firstConv.tensor.shape], data: [...(await firstConv.tensor.read())] } : null;
  // The final weights name where training stood (epoch, step), like every checkpoint.
  const weights = diverged ? null : await saveCheckpoint(model, undefined, { progress: trainer.progress, metadata: stamp() });
  const metrics = { ...metricsNow(), init };
  const evaluated = lastEval as EvalResult;
  const scenes = evaluated.segmentation ? sceneSamples(test, evaluated.segmentation.predictions, classNames, mean as number, std as number) : null;
  const onnx = hooks.exportOnnx && !diverged ? await exportOnnx(model) : null;
  const torch = hooks.exportTorch && !diverged ? await exportStateDict(model) : null;
  trainer.dispose();
  model.dispose();
  return { metrics, weights, filters, scenes, onnx, torch };
}

/** What metrics.json records of the fine-tuning: the head, the body, the options, and the layers unfrozen so far. */
function fineTuneRecord(c: TrainJobConfig, plan: FineTunePlan, progress: { epoch: number; batch: number }) {
  const begun = progress.epoch + (progress.batch > 0 ? 1 : 0);
  return {
    head: plan.head,
    body: plan.body,
    freezeBody: !!c.freezeBody,
    bodyLrScale: c.bodyLrScale ?? 1,
    unfreezeEvery: c.unfreezeEvery ?? null,
    unfrozen: plan.schedule.filter((s) => s.epoch <= begun).map((s) => ({ epoch: s.epoch, layers: s.layers })),
  };
}

interface JobState {
  model: Model;
  backend: Backend;
  adapter: GPUAdapterInfo | null;
  info: ReturnType<typeof summary>;
  train: Dataset;
  test: Dataset;
  /** One number, or per channel (an image folder). */
  mean: number | number[];
  std: number | number[];
  epochs: EpochReport[];
  stats: StepStats;
  lastEval: EvalResult | null;
  started: number;
  diverged: DivergenceError | null;
  stepsPerEpoch: number;
  classNames: string[];
  folder?: ImageFolder;
  /** Training images (or scenes) seen over the whole run: optimizer steps x batch. */
  imagesSeen: number;
  /** The run stands mid-epoch (its time budget ended there): the last epoch report is of a part. */
  midEpoch: boolean;
  lossCurve: LossPoint[];
}

/** The run's metrics as metrics.json holds them, complete or so far (after the epochs in `epochs`). */
function jobMetrics(c: TrainJobConfig, s: JobState): Record<string, unknown> {
  const trainSeconds = s.epochs.reduce((sum, e) => sum + e.seconds, 0);
  const seenInEpochs = s.epochs.reduce((sum, e) => sum + e.imagesPerSecond * e.seconds, 0);
  const done = s.epochs.length - (s.midEpoch ? 1 : 0);
  const budgetSpent = s.epochs.at(-1)?.stoppedByBudget === true;
  const d = s.diverged;
  const seg = s.lastEval?.segmentation;
  return {
    model: s.model.name,
    task: c.task ?? 'classify',
    dataset: c.dataset,
    backend: s.backend.name,
    adapter: s.adapter
      ? { vendor: s.adapter.vendor, architecture: s.adapter.architecture, description: s.adapter.description }
      : { vendor: 'cpu', architecture: 'reference' },
    config: c,
    complete: (done === c.epochs || budgetSpent) && !d,
    epochsDone: done,
    diverged: d
      ? {
          rule: d.rule,
          step: d.step,
          epoch: d.epoch,
          batch: d.batch,
          learningRate: d.learningRate,
          loss: String(d.loss),
          restoredTo: d.restoredTo ? { epoch: d.restoredTo.epoch, step: d.restoredTo.batch } : null,
          message: d.message,
        }
      : null,
    params: s.info.totalParams,
    trainExamples: s.train.count,
    testExamples: s.test.count,
    normalization: { mean: s.mean, std: s.std },
    testAccuracy: s.lastEval?.accuracy ?? null,
    testLoss: s.lastEval?.loss ?? null,
    loss: s.epochs.map((e) => e.loss),
    // The training loss as it went: the mean batch loss of each window of steps, at the images seen.
    lossCurve: s.lossCurve,
    trainAccuracy: s.epochs.map((e) => e.accuracy),
    testLossPerEpoch: s.epochs.map((e) => e.testLoss),
    testAccuracyPerEpoch: s.epochs.map((e) => e.testAccuracy),
    // --task segment: testAccuracy is the pixel accuracy; mean IoU over the labels present, and per label.
    ...(c.task === 'segment'
      ? {
          testMeanIoU: seg?.meanIoU ?? null,
          testMeanIoUPerEpoch: s.epochs.map((e) => e.testMeanIoU ?? null),
          testIoU: seg ? Object.fromEntries(s.classNames.map((name, k) => [name, Number.isNaN(seg.iou[k]) ? null : seg.iou[k]])) : null,
          testPixels: seg?.pixels ?? null,
        }
      : {}),
    imagesPerSecond: trainSeconds > 0 ? seenInEpochs / trainSeconds : null,
    imagesSeen: s.imagesSeen,
    timeBudgetSeconds: c.timeBudgetMs === undefined ? null : c.timeBudgetMs / 1000,
    stoppedByBudget: budgetSpent,
    trainSeconds,
    epochSeconds: s.epochs.map((e) => e.seconds),
    // Divergence rules that fired with onDiverge 'warn': the run went on.
    warnings: s.epochs.flatMap((e) => e.warnings ?? []),
    totalSeconds: (performance.now() - s.started) / 1000,
    // The variant every kernel with a choice ran: --tuning replays exactly these.
    tuning: s.backend.tuner?.usedChoices() ?? null,
    dispatchesPerStep: s.stats.dispatchesPerStep,
    submitsPerStep: s.stats.submitsPerStep,
    readbacksPerStep: s.stats.readbacksPerStep,
    graphNodes: s.stats.nodes,
    stepWorkingBytes: s.stats.workingBytes,
    stepWorkingBytesWithoutReuse: s.stats.unsharedBytes,
    peakGpuBytes: s.stats.peakBytes ?? null,
    // Of the examples, or with --task segment of the pixels.
    confusionMatrix: seg?.confusion ?? s.lastEval?.confusion ?? null,
    classes: s.classNames,
    // An image folder: how it was split, and the files left out with the reason.
    ...(s.folder
      ? {
          imageFolder: {
            path: folderOf(c.dataset),
            imageSize: s.train.shape[1],
            split: s.folder.split,
            badFiles: s.folder.bad,
            ignoredFiles: s.folder.ignored,
          },
        }
      : {}),
  };
}
