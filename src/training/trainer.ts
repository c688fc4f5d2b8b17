import type { ProgramStats } from '../graph/program';
import { checkDataset, fillBatch, shuffledIndices, type Dataset } from '../data/dataset';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint';
import type { AugmentAttrs } from '../ops/augment';
import { formatShape, sizeOf } from '../shape';
import { checkL2, compileEvalStep, compileTrainStep, type CompiledGraph } from './compile';
import type { CallbackHost, FitCallback } from './callbacks';
import {
  checkLoss,
  checkTargets,
  crossEntropyTargets,
  fillTargets,
  learnsLabels,
  scoreBatch,
  SOFTMAX_CROSS_ENTROPY,
  targetShape,
  type LossConfig,
} from './losses';
import { ignoreLabelOf, pixelArgmax, pixelMajorityShare, pixelTargets } from './pixel_loss';
import { segmentationScores } from './segmentation_metrics';
import { confusionMatrix, countCorrect } from './metrics';
import type { Model } from '../nn/model';
import { LastGood } from './last_good';
import { Optimizer, type OptimizerConfig } from './optimizers';
import {
  checkDivergenceOptions,
  describeFinding,
  Diverged,
  DivergenceWatch,
  majorityShare,
  type DivergenceOptions,
  type DivergenceWarning,
} from './divergence';
import { DivergenceError, epochOrderSeed, startOfTraining } from './training_progress';
import type { TrainingProgress } from '../io/checkpoint_metadata';
import type { BatchReport, EpochReport, EvalResult, StepStats } from './reports';
import { checkCrops, evalViews, type EvalOptions, type EvalViews, type TrainerPredictOptions } from './test_time';
import type { Shape } from '../shape';

export interface TrainerOptions {
  optimizer: OptimizerConfig;
  batchSize?: number;
  /** Seeds the shuffling, the augmentation draws and (through the step counter) dropout. */
  seed?: number;
  /**
   * GPU augmentation of every training batch (off when absent). Its output size is the
   * model's input: images larger than that are cut to it (a random window, or the
   * random resized crop with `cropScale`), so `augment: {}` trains on random crops.
   */
  augment?: Partial<AugmentAttrs>;
  /** Steps enqueued ahead of the one whose loss is being read (default 2). */
  inFlight?: number;
  /**
   * What training minimises (losses.ts; default softmax cross-entropy on class labels):
   * cross-entropy with label smoothing and class weights, binary cross-entropy on logits,
   * mse or l1, the last three against the dataset's per-value targets.
   */
  loss?: LossConfig;
  /**
   * An L2 penalty as a term of the loss: λ/2 Σ w² over every trainable parameter is added
   * to each training step's loss (and so to the losses reported; evaluate's loss is the
   * data's alone). Its gradient λw is SGD's coupled weightDecay; AdamW's decoupled decay
   * is the optimizer's weightDecay, outside the loss. Default 0.
   */
  l2?: number;
  /** False turns the model's dropout layers off in training steps (default true): training without regularisation. */
  dropout?: boolean;
}

export interface FitOptions {
  /**
   * Epochs to train, counted from where the trainer stands: a trainer in the middle of
   * an epoch (aborted, or loaded from a mid-epoch checkpoint) first finishes that epoch,
   * which counts as the first. Each epoch's data order depends on (seed, epoch) alone.
   * With `timeBudgetMs` it is an upper bound and may be left out (no bound).
   */
  epochs?: number;
  /**
   * Trains until this many milliseconds have passed since the first step's loss came back
   * (the time of the steps, the validation and the callbacks alike; not compiling the
   * step before it): then no further step is queued, the
   * queued ones finish, and the epoch stopped in gets its report (`stoppedByBudget`; its
   * figures over the steps it ran, and its validation) and onEpoch, then onCheckpoint;
   * fit resolves. The callbacks' onEpochEnd is not called for such a part of an epoch.
   * The trainer then stands mid-epoch, where a later fit (or a checkpoint saved then)
   * continues. At least one step runs.
   */
  timeBudgetMs?: number;
  /** Evaluated after every epoch. */
  validation?: Dataset;
  /** How the validation set is evaluated: test-time augmentation (see Trainer.evaluate). */
  evaluation?: EvalOptions;
  onBatch?(report: BatchReport): void | Promise<void>;
  onEpoch?(report: EpochReport): void | Promise<void>;
  /**
   * Stops training between steps: the steps already queued finish and are reported
   * (weights stay consistent, nothing is left reading freed buffers), the trainer's
   * progress counts them, and fit rejects with an AbortError. A checkpoint saved then
   * (`trainer.saveCheckpoint()`) resumes exactly there.
   */
  signal?: AbortSignal;
  /**
   * What a NaN or infinite loss does (checked on the losses already read back; no extra
   * sync). 'stop' (default): no further step is queued, the weights are put back to the
   * last good copy (see keepLastGood), and fit rejects with a DivergenceError naming the
   * step and the learning rate. 'continue': training carries on; such steps are left
   * out of the epoch's mean loss and counted in `nonFiniteSteps`.
   */
  onNonFinite?: 'stop' | 'continue';
  /**
   * The rules beyond NaN that count as divergence: a loss above a multiple of its lowest
   * (default 1e3), an epoch after the first at chance accuracy (default on). See
   * divergence.ts.
   */
  divergence?: DivergenceOptions;
  /**
   * What those rules do when they fire. 'stop' (default): as a NaN loss does, the weights
   * go back to the last good copy and fit rejects with a DivergenceError whose `rule`
   * names the rule. 'warn': training carries on and the epoch's report lists the warning.
   */
  onDiverge?: 'stop' | 'warn';
  /**
   * With onNonFinite or onDiverge 'stop': keep a copy of the weights, running statistics and
   * optimizer state on the device, taken at the start of every epoch and at every
   * checkpoint, to restore on divergence (default true; it costs one more copy of them).
   */
  keepLastGood?: boolean;
  /** Also call onCheckpoint every this many steps within an epoch (after the queued steps finish). */
  checkpointEvery?: number;
  /**
   * Called where no step is in flight and every loss so far was finite: after each
   * epoch (after onEpoch) and every `checkpointEvery` steps. `trainer.saveCheckpoint()`
   * inside it saves a checkpoint that resumes at exactly this point.
   */
  onCheckpoint?(progress: TrainingProgress): void | Promise<void>;
  /**
   * Early stopping, best-epoch checkpoints, learning-rate reduction, unfreezing schedules
   * (callbacks.ts), or your own: called between epochs where no step is in flight, after
   * onEpoch and before onCheckpoint.
   */
  callbacks?: readonly FitCallback[];
}

/** Step counters as the compiled program predicts them (before any step has run). */
function planStats(s: ProgramStats): StepStats {
  return {
    nodes: s.nodes,
    dispatchesPerStep: s.dispatchesPerRun,
    submitsPerStep: s.submitsPerRun,
    readbacksPerStep: s.readbacksPerRun,
    workingBytes: s.workingBytes,
    unsharedBytes: s.unsharedBytes,
  };
}

/** One queued training step whose loss and predictions are on their way back. */
interface PendingStep {
  values: Promise<Float32Array[]>;
  labels: Float32Array;
  /** The batch's per-value targets (losses of targets), for its accuracy. */
  targets: Float32Array | null;
  /** 0-based step of the optimizer and 0-based batch of the epoch. */
  step: number;
  batch: number;
  lr: number;
}

/**
 * Trains, evaluates and predicts with a built model. Each training step is one
 * compiled graph (one submit on WebGPU); its loss and predictions come back through
 * an asynchronous readback while the next steps are already queued.
 *
 * A trainer binds the weights its model had when it first compiled: rebuilding or
 * disposing the model afterwards makes every call throw (make a new Trainer), so it
 * never writes through freed storage. While `fit` runs, the model cannot be rebuilt,
 * disposed or loaded into, and a second `fit` throws.
 */
export class Trainer implements CallbackHost {
  readonly optimizer: Optimizer;
  readonly batchSize: number;
  private readonly seed: number;
  private trainStep: CompiledGraph | null = null;
  private trainKey = '';
  /** Compiled inference steps by batch size and views (evalStepKey). */
  private readonly evalSteps = new Map<string, CompiledGraph>();
  private measured: StepStats | null = null;
  /** The model generation the compiled steps and optimizer state belong to. */
  private generation: number;
  private fitting = false;
  private position: TrainingProgress = startOfTraining();

  readonly model: Model;
  readonly options: TrainerOptions;
  readonly loss: LossConfig;
  constructor(model: Model, options: TrainerOptions) {
    this.model = model;
    this.options = options;
    this.optimizer = new Optimizer(options.optimizer);
    this.batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) throw new Error(`trainer: batchSize must be a positive integer, got ${this.batchSize}`);
    const inFlight = options.inFlight ?? 2;
    if (!Number.isInteger(inFlight) || inFlight < 0) throw new Error(`trainer: inFlight must be a non-negative integer, got ${inFlight}`);
    this.seed = options.seed ?? 0;
    this.generation = model.generation;
    this.loss = options.loss ?? SOFTMAX_CROSS_ENTROPY;
    checkLoss(this.loss, model.name, model.output.shape);
    checkL2(options.l2);
  }

  /** Output values one example's accuracy counts (1 for class labels, every value for binary cross-entropy, 0 for regression). */
  private get scoredPerExample(): number {
    if (learnsLabels(this.loss)) return 1;
    if (this.loss.kind === 'pixel-cross-entropy') return sizeOf(this.model.output.shape.slice(1));
    return this.loss.kind === 'binary-cross-entropy' ? sizeOf(this.model.output.shape) : 0;
  }

  /** Where training stands: epochs completed, steps into the current epoch (a copy). */
  get progress(): TrainingProgress {
    return { ...this.position };
  }

  /**
   * Throws unless the model still has the weights this trainer compiled against. A
   * trainer that has compiled nothing and holds no optimizer state simply adopts a
   * rebuilt model.
   */
  private checkModel(op: string): void {
    if (!this.model.isBuilt) throw new Error(`${op}: ${this.model.name} was disposed (or never built); build it and make a new Trainer for it`);
    if (this.model.generation === this.generation) return;
    if (this.trainStep || this.evalSteps.size > 0 || this.optimizer.namedState().length > 0) {
      throw new Error(
        `${op}: ${this.model.name} was rebuilt after this trainer compiled its steps; they and the optimizer state belong to the old weights, which are gone. Make a new Trainer for the rebuilt model`,
      );
    }
    this.generation = this.model.generation;
  }

  /** With `crops`, images other than the model's input size are allowed when `how` cuts them to it from the image padded by `padding`. */
  private checkData(name: string, d: Dataset, crops: { padding: number; how: string } | null = null): void {
    if (formatShape(d.shape) !== formatShape(this.model.input.shape)) {
      if (crops === null)
        throw new Error(`${name}: examples of shape ${formatShape(d.shape)} do not fit ${this.model.name}'s input ${formatShape(this.model.input.shape)}`);
      checkCrops(name, d.shape, this.model.input.shape, crops.padding, crops.how);
      if (!learnsLabels(this.loss))
        throw new Error(`${name}: images larger than the model's input are cropped, but this trainer's ${this.loss.kind} targets would not be`);
    }
    checkDataset(name, d);
    if (d.count === 0) throw new Error(`${name}: the dataset is empty (0 examples)`);
    if (!learnsLabels(this.loss)) {
      checkTargets(this.loss, name, d, this.model.output.shape);
      return;
    }
    if (d.labels.length !== d.count)
      throw new Error(`${name}: ${d.labels.length} labels for ${d.count} examples (cross-entropy learns a class label per example)`);
    const classes = this.model.output.shape[0];
    if (d.classes > classes) throw new Error(`${name}: ${d.classes} classes but ${this.model.name} outputs ${classes}`);
  }

  /** What the compiled step depends on besides the weights: which layers are frozen, and their learning-rate scales. */
  private frozenKey(): string {
    return this.model.layers.map((l) => `${l.frozen ? 1 : 0}${l.lrScale}`).join(',');
  }

  /** The augmentation of the training step: the trainer's seed, the options, and the model's input size as its output. */
  private augmentation(): Partial<AugmentAttrs> | undefined {
    const a = this.options.augment;
    if (!a) return undefined;
    const input = this.model.input.shape;
    return input.length === 3 ? { seed: this.seed, ...a, outputHeight: input[1], outputWidth: input[2] } : { seed: this.seed, ...a };
  }

  /** What the compiled step for images of `imageShape` depends on: the frozen layers and the images' shape. */
  private stepKey(imageShape: Shape): string {
    return `${this.frozenKey()}|${formatShape(imageShape)}`;
  }

  /** The compiled step for images of `imageShape`, rebuilt when layers were frozen or unfrozen since (or the images' shape changed). */
  private step(imageShape: Shape = this.model.input.shape): CompiledGraph {
    const key = this.stepKey(imageShape);
    if (!this.trainStep || key !== this.trainKey) {
      this.trainStep?.program.dispose();
      this.trainStep = null;
      this.trainStep = compileTrainStep(this.model, this.optimizer, this.batchSize, this.augmentation(), this.loss, imageShape, {
        l2: this.options.l2,
        dropout: this.options.dropout,
      });
      this.trainKey = key;
    }
    return this.trainStep;
  }

  private evalStep(batch: number, views: EvalViews | null): CompiledGraph {
    const key = views ? `${batch}|${formatShape(views.imageShape)}|${views.padding}|${views.views}` : `${batch}`;
    let g = this.evalSteps.get(key);
    if (!g) this.evalSteps.set(key, (g = compileEvalStep(this.model, batch, this.loss, views)));
    return g;
  }

  /**
   * Trains for `epochs` passes over `data` from where the trainer stands (the last
   * partial batch of each epoch is dropped). See FitOptions for aborting, divergence
   * and checkpoints.
   */
  async fit(data: Dataset, options: FitOptions): Promise<EpochReport[]> {
    if (this.fitting)
      throw new Error(
        `fit: this trainer is already fitting (epoch ${this.position.epoch + 1}, step ${this.position.batch}); await that fit, or stop it with its AbortSignal, first`,
      );
    this.checkModel('fit');
    const augment = this.options.augment;
    this.checkData('fit', data, augment ? { padding: augment.cropScale?.[1] ? Infinity : (augment.padding ?? 0), how: 'augment (random crops)' } : null);
    if (options.validation) {
      this.checkData('fit validation', options.validation, { padding: options.evaluation?.padding ?? 0, how: 'a centre crop' });
      evalViews('fit validation', options.evaluation ?? {}, this.model.input.shape, options.validation.shape, learnsLabels(this.loss));
    }
    if (options.timeBudgetMs !== undefined && !(options.timeBudgetMs > 0))
      throw new Error(`fit: timeBudgetMs must be a positive number of milliseconds, got ${options.timeBudgetMs}`);
    if (options.epochs === undefined ? options.timeBudgetMs === undefined : !Number.isInteger(options.epochs) || options.epochs <= 0)
      throw new Error(`fit: epochs must be a positive integer${options.timeBudgetMs === undefined ? ' (or give timeBudgetMs)' : ''}, got ${options.epochs}`);
    checkDivergenceOptions(options.divergence);
    if (options.onDiverge !== undefined && options.onDiverge !== 'stop' && options.onDiverge !== 'warn')
      throw new Error(`fit: onDiverge must be 'stop' or 'warn', got ${String(options.onDiverge)}`);
    if (options.checkpointEvery !== undefined && (!Number.isInteger(options.checkpointEvery) || options.checkpointEvery <= 0)) {
      throw new Error(`fit: checkpointEvery must be a positive integer of steps, got ${options.checkpointEvery}`);
    }
    const batches = Math.floor(data.count / this.batchSize);
    if (batches === 0) throw new Error(`fit: ${data.count} examples are fewer than one batch of ${this.batchSize}`);
    if (this.position.batch > batches) {
      throw new Error(
        `fit: the trainer stands at step ${this.position.batch} of epoch ${this.position.epoch + 1}, but this dataset has only ${batches} steps of ${this.batchSize} per epoch (a different dataset or batch size than the checkpoint's?)`,
      );
    }
    this.fitting = true;
    this.model.hold('a running fit');
    let reports: EpochReport[];
    try {
      reports = await this.fitEpochs(data, batches, options);
    } finally {
      this.fitting = false;
      this.model.release();
    }
    // After the fit lets go of the model: early stopping may put the best weights back.
    for (const c of options.callbacks ?? []) await c.onFitEnd?.(reports, this);
    return reports;
  }

  /** Writes a checkpoint's weights and running statistics back (early stopping's best epoch); the optimizer and progress stay. */
  restoreWeights(bytes: Uint8Array): void {
    this.checkModel('restoreWeights');
    loadCheckpoint(this.model, bytes, 'saved weights');
  }

  private async fitEpochs(data: Dataset, batches: number, options: FitOptions): Promise<EpochReport[]> {
    // The time budget's clock starts when the first step's loss is back: compiling the step
    // and creating its pipelines (seconds on a CPU adapter under load) are not training.
    let deadline = Infinity;
    let stepsRun = 0;
    const batch = this.batchSize;
    const x = new Float32Array(batch * sizeOf(data.shape));
    const labels = new Float32Array(batch);
    const tShape = targetShape(this.loss, this.model.output.shape, batch);
    const targets = tShape ? new Float32Array(sizeOf(tShape)) : null;
    const scored = this.scoredPerExample;
    // Device counters and a lost device, where the backend has them (WebGPU).
    const device = this.model.backend;
    const stopOnNonFinite = (options.onNonFinite ?? 'stop') === 'stop';
    const stopOnDiverge = (options.onDiverge ?? 'stop') === 'stop';
    const lastGood = (stopOnNonFinite || stopOnDiverge) && (options.keepLastGood ?? true) ? new LastGood(this.model, this.optimizer) : null;
    // The share to beat: always guessing the most common class (of the examples, or of the labelled pixels).
    const chance = learnsLabels(this.loss)
      ? majorityShare(data.labels, data.classes)
      : this.loss.kind === 'pixel-cross-entropy'
        ? pixelMajorityShare(data.targets!, this.model.output.shape[0], ignoreLabelOf(this.loss))
        : null;
    const watch = new DivergenceWatch(options.divergence, chance);
    let warnings: DivergenceWarning[] = [];
    const warn = (f: Diverged) => {
      if (!warnings.some((w) => w.rule === f.finding.rule))
        warnings.push({ rule: f.finding.rule, step: f.finding.step, epoch: f.finding.epoch, message: f.message });
    };
    const reports: EpochReport[] = [];
    const endEpoch = this.position.epoch + (options.epochs ?? Infinity);
    const pending: PendingStep[] = [];
    let epochStart = 0;
    /** Device work of callbacks and checkpoints this epoch, kept out of the per-step counters. */
    let aside = { dispatches: 0, submits: 0, readbacks: 0 };
    const outside = async (fn: () => void | Promise<void>) => {
      const s0 = device.stats?.();
      try {
        await fn();
      } finally {
        device.flush?.(); // eager work of fn goes now, not with the next step
        const s1 = device.stats?.();
        if (s0 && s1) {
          aside = {
            dispatches: aside.dispatches + s1.dispatches - s0.dispatches,
            submits: aside.submits + s1.submits - s0.submits,
            readbacks: aside.readbacks + s1.readbacks - s0.readbacks,
          };
        }
      }
    };

    const settle = async () => {
      const p = pending.shift()!;
      const [loss, predictions] = await p.values;
      if (deadline === Infinity && options.timeBudgetMs !== undefined) deadline = performance.now() + options.timeBudgetMs;
      const at = this.position;
      const finite = Number.isFinite(loss[0]);
      const done = p.batch + 1;
      const exploded = finite ? watch.step(loss[0], { step: p.step, epoch: at.epoch + 1, batch: done }) : null;
      if (finite) {
        at.lossSum += loss[0];
        if (!exploded) lastGood?.confirm(p.step);
      } else at.nonFinite++;
      at.correct += scoreBatch(this.loss, predictions, p.labels, p.targets, this.model.output.shape);
      at.seen += batch;
      const seconds = at.seconds + (performance.now() - epochStart) / 1000;
      const report: BatchReport = {
        epoch: at.epoch + 1,
        batch: done,
        batches,
        loss: loss[0],
        accuracy: at.correct / (at.seen * scored),
        imagesPerSecond: at.seen / seconds,
        etaSeconds: (seconds / at.seen) * batch * (batches - done),
        learningRate: p.lr,
      };
      if (options.onBatch) await outside(() => options.onBatch!(report));
      if (!finite && stopOnNonFinite)
        throw new Diverged({ rule: 'non-finite', step: p.step, epoch: at.epoch + 1, batch: done, loss: loss[0], detail: '' }, p.lr);
      if (exploded) {
        const d = new Diverged(exploded, p.lr);
        if (stopOnDiverge) throw d;
        warn(d);
      }
    };
    const drain = async () => {
      while (pending.length > 0) await settle();
    };
    /** Where no step is in flight: copy the weights for divergence, then let the caller checkpoint them. */
    const checkpoint = () =>
      outside(async () => {
        lastGood?.take(this.position);
        await options.onCheckpoint?.(this.progress);
      });

    try {
      while (this.position.epoch < endEpoch) {
        const epoch = this.position.epoch;
        for (const c of options.callbacks ?? []) await outside(() => c.onEpochBegin?.(epoch + 1, this));
        const order = shuffledIndices(data.count, epochOrderSeed(this.seed, epoch));
        let step = this.step(data.shape);
        await step.program.autotune();
        // What fit starts from is trusted; later copies are taken at checkpoints.
        if (reports.length === 0) lastGood?.take(this.position, true);
        device.flush?.(); // copies go in their own submit, not counted as the steps'
        const before = device.stats?.();
        aside = { dispatches: 0, submits: 0, readbacks: 0 };
        warnings = [];
        const firstBatch = this.position.batch;
        epochStart = performance.now();
        for (let b = firstBatch; b < batches; b++) {
          if (stepsRun > 0 && performance.now() >= deadline) break; // the time budget is spent
          if (options.signal?.aborted) {
            await drain();
            this.position.seconds += (performance.now() - epochStart) / 1000;
            throw new DOMException(
              `fit: stopped in epoch ${epoch + 1} after ${b} of ${batches} steps (the trainer's progress and a checkpoint saved now resume there)`,
              'AbortError',
            );
          }
          if (this.stepKey(data.shape) !== this.trainKey) {
            // A callback froze or unfroze layers: finish the queued steps, then compile the new step.
            await drain();
            step = this.step(data.shape);
            await step.program.autotune();
          }
          fillBatch(data, order, b * batch, x, labels);
          if (targets) fillTargets(this.loss, data, order, b * batch, labels, targets);
          const lr = this.optimizer.learningRate();
          const feeds = { x, labels, step: Float32Array.of(this.optimizer.steps), hyper: this.optimizer.hyper(), ...(targets ? { targets } : {}) };
          const values = step.program.run(feeds, [step.loss, step.predictions]);
          pending.push({
            values,
            labels: labels.slice(),
            targets: learnsLabels(this.loss) ? null : targets!.slice(),
            step: this.optimizer.steps,
            batch: b,
            lr,
          });
          this.optimizer.steps++;
          stepsRun++;
          this.position.batch = b + 1;
          if (pending.length > (this.options.inFlight ?? 2)) await settle();
          if (options.checkpointEvery && (b + 1) % options.checkpointEvery === 0 && b + 1 < batches) {
            await drain();
            this.position.seconds += (performance.now() - epochStart) / 1000;
            await checkpoint();
            epochStart = performance.now(); // checkpoint time is not training time
          }
        }
        await drain();
        const at = this.position;
        const seconds = at.seconds + (performance.now() - epochStart) / 1000;
        const after = device.stats?.();
        const ran = at.batch - firstBatch;
        if (before && after && ran > 0) {
          this.measured = {
            ...planStats(step.program.stats),
            dispatchesPerStep: (after.dispatches - before.dispatches - aside.dispatches) / ran,
            submitsPerStep: (after.submits - before.submits - aside.submits) / ran,
            readbacksPerStep: (after.readbacks - before.readbacks - aside.readbacks) / ran,
            peakBytes: after.peakBytes,
          };
        }
        // Steps run in this epoch: all of them, or up to where the time budget ran out.
        const partial = at.batch < batches;
        const finiteSteps = at.batch - at.nonFinite;
        const report: EpochReport = {
          epoch: epoch + 1,
          loss: finiteSteps > 0 ? at.lossSum / finiteSteps : NaN,
          accuracy: at.correct / (at.seen * scored),
          seconds,
          imagesPerSecond: at.seen / seconds,
        };
        if (at.nonFinite > 0) report.nonFiniteSteps = at.nonFinite;
        // Stopped by the time budget mid-epoch: the trainer stays there, to continue later.
        if (partial) {
          report.stoppedByBudget = true;
          at.seconds = seconds;
        } else this.position = { ...startOfTraining(), epoch: epoch + 1 };
        if (options.validation) {
          const r = await this.evaluate(options.validation, options.evaluation);
          report.testLoss = r.loss;
          report.testAccuracy = r.accuracy;
        }
        const atChance = partial ? null : watch.epoch(epoch + 1, report.accuracy, report.loss, this.optimizer.steps - 1, batches, batches * batch);
        if (atChance) {
          const d = new Diverged(atChance, this.optimizer.learningRate());
          if (stopOnDiverge) {
            reports.push(report);
            throw d;
          }
          warn(d);
        }
        if (warnings.length > 0) report.warnings = warnings;
        reports.push(report);
        await options.onEpoch?.(report);
        let stop = false;
        for (const c of partial ? [] : (options.callbacks ?? [])) {
          await outside(async () => {
            if ((await c.onEpochEnd?.(report, this)) === 'stop') stop = true;
          });
        }
        await checkpoint();
        if (stop) {
          report.stoppedEarly = true;
          break;
        }
        if (partial || performance.now() >= deadline) {
          report.stoppedByBudget = true;
          break;
        }
      }
      return reports;
    } catch (e) {
      // Let every queued step finish, so no readback rejects unobserved and nothing
      // still runs when the caller restores, loads or disposes.
      await Promise.allSettled(pending.map((p) => p.values));
      pending.length = 0;
      if (e instanceof Diverged) throw this.diverged(e, lastGood, reports);
      if (device.lostInfo) {
        throw new Error(`fit (epoch ${this.position.epoch + 1}, step ${this.position.batch}): ${(e as Error).message}`);
      }
      throw e;
    } finally {
      lastGood?.dispose();
    }
  }

  /** Puts the last good copy back and describes what happened. */
  private diverged(e: Diverged, lastGood: LastGood | null, reports: EpochReport[]): DivergenceError {
    const f = e.finding;
    const restored = lastGood?.restore() ?? null;
    if (restored) this.position = restored.progress;
    const where = restored ? `step ${restored.steps} (epoch ${restored.progress.epoch + 1}, after ${restored.progress.batch} of its steps)` : '';
    const good = f.rule === 'non-finite' ? 'the last with every loss finite' : 'the last before training diverged';
    const advice = {
      'non-finite': "Lower the learning rate (or add warm-up), or pass onNonFinite: 'continue' to carry on.",
      'loss-explosion':
        "Lower the learning rate (or add warm-up); divergence: { lossFactor } sets the rule ('off' turns it off), and onDiverge: 'warn' only warns.",
      'chance-accuracy':
        "Check the labels and the learning rate (too high collapses every prediction into one class); divergence: { chanceAccuracy: false } turns the rule off, and onDiverge: 'warn' only warns.",
    }[f.rule];
    const message =
      `fit: ${describeFinding(f, e.learningRate)}; training stopped. ` +
      (restored
        ? `The weights, running statistics and optimizer state are back to those before ${where}, ${good}. `
        : 'The weights were left as they are (keepLastGood was off) and may hold NaN. ') +
      advice;
    return new DivergenceError(message, f.step, f.epoch, f.batch, e.learningRate, f.loss, restored?.progress ?? null, reports, f.rule);
  }

  /**
   * Loss, accuracy, confusion matrix and predictions over a whole dataset (inference mode).
   * Images larger than the model's input are centre-cropped to it; with `tta` each is
   * seen as several crops (ten: corners, centre and their mirrors) whose softmax outputs
   * are averaged, and the loss is the cross-entropy of that mean (EvalOptions).
   */
  async evaluate(data: Dataset, options: EvalOptions = {}): Promise<EvalResult> {
    this.checkModel('evaluate');
    this.checkData('evaluate', data, { padding: options.padding ?? 0, how: 'a centre crop' });
    const views = evalViews('evaluate', options, this.model.input.shape, data.shape, learnsLabels(this.loss));
    const { loss, predictions, probabilities, correct, pixels } = await this.run(data, views);
    if (this.loss.kind === 'pixel-cross-entropy' && pixels) {
      const scores = segmentationScores(pixels, data.targets!, this.model.output.shape[0], ignoreLabelOf(this.loss));
      return {
        loss,
        accuracy: scores.pixelAccuracy,
        confusion: [],
        predictions,
        probabilities,
        count: data.count,
        segmentation: { ...scores, predictions: pixels },
      };
    }
    if (!learnsLabels(this.loss))
      return { loss, accuracy: correct / (data.count * this.scoredPerExample), confusion: [], predictions, probabilities, count: data.count };
    const classes = this.model.output.shape[0];
    return {
      loss,
      accuracy: countCorrect(predictions, data.labels) / data.count,
      confusion: confusionMatrix(predictions, data.labels, classes),
      predictions,
      probabilities,
      count: data.count,
    };
  }

  /**
   * Class probabilities [count, classes] and arg-max predictions for a batch of images
   * (of `options.imageShape`, default the model's input), with evaluate's crops and
   * test-time augmentation.
   */
  async predict(images: Float32Array, options: TrainerPredictOptions = {}): Promise<{ probabilities: Float32Array; predictions: Uint8Array }> {
    this.checkModel('predict');
    if (!learnsLabels(this.loss))
      throw new Error(`predict: this trainer's ${this.loss.kind} loss has no classes to predict; model.predict(images) gives the outputs`);
    const shape = options.imageShape ?? this.model.input.shape;
    const per = sizeOf(shape);
    if (images.length % per !== 0 || images.length === 0) {
      throw new Error(`predict: ${images.length} values are not a whole number of ${formatShape(shape)} images`);
    }
    const views = evalViews('predict', options, this.model.input.shape, shape, true);
    const count = images.length / per;
    const { probabilities, predictions } = await this.run({ images, labels: new Uint8Array(count), count, shape }, views);
    return { probabilities, predictions };
  }

  /**
   * Inference over `data` batch by batch: the mean loss, and for a loss of labels the
   * arg-max predictions and class probabilities, else the correct output values (scoreBatch).
   */
  private async run(data: Pick<Dataset, 'images' | 'labels' | 'count' | 'targets' | 'shape'>, views: EvalViews | null) {
    const { images, count } = data;
    const per = sizeOf(data.shape);
    const outPer = sizeOf(this.model.output.shape);
    const labelled = learnsLabels(this.loss);
    const classes = this.model.output.shape[0];
    const probabilities = new Float32Array(labelled ? count * classes : 0);
    const predictions = new Uint8Array(labelled ? count : 0);
    // Pixel cross-entropy: every example's arg-max label map.
    const mapSize = this.loss.kind === 'pixel-cross-entropy' ? sizeOf(this.model.output.shape.slice(1)) : 0;
    const pixels = mapSize > 0 ? new Uint8Array(count * mapSize) : null;
    let lossSum = 0;
    let correct = 0;
    const pending: { values: Promise<Float32Array[]>; start: number; size: number; targets: Float32Array | null }[] = [];
    const settle = async () => {
      const p = pending.shift()!;
      const [loss, outputs, probs] = await p.values;
      lossSum += loss[0] * p.size;
      if (labelled) {
        predictions.set(outputs, p.start);
        probabilities.set(probs, p.start * classes);
      } else correct += scoreBatch(this.loss, outputs, [], p.targets, this.model.output.shape);
      if (pixels) pixelArgmax(outputs, this.model.output.shape, pixels, p.start * mapSize);
    };
    try {
      // Each image runs as `views` crops: a step takes as many crops as a batch of images would.
      const stepImages = Math.max(1, Math.floor(this.batchSize / (views?.views ?? 1)));
      for (let start = 0; start < count; start += stepImages) {
        const size = Math.min(stepImages, count - start);
        const g = this.evalStep(size, views);
        await g.program.autotune();
        const x = images.subarray(start * per, (start + size) * per);
        const labels = labelled ? Float32Array.from(data.labels.subarray(start, start + size)) : new Float32Array(size);
        // Per-value targets in dataset order, or weighted or smoothed cross-entropy's coefficients of the labels.
        const targets = !targetShape(this.loss, this.model.output.shape, size)
          ? null
          : this.loss.kind === 'softmax-cross-entropy'
            ? crossEntropyTargets(this.loss, labels, new Float32Array(size * classes))
            : this.loss.kind === 'pixel-cross-entropy'
              ? pixelTargets(this.loss, data.targets!, count, null, start, size, this.model.output.shape, new Float32Array(size * outPer))
              : data.targets!.subarray(start * outPer, (start + size) * outPer);
        const reads = labelled ? [g.loss, g.predictions, g.probabilities!] : [g.loss, g.predictions];
        pending.push({ values: g.program.run({ x, labels, ...(targets ? { targets } : {}) }, reads), start, size, targets });
        if (pending.length > 2) await settle();
      }
      while (pending.length > 0) await settle();
    } catch (e) {
      await Promise.allSettled(pending.map((p) => p.values));
      throw e;
    }
    return { loss: lossSum / count, probabilities, predictions, correct, pixels };
  }

  /**
   * A checkpoint of the model, the optimizer state and this trainer's progress (epoch,
   * step, the epoch's running sums): loaded into a new trainer with `loadCheckpoint`,
   * fit continues exactly where this one stands. Inside a running fit, call it from
   * onCheckpoint (where no step is in flight).
   */
  saveCheckpoint(metadata: Record<string, string> = {}): Promise<Uint8Array> {
    this.checkModel('saveCheckpoint');
    // Optimizer state is created with the first compiled step; a checkpoint before any step has none yet.
    for (const p of this.model.trainableParams()) this.optimizer.stateFor(p, this.model.backend);
    return saveCheckpoint(this.model, this.optimizer, { progress: this.position, metadata });
  }

  /**
   * Loads a checkpoint (weights, running statistics, optimizer state and, when the file
   * has it, the trainer's progress). Every tensor and metadata field is checked before
   * anything is written. Returns the file's metadata.
   */
  loadCheckpoint(bytes: Uint8Array, file: string): Record<string, string> {
    if (this.fitting) throw new Error(`loadCheckpoint: this trainer is fitting; load between fits (stop it with its AbortSignal first)`);
    this.checkModel('loadCheckpoint');
    const loaded = loadCheckpoint(this.model, bytes, file, this.optimizer, Math.max(1, this.scoredPerExample));
    if (loaded.progress) this.position = loaded.progress;
    return loaded.metadata;
  }

  /** Counters of the training step: from the last epoch on WebGPU, else from the plan. */
  stepStats(): StepStats {
    this.checkModel('stepStats');
    return this.measured ?? planStats(this.step().program.stats);
  }

  dispose(): void {
    if (this.fitting) throw new Error('dispose: this trainer is fitting; await its fit (or stop it with its AbortSignal) first');
    this.trainStep?.program.dispose();
    this.trainStep = null;
    for (const g of this.evalSteps.values()) g.program.dispose();
    this.evalSteps.clear();
    this.optimizer.dispose();
  }
}
