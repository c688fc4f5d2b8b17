import type { WebGPUBackend } from '../backends/webgpu/webgpu_backend';
import type { ProgramStats } from '../graph/program';
import { checkDataset, fillBatch, shuffledIndices, type Dataset } from '../data/dataset';
import type { AugmentAttrs } from '../ops/augment';
import { formatShape, sizeOf } from '../shape';
import { compileEvalStep, compileTrainStep, type CompiledGraph } from './compile';
import { confusionMatrix, countCorrect } from './metrics';
import type { Model } from './model';
import { Optimizer, type OptimizerConfig } from './optimizers';

export interface TrainerOptions {
  optimizer: OptimizerConfig;
  batchSize?: number;
  /** Seeds the shuffling, the augmentation draws and (through the step counter) dropout. */
  seed?: number;
  /** GPU augmentation of every training batch (off when absent). */
  augment?: Partial<AugmentAttrs>;
  /** Steps enqueued ahead of the one whose loss is being read (default 2). */
  inFlight?: number;
}

export interface BatchReport {
  epoch: number;
  batch: number;
  batches: number;
  /** This batch's mean loss. */
  loss: number;
  /** Training accuracy so far this epoch. */
  accuracy: number;
  imagesPerSecond: number;
  etaSeconds: number;
  learningRate: number;
}

export interface EpochReport {
  epoch: number;
  loss: number;
  accuracy: number;
  testLoss?: number;
  testAccuracy?: number;
  seconds: number;
  imagesPerSecond: number;
}

export interface FitOptions {
  epochs: number;
  /** Evaluated after every epoch. */
  validation?: Dataset;
  onBatch?(report: BatchReport): void | Promise<void>;
  onEpoch?(report: EpochReport): void | Promise<void>;
  /**
   * Stops training between steps: the steps already queued finish (weights stay
   * consistent, nothing is left reading freed buffers) and fit rejects with an AbortError.
   */
  signal?: AbortSignal;
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  confusion: number[][];
  predictions: Uint8Array;
  count: number;
}

/** What one compiled training step costs, measured on the device counters. */
export interface StepStats {
  nodes: number;
  dispatchesPerStep: number;
  submitsPerStep: number;
  readbacksPerStep: number;
  /** Bytes of the step's intermediate buffers after liveness reuse, and without it. */
  workingBytes: number;
  unsharedBytes: number;
  /** Highest bytes of GPU buffers alive at once on the backend so far (weights, state, steps, pool). */
  peakBytes?: number;
}

/** Step counters as the compiled program predicts them (before any step has run). */
function planStats(s: ProgramStats): StepStats {
  return { nodes: s.nodes, dispatchesPerStep: s.dispatchesPerRun, submitsPerStep: s.submitsPerRun, readbacksPerStep: s.readbacksPerRun, workingBytes: s.workingBytes, unsharedBytes: s.unsharedBytes };
}

/**
 * Trains, evaluates and predicts with a built model. Each training step is one
 * compiled graph (one submit on WebGPU); its loss and predictions come back through
 * an asynchronous readback while the next steps are already queued.
 */
export class Trainer {
  readonly optimizer: Optimizer;
  readonly batchSize: number;
  private readonly seed: number;
  private trainStep: CompiledGraph | null = null;
  private trainKey = '';
  private readonly evalSteps = new Map<number, CompiledGraph>();
  private measured: StepStats | null = null;

  constructor(
    readonly model: Model,
    readonly options: TrainerOptions,
  ) {
    this.optimizer = new Optimizer(options.optimizer);
    this.batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) throw new Error(`trainer: batchSize must be a positive integer, got ${this.batchSize}`);
    this.seed = options.seed ?? 0;
  }

  private checkData(name: string, d: Dataset): void {
    if (formatShape(d.shape) !== formatShape(this.model.input.shape)) {
      throw new Error(`${name}: examples of shape ${formatShape(d.shape)} do not fit ${this.model.name}'s input ${formatShape(this.model.input.shape)}`);
    }
    checkDataset(name, d);
    const classes = this.model.output.shape[0];
    if (d.classes > classes) throw new Error(`${name}: ${d.classes} classes but ${this.model.name} outputs ${classes}`);
  }

  /** The compiled step, rebuilt when layers were frozen or unfrozen since. */
  private step(): CompiledGraph {
    const key = this.model.layers.map((l) => (l.frozen ? 1 : 0)).join('');
    if (!this.trainStep || key !== this.trainKey) {
      this.trainStep?.program.dispose();
      this.trainStep = compileTrainStep(this.model, this.optimizer, this.batchSize, this.options.augment ? { seed: this.seed, ...this.options.augment } : undefined);
      this.trainKey = key;
    }
    return this.trainStep;
  }

  private evalStep(batch: number): CompiledGraph {
    let g = this.evalSteps.get(batch);
    if (!g) this.evalSteps.set(batch, (g = compileEvalStep(this.model, batch)));
    return g;
  }

  /** Trains for `epochs` passes over `data` (the last partial batch of each epoch is dropped). */
  async fit(data: Dataset, options: FitOptions): Promise<EpochReport[]> {
    this.checkData('fit', data);
    if (options.validation) this.checkData('fit validation', options.validation);
    const batch = this.batchSize;
    const batches = Math.floor(data.count / batch);
    if (batches === 0) throw new Error(`fit: ${data.count} examples are fewer than one batch of ${batch}`);
    const step = this.step();
    const program = step.program;
    await program.autotune();
    const x = new Float32Array(batch * sizeOf(data.shape));
    const labels = new Float32Array(batch);
    const gpu = this.model.backend.name === 'webgpu' ? (this.model.backend as WebGPUBackend) : null;
    const reports: EpochReport[] = [];
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const order = shuffledIndices(data.count, (this.seed * 1000003 + epoch) >>> 0);
      const start = performance.now();
      const before = gpu?.stats();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      const pending: { values: Promise<Float32Array[]>; labels: Float32Array; index: number; lr: number }[] = [];
      const settle = async () => {
        const p = pending.shift()!;
        const [loss, predictions] = await p.values;
        lossSum += loss[0];
        correct += countCorrect(predictions, p.labels);
        seen += batch;
        const seconds = (performance.now() - start) / 1000;
        const done = p.index + 1;
        await options.onBatch?.({
          epoch: epoch + 1, batch: done, batches, loss: loss[0], accuracy: correct / seen,
          imagesPerSecond: seen / seconds, etaSeconds: (seconds / done) * (batches - done), learningRate: p.lr,
        });
      };
      for (let b = 0; b < batches; b++) {
        if (options.signal?.aborted) {
          await Promise.allSettled(pending.map((p) => p.values));
          throw new DOMException(`fit: stopped in epoch ${epoch + 1} after ${b} of ${batches} steps`, 'AbortError');
        }
        fillBatch(data, order, b * batch, x, labels);
        const lr = this.optimizer.learningRate();
        const values = program.run({ x, labels, step: Float32Array.of(this.optimizer.steps), hyper: this.optimizer.hyper() }, [step.loss, step.predictions]);
        this.optimizer.steps++;
        pending.push({ values, labels: labels.slice(), index: b, lr });
        if (pending.length > (this.options.inFlight ?? 2)) await settle();
      }
      while (pending.length > 0) await settle();
      const seconds = (performance.now() - start) / 1000;
      if (gpu && before) {
        const after = gpu.stats();
        this.measured = {
          ...planStats(program.stats),
          dispatchesPerStep: (after.dispatches - before.dispatches) / batches,
          submitsPerStep: (after.submits - before.submits) / batches,
          readbacksPerStep: (after.readbacks - before.readbacks) / batches,
          peakBytes: after.peakBytes,
        };
      }
      const report: EpochReport = { epoch: epoch + 1, loss: lossSum / batches, accuracy: correct / seen, seconds, imagesPerSecond: seen / seconds };
      if (options.validation) {
        const r = await this.evaluate(options.validation);
        report.testLoss = r.loss;
        report.testAccuracy = r.accuracy;
      }
      reports.push(report);
      await options.onEpoch?.(report);
    }
    return reports;
  }

  /** Loss, accuracy, confusion matrix and predictions over a whole dataset (inference mode). */
  async evaluate(data: Dataset): Promise<EvalResult> {
    this.checkData('evaluate', data);
    const { loss, predictions } = await this.run(data.images, data.count, data.labels);
    const classes = this.model.output.shape[0];
    return { loss, accuracy: countCorrect(predictions, data.labels) / data.count, confusion: confusionMatrix(predictions, data.labels, classes), predictions, count: data.count };
  }

  /** Class probabilities [count, classes] and arg-max predictions for a batch of images. */
  async predict(images: Float32Array): Promise<{ probabilities: Float32Array; predictions: Uint8Array }> {
    const per = sizeOf(this.model.input.shape);
    if (images.length % per !== 0 || images.length === 0) {
      throw new Error(`predict: ${images.length} values are not a whole number of ${formatShape(this.model.input.shape)} images`);
    }
    const { probabilities, predictions } = await this.run(images, images.length / per, new Uint8Array(images.length / per));
    return { probabilities, predictions };
  }

  private async run(images: Float32Array, count: number, labelsIn: Uint8Array) {
    const per = sizeOf(this.model.input.shape);
    const classes = this.model.output.shape[0];
    const probabilities = new Float32Array(count * classes);
    const predictions = new Uint8Array(count);
    let lossSum = 0;
    const pending: { values: Promise<Float32Array[]>; start: number; size: number }[] = [];
    const settle = async () => {
      const p = pending.shift()!;
      const [loss, preds, probs] = await p.values;
      lossSum += loss[0] * p.size;
      predictions.set(preds, p.start);
      probabilities.set(probs, p.start * classes);
    };
    for (let start = 0; start < count; start += this.batchSize) {
      const size = Math.min(this.batchSize, count - start);
      const g = this.evalStep(size);
      await g.program.autotune();
      const x = images.subarray(start * per, (start + size) * per);
      const labels = Float32Array.from(labelsIn.subarray(start, start + size));
      pending.push({ values: g.program.run({ x, labels }, [g.loss, g.predictions, g.probabilities!]), start, size });
      if (pending.length > 2) await settle();
    }
    while (pending.length > 0) await settle();
    return { loss: lossSum / count, probabilities, predictions };
  }

  /** Counters of the training step: from the last epoch on WebGPU, else from the plan. */
  stepStats(): StepStats {
    return this.measured ?? planStats(this.step().program.stats);
  }

  dispose(): void {
    this.trainStep?.program.dispose();
    this.trainStep = null;
    for (const g of this.evalSteps.values()) g.program.dispose();
    this.evalSteps.clear();
    this.optimizer.dispose();
  }
}
