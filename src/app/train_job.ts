import type { Backend } from '../backends/backend';
import { CpuBackend } from '../backends/cpu/cpu_backend';
import { createWebGPUBackend, type WebGPUBackend } from '../backends/webgpu/webgpu_backend';
import { meanStd, normalize, take, type Dataset } from '../data/dataset';
import { FASHION_MNIST_CLASSES, fetchIdxSplit } from '../data/fashion_mnist';
import { saveCheckpoint } from '../io/checkpoint';
import type { AugmentAttrs } from '../ops/augment';
import { summary } from '../nn/summary';
import { Trainer, type BatchReport, type EpochReport } from '../nn/trainer';
import { MODELS } from '../nn/zoo';
import type { OptimizerConfig } from '../nn/optimizers';

/** What `npm run train` (and the demo's Train page) asks for. */
export interface TrainJobConfig {
  model: string;
  dataset: 'fashion-mnist' | 'mnist';
  epochs: number;
  batch: number;
  optimizer: 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'adamw';
  lr: number;
  schedule?: 'constant' | 'cosine' | 'step' | 'exponential';
  warmupSteps?: number;
  /** Augmentation on the GPU: the full set (TRAIN_AUGMENTATION), left-right mirroring only, or none. */
  augment: boolean | 'full' | 'flip';
  /** Use only the first N training examples (the test set stays whole). */
  limit?: number;
  backend: 'webgpu' | 'cpu';
  seed: number;
}

export type TrainJobProgress = { kind: 'start'; [key: string]: unknown } | ({ kind: 'batch' } & BatchReport) | ({ kind: 'epoch' } & EpochReport);

export interface TrainJobResult {
  metrics: Record<string, unknown>;
  /** Safetensors bytes of the trained weights. */
  weights: Uint8Array;
  /** First convolution's filters [out, in, kh, kw] for the report. */
  filters: { shape: number[]; data: number[] } | null;
}

/** Augmentations used by --augment: mirror, small shifts and turns, light contrast jitter. */
export const TRAIN_AUGMENTATION: Partial<AugmentAttrs> = { flipHorizontal: 0.5, maxShift: 2, maxRotation: 10, contrast: 0.1 };

/** Augmentation used by --augment flip: mirroring alone (Fashion-MNIST's classes are left-right symmetric). */
export const FLIP_AUGMENTATION: Partial<AugmentAttrs> = { flipHorizontal: 0.5 };

/** The optimizer and learning-rate schedule a job (or the Train page) asks for. */
export function optimizerConfig(c: Pick<TrainJobConfig, 'optimizer' | 'lr' | 'schedule' | 'warmupSteps' | 'epochs'>, stepsPerEpoch: number): OptimizerConfig {
  const total = stepsPerEpoch * c.epochs;
  const schedule =
    c.schedule === 'cosine' ? { kind: 'cosine' as const, totalSteps: total, warmupSteps: c.warmupSteps }
    : c.schedule === 'step' ? { kind: 'step' as const, stepSize: stepsPerEpoch, gamma: 0.5, warmupSteps: c.warmupSteps }
    : c.schedule === 'exponential' ? { kind: 'exponential' as const, decaySteps: stepsPerEpoch, gamma: 0.7, warmupSteps: c.warmupSteps }
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

/**
 * Loads the dataset, trains, evaluates on the whole test set and returns metrics,
 * weights and first-layer filters. Progress goes to `report` (batches throttled).
 */
export async function runTrainJob(c: TrainJobConfig, report: (p: TrainJobProgress) => void | Promise<void>, datasetsUrl = '/datasets'): Promise<TrainJobResult> {
  const makeModel = MODELS[c.model];
  if (!makeModel) throw new Error(`train: unknown model '${c.model}' (models: ${Object.keys(MODELS).join(', ')})`);
  const backend: Backend = c.backend === 'cpu' ? new CpuBackend() : await createWebGPUBackend();
  const adapter = backend.name === 'webgpu' ? (backend as WebGPUBackend).adapterInfo : null;
  const folder = c.dataset === 'mnist' ? 'mnist' : 'fashion-mnist';
  let train: Dataset = await fetchIdxSplit(`${datasetsUrl}/${folder}`, 'train');
  const test = await fetchIdxSplit(`${datasetsUrl}/${folder}`, 'test');
  if (c.limit) train = take(train, c.limit);
  // Normalise both splits with the training split's statistics.
  const { mean, std } = meanStd(train.images);
  normalize(train.images, mean, std);
  normalize(test.images, mean, std);
  const model = makeModel(train.shape, train.classes).build(backend, { seed: c.seed });
  const stepsPerEpoch = Math.floor(train.count / c.batch);
  const trainer = new Trainer(model, { optimizer: optimizerConfig(c, stepsPerEpoch), batchSize: c.batch, seed: c.seed, augment: c.augment ? { ...(c.augment === 'flip' ? FLIP_AUGMENTATION : TRAIN_AUGMENTATION), pivot: (0 - mean) / std } : undefined });
  const info = summary(model);
  await report({ kind: 'start', model: model.name, params: info.totalParams, trainExamples: train.count, testExamples: test.count, stepsPerEpoch, adapter: adapter ? `${adapter.vendor} ${adapter.architecture}` : 'cpu' });
  const started = performance.now();
  let lastBatch = 0;
  const epochs = await trainer.fit(train, {
    epochs: c.epochs,
    validation: test,
    onBatch: async (b) => {
      const now = performance.now();
      if (now - lastBatch > 250 || b.batch === b.batches) {
        lastBatch = now;
        await report({ kind: 'batch', ...b });
      }
    },
    onEpoch: (e) => report({ kind: 'epoch', ...e }),
  });
  const final = await trainer.evaluate(test);
  const stats = trainer.stepStats();
  const firstConv = model.params().find((p) => p.layer.kind === 'conv2d' && p.spec.name === 'weight');
  const filters = firstConv ? { shape: [...firstConv.tensor.shape], data: [...(await firstConv.tensor.read())] } : null;
  const weights = await saveCheckpoint(model);
  const trainSeconds = epochs.reduce((s, e) => s + e.seconds, 0);
  const metrics = {
    model: model.name,
    dataset: c.dataset,
    backend: backend.name,
    adapter: adapter ? { vendor: adapter.vendor, architecture: adapter.architecture, description: adapter.description } : { vendor: 'cpu', architecture: 'reference' },
    config: c,
    params: info.totalParams,
    trainExamples: train.count,
    testExamples: test.count,
    normalization: { mean, std },
    testAccuracy: final.accuracy,
    testLoss: final.loss,
    loss: epochs.map((e) => e.loss),
    trainAccuracy: epochs.map((e) => e.accuracy),
    testLossPerEpoch: epochs.map((e) => e.testLoss),
    testAccuracyPerEpoch: epochs.map((e) => e.testAccuracy),
    imagesPerSecond: (stepsPerEpoch * c.batch * c.epochs) / trainSeconds,
    epochSeconds: epochs.map((e) => e.seconds),
    totalSeconds: (performance.now() - started) / 1000,
    dispatchesPerStep: stats.dispatchesPerStep,
    submitsPerStep: stats.submitsPerStep,
    readbacksPerStep: stats.readbacksPerStep,
    graphNodes: stats.nodes,
    stepWorkingBytes: stats.workingBytes,
    stepWorkingBytesWithoutReuse: stats.unsharedBytes,
    peakGpuBytes: stats.peakBytes ?? null,
    confusionMatrix: final.confusion,
    classes: c.dataset === 'fashion-mnist' ? FASHION_MNIST_CLASSES : [...Array(10).keys()].map(String),
  };
  trainer.dispose();
  model.dispose();
  return { metrics, weights, filters };
}
