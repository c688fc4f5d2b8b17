// The transfer experiment of the lecture decks, on real data: pretrain a CNN on some
// classes (Fashion-MNIST 0-4), then learn the others (5-9) from a few labelled images
// per class in three ways: from scratch; the pretrained body frozen under a new head
// (its features, "CNN codes", feed a new classifier); and the whole network fine-tuned
// with the body at a tenth of the head's learning rate; and, when asked (unfreezeEvery),
// the body unfrozen layer by layer from the top. `npm run transfer` runs it.
import type { Backend } from '../../src/backends/backend';
import { samplePerClass, selectClasses, type Dataset } from '../../src/data/dataset';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint';
import { Dense } from '../../src/nn/dense_layers';
import { withHead, type Model } from '../../src/nn/model';
import { Trainer } from '../../src/training/trainer';
import { MODELS } from '../../src/nn/zoo';
import { unfreezeSchedule } from '../../src/training/callbacks';
import { planFineTuning } from './fine_tune';

export type TransferMethod = 'scratch' | 'frozen' | 'finetune' | 'gradual';
/** The three ways every experiment runs; 'gradual' joins them when the config has unfreezeEvery. */
export const TRANSFER_METHODS: readonly TransferMethod[] = ['scratch', 'frozen', 'finetune'];

/** The ways an experiment of `config` runs. */
export const transferMethods = (config: Pick<TransferConfig, 'unfreezeEvery'>): TransferMethod[] => [
  ...TRANSFER_METHODS,
  ...(config.unfreezeEvery === undefined ? [] : (['gradual'] as const)),
];

export interface TransferConfig {
  /** A zoo model (default lenet5). */
  model: string;
  /**
   * The layer whose output the new head reads (default: the one before the model's last
   * layer). The command's default is LeNet-5's flatten_1, its convolutional features: the
   * dense layers after it are fitted to the source classes, and bodies cut there (dense_2)
   * transferred worse than training from scratch here (0.66 against 0.84 at 10 images a class).
   */
  cut?: string;
  sourceClasses: readonly number[];
  targetClasses: readonly number[];
  /** Labelled images per target class, one experiment each. */
  perClass: readonly number[];
  pretrainEpochs: number;
  /** Optimizer steps of each target run (the epochs follow from its size). */
  steps: number;
  batch: number;
  /** Adam's rate for pretraining, scratch runs and heads. */
  lr: number;
  /** The body's rate relative to the head's when fine-tuning (default 0.1), and once unfrozen ('gradual'). */
  bodyScale: number;
  /**
   * Adds the 'gradual' way: the body starts frozen under the new head, and every this many
   * epochs one more of its layers unfreezes (top first, at bodyScale).
   */
  unfreezeEvery?: number;
  seed: number;
}

export const DEFAULT_TRANSFER: TransferConfig = {
  model: 'lenet5',
  cut: 'flatten_1',
  sourceClasses: [0, 1, 2, 3, 4],
  targetClasses: [5, 6, 7, 8, 9],
  perClass: [10, 50, 250],
  pretrainEpochs: 2,
  steps: 150,
  batch: 32,
  lr: 2e-3,
  bodyScale: 0.1,
  seed: 1,
};

export interface TransferRow {
  perClass: number;
  method: TransferMethod;
  testAccuracy: number;
  epochs: number;
  seconds: number;
}

/**
 * The task learnt from few images, when it is not the source data set's other classes: an
 * image folder's training and validation splits (`npm run transfer -- --dataset folder:PATH`),
 * at the shape the source data is given in.
 */
export interface TransferTarget {
  train: Dataset;
  test: Dataset;
  classNames: string[];
}

export interface TransferResult {
  config: TransferConfig;
  cut: string;
  /** Accuracy of the pretrained network on the source classes' test images. */
  pretrainAccuracy: number;
  pretrainSeconds: number;
  /** The pretrained network's checkpoint (weights and running statistics, no optimizer state). */
  pretrained: Uint8Array;
  rows: TransferRow[];
}

export type TransferProgress =
  | { kind: 'pretrain'; epoch: number; epochs: number; testAccuracy: number; seconds: number }
  | { kind: 'pretrained'; testAccuracy: number; seconds: number }
  | ({ kind: 'row' } & TransferRow);

const elapsed = (start: number) => (performance.now() - start) / 1000;

/** The layer before the model's last one: the features a new classifier reads. */
export function defaultCut(model: Model): string {
  const last = model.nodes.at(-1)!;
  const before = last.inputs[0].producer;
  if (!before) throw new Error(`transfer: ${model.name}'s last layer reads the input directly; name the cut layer`);
  return before.name;
}

/**
 * Runs the experiment on `backend` with `train` and `test` (normalised images of every
 * class). Every target run starts from the same pretrained weights (reloaded from the
 * checkpoint, so fine-tuning one run never leaks into the next) and the same sample.
 */
export async function runTransfer(
  backend: Backend,
  train: Dataset,
  test: Dataset,
  config: TransferConfig = DEFAULT_TRANSFER,
  report?: (p: TransferProgress) => void | Promise<void>,
  /** More header fields of the pretrained checkpoint (the input normalisation, say). */
  metadata: Record<string, string> = {},
  /** Another task than `config.targetClasses` of `train` (an image folder's classes). */
  target?: TransferTarget,
): Promise<TransferResult> {
  const make = MODELS[config.model];
  if (!make) throw new Error(`transfer: no zoo model '${config.model}'`);
  const classes = config.sourceClasses.length;
  if (!target && config.targetClasses.length !== classes)
    throw new Error(`transfer: ${classes} source classes but ${config.targetClasses.length} target classes (the head keeps the class count)`);
  if (target && target.train.shape.join() !== train.shape.join())
    throw new Error(`transfer: the target images are ${target.train.shape.join('x')} but the source images ${train.shape.join('x')}`);
  const targetClasses = target ? target.train.classes : config.targetClasses.length;
  const fresh = (seed: number) => make(train.shape, classes).build(backend, { seed });
  const freshTarget = (seed: number) => make(train.shape, targetClasses).build(backend, { seed });

  // Pretraining on the source classes.
  const start = performance.now();
  const source = selectClasses(train, config.sourceClasses);
  const sourceTest = selectClasses(test, config.sourceClasses);
  const base = fresh(config.seed);
  const cut = config.cut ?? defaultCut(base);
  // A cut the model lacks fails here, before minutes of pretraining.
  base.outputOf(cut, 'transfer');
  const pretrainer = new Trainer(base, {
    optimizer: { kind: 'adam', lr: config.lr, schedule: { kind: 'cosine', totalSteps: config.pretrainEpochs * Math.floor(source.count / 64) } },
    batchSize: 64,
    seed: config.seed,
  });
  await pretrainer.fit(source, {
    epochs: config.pretrainEpochs,
    validation: sourceTest,
    onEpoch: (r) => report?.({ kind: 'pretrain', epoch: r.epoch, epochs: config.pretrainEpochs, testAccuracy: r.testAccuracy!, seconds: elapsed(start) }),
  });
  const pretrainAccuracy = (await pretrainer.evaluate(sourceTest)).accuracy;
  const pretrained = await saveCheckpoint(base, undefined, {
    metadata: { ...metadata, transfer_source_classes: config.sourceClasses.join(','), transfer_cut: cut },
  });
  const pretrainSeconds = elapsed(start);
  base.dispose();
  await report?.({ kind: 'pretrained', testAccuracy: pretrainAccuracy, seconds: pretrainSeconds });

  // The target task from a few images per class.
  const pool = target ? target.train : selectClasses(train, config.targetClasses);
  const targetTest = target ? target.test : selectClasses(test, config.targetClasses);
  const rows: TransferRow[] = [];
  for (const n of config.perClass) {
    const sample = samplePerClass(pool, n, config.seed * 1000 + n);
    const batch = Math.min(config.batch, sample.count);
    const epochs = Math.max(1, Math.ceil(config.steps / Math.floor(sample.count / batch)));
    for (const method of transferMethods(config)) {
      const t0 = performance.now();
      const { model, body } = transferModel(method, fresh, freshTarget, pretrained, cut, targetClasses, config);
      try {
        const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: config.lr }, batchSize: batch, seed: config.seed });
        // The gradual way: the body frozen under the head, its layers unfrozen top first every unfreezeEvery epochs.
        const schedule =
          method === 'gradual' ? planFineTuning(model, { unfreezeEvery: config.unfreezeEvery, bodyLrScale: config.bodyScale }, [], 'pretrained').schedule : [];
        await trainer.fit(sample, { epochs, callbacks: schedule.length ? [unfreezeSchedule(schedule)] : [] });
        const row: TransferRow = { perClass: n, method, testAccuracy: (await trainer.evaluate(targetTest)).accuracy, epochs, seconds: elapsed(t0) };
        rows.push(row);
        await report?.({ kind: 'row', ...row });
      } finally {
        model.dispose();
        body?.dispose();
      }
    }
  }
  return { config, cut, pretrainAccuracy, pretrainSeconds, pretrained, rows };
}

/** The network one method trains: a fresh one, or the pretrained body under a new head (frozen, or at a scaled rate). */
function transferModel(
  method: TransferMethod,
  fresh: (seed: number) => Model,
  freshTarget: (seed: number) => Model,
  pretrained: Uint8Array,
  cut: string,
  classes: number,
  config: TransferConfig,
): { model: Model; body?: Model } {
  if (method === 'scratch') return { model: freshTarget(config.seed + 1) };
  const body = fresh(config.seed);
  loadCheckpoint(body, pretrained, 'pretrained network');
  // The gradual way starts as the frozen one; its fit unfreezes the body.
  const model = newHead(body, cut, classes, method === 'gradual' ? 'frozen' : method, {
    bodyScale: config.bodyScale,
    seed: config.seed + 2,
    name: `${body.name}-${method}`,
  });
  return { model, body };
}

/**
 * A new dense head of `classes` outputs on `body`'s output at `cut`, with the body frozen,
 * or trainable ('finetune') at `bodyScale` (default 0.1) of the head's learning rate. The
 * body's layers are shared, so this also undoes an earlier head's freezing of them.
 */
export function newHead(
  body: Model,
  cut: string,
  classes: number,
  method: 'frozen' | 'finetune',
  options: { bodyScale?: number; seed?: number; name?: string } = {},
): Model {
  const model = withHead(body, cut, [new Dense({ units: classes, init: 'glorot' })], {
    name: options.name,
    seed: options.seed,
    freezeBody: method === 'frozen',
  });
  if (method === 'finetune') {
    const bodyLayers = model.layersUpTo(cut).map((l) => l.name);
    model.unfreeze(...bodyLayers).scaleLearningRate(options.bodyScale ?? 0.1, ...bodyLayers);
  }
  return model;
}

/**
 * Grey [1, h, w] images as RGB [3, size, size]: resized bilinearly (pixel centres, as
 * torch's interpolate with align_corners=False) and the grey copied to every channel.
 */
export function greyToRgb(d: Dataset, size: number): Dataset {
  const [, h, w] = d.shape;
  const images = new Float32Array(d.count * 3 * size * size);
  const plane = size * size;
  for (let n = 0; n < d.count; n++) {
    const src = d.images.subarray(n * h * w, (n + 1) * h * w);
    const out = images.subarray(n * 3 * plane, (n + 1) * 3 * plane);
    for (let y = 0; y < size; y++) {
      const fy = Math.min(Math.max(((y + 0.5) * h) / size - 0.5, 0), h - 1);
      const y0 = Math.floor(fy);
      const y1 = Math.min(y0 + 1, h - 1);
      for (let x = 0; x < size; x++) {
        const fx = Math.min(Math.max(((x + 0.5) * w) / size - 0.5, 0), w - 1);
        const x0 = Math.floor(fx);
        const x1 = Math.min(x0 + 1, w - 1);
        const top = src[y0 * w + x0] + (src[y0 * w + x1] - src[y0 * w + x0]) * (fx - x0);
        const bottom = src[y1 * w + x0] + (src[y1 * w + x1] - src[y1 * w + x0]) * (fx - x0);
        out[y * size + x] = top + (bottom - top) * (fy - y0);
      }
    }
    out.copyWithin(plane, 0, plane);
    out.copyWithin(2 * plane, 0, plane);
  }
  return { ...d, images, shape: [3, size, size] };
}
