// Callbacks on Trainer.fit, the lab workflow of the lecture decks: stop when a monitored
// metric stops improving (and go back to the best weights), keep a checkpoint of the best
// epoch, lower the learning rate on a plateau, and unfreeze a pretrained body on a
// schedule. Each is a plain object with hooks the trainer calls between epochs, where no
// step is in flight; none of them reads anything back beyond the epoch's report.
import type { EpochReport } from './reports';

/** What a callback may use of the trainer (the Trainer class itself; tests pass a stand-in). */
export interface CallbackHost {
  readonly model: {
    unfreeze(...names: string[]): unknown;
    freeze(...names: string[]): unknown;
    scaleLearningRate(scale: number, ...names: string[]): unknown;
  };
  readonly optimizer: { lrFactor: number; learningRate(): number };
  saveCheckpoint(metadata?: Record<string, string>): Promise<Uint8Array>;
  /** Puts back weights (and state) saved by saveCheckpoint, without the optimizer state or progress. */
  restoreWeights(bytes: Uint8Array): void;
}

/** A callback's answer after an epoch: 'stop' ends fit there (it resolves with the reports so far). */
// biome-ignore lint/suspicious/noConfusingVoidType: a callback that returns nothing (void) means carry on
export type EpochVerdict = void | 'stop';

export interface FitCallback {
  /** Before the epoch's first step (1-based epoch number): freeze, unfreeze or rescale here (the step recompiles). */
  onEpochBegin?(epoch: number, host: CallbackHost): void | Promise<void>;
  /** After the epoch's report (with validation, when given) and onEpoch. */
  onEpochEnd?(report: EpochReport, host: CallbackHost): EpochVerdict | Promise<EpochVerdict>;
  /** When fit ends, by running out of epochs or by a callback's 'stop' (not on an error or an abort). */
  onFitEnd?(reports: readonly EpochReport[], host: CallbackHost): void | Promise<void>;
}

/** A metric of the epoch report: the training figures, or the validation set's (`fit`'s `validation`). */
export type Monitored = 'loss' | 'accuracy' | 'testLoss' | 'testAccuracy';

export interface MonitorOptions {
  /** Default 'testLoss'. */
  monitor?: Monitored;
  /** Whether lower or higher is better (default: 'max' for accuracies, 'min' for losses). */
  mode?: 'min' | 'max';
  /** An improvement smaller than this does not count (default 0). */
  minDelta?: number;
}

/** Tracks the best value of a monitored metric and how many epochs have passed without improving on it. */
class Monitor {
  readonly monitor: Monitored;
  private readonly sign: number;
  private readonly minDelta: number;
  best = Infinity;
  bestEpoch = 0;
  /** Epochs since the last improvement. */
  wait = 0;
  constructor(options: MonitorOptions, who: string) {
    this.monitor = options.monitor ?? 'testLoss';
    const mode = options.mode ?? (this.monitor.endsWith('ccuracy') ? 'max' : 'min');
    if (mode !== 'min' && mode !== 'max') throw new Error(`${who}: mode must be 'min' or 'max', got ${JSON.stringify(mode)}`);
    this.sign = mode === 'min' ? 1 : -1;
    this.minDelta = options.minDelta ?? 0;
    if (!(this.minDelta >= 0)) throw new Error(`${who}: minDelta must be >= 0, got ${options.minDelta}`);
  }

  /** Reads the metric from a report; returns whether it improved on the best so far. */
  observe(report: EpochReport, who: string): boolean {
    const value = report[this.monitor];
    if (value === undefined)
      throw new Error(`${who}: the epoch report has no '${this.monitor}' (pass fit a validation set to monitor testLoss or testAccuracy)`);
    const signed = this.sign * value;
    if (Number.isFinite(signed) && signed < this.best - this.minDelta) {
      this.best = signed;
      this.bestEpoch = report.epoch;
      this.wait = 0;
      return true;
    }
    this.wait++;
    return false;
  }

  /** The best value in the metric's own sign. */
  get bestValue(): number {
    return this.sign * this.best;
  }
}

const checkCount = (who: string, name: string, v: number, min: number) => {
  if (!Number.isInteger(v) || v < min) throw new Error(`${who}: ${name} must be an integer >= ${min}, got ${v}`);
};

export interface EarlyStoppingOptions extends MonitorOptions {
  /** Stop after this many epochs in a row without improvement (default 3; 0 stops at the first). */
  patience?: number;
  /** Put back the best epoch's weights when fit ends (default true). */
  restoreBest?: boolean;
}

/** What an early-stopping callback found, readable after fit. */
export interface EarlyStopping extends FitCallback {
  readonly stoppedAt: number | null;
  readonly bestEpoch: number;
  readonly best: number;
}

/**
 * Stops fit once the monitored metric has not improved for `patience` epochs, and by
 * default puts back the weights of its best epoch (kept as a checkpoint in memory).
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  const who = 'earlyStopping';
  const patience = options.patience ?? 3;
  checkCount(who, 'patience', patience, 0);
  const monitor = new Monitor(options, who);
  let bestWeights: Uint8Array | null = null;
  let stoppedAt: number | null = null;
  return {
    get stoppedAt() {
      return stoppedAt;
    },
    get bestEpoch() {
      return monitor.bestEpoch;
    },
    get best() {
      return monitor.bestValue;
    },
    async onEpochEnd(report, host) {
      if (monitor.observe(report, who)) {
        if (options.restoreBest ?? true) bestWeights = await host.saveCheckpoint();
        return;
      }
      if (monitor.wait >= Math.max(patience, 1)) {
        stoppedAt = report.epoch;
        return 'stop';
      }
    },
    onFitEnd(reports, host) {
      const last = reports.at(-1);
      if (bestWeights && last && last.epoch !== monitor.bestEpoch) host.restoreWeights(bestWeights);
    },
  };
}

export interface BestCheckpointOptions extends MonitorOptions {
  /** Receives the checkpoint bytes of each epoch that improves on the best so far (write it atomically). */
  save(bytes: Uint8Array, report: EpochReport): void | Promise<void>;
}

/** Saves a checkpoint (weights, optimizer state, progress) whenever the monitored metric improves. */
export function bestCheckpoint(options: BestCheckpointOptions): FitCallback & { readonly bestEpoch: number } {
  const monitor = new Monitor(options, 'bestCheckpoint');
  return {
    get bestEpoch() {
      return monitor.bestEpoch;
    },
    async onEpochEnd(report, host) {
      if (!monitor.observe(report, 'bestCheckpoint')) return;
      await options.save(
        await host.saveCheckpoint({ best_epoch: String(report.epoch), best_metric: monitor.monitor, best_value: String(report[monitor.monitor]) }),
        report,
      );
    },
  };
}

export interface ReduceLrOnPlateauOptions extends MonitorOptions {
  /** The factor applied to the learning rate on a plateau (default 0.1). */
  factor?: number;
  /** Lower the rate after this many epochs in a row without improvement (default 2). */
  patience?: number;
  /** The learning rate is not lowered below this (default 0). */
  minLr?: number;
  /** Epochs after a reduction before the metric is watched again (default 0). */
  cooldown?: number;
}

/** Multiplies the learning rate by `factor` once the monitored metric has not improved for `patience` epochs. */
export function reduceLrOnPlateau(options: ReduceLrOnPlateauOptions = {}): FitCallback & { readonly reductions: readonly number[] } {
  const who = 'reduceLrOnPlateau';
  const factor = options.factor ?? 0.1;
  if (!(factor > 0 && factor < 1)) throw new Error(`${who}: factor must be in (0, 1), got ${factor}`);
  const patience = options.patience ?? 2;
  checkCount(who, 'patience', patience, 0);
  const cooldown = options.cooldown ?? 0;
  checkCount(who, 'cooldown', cooldown, 0);
  const minLr = options.minLr ?? 0;
  const monitor = new Monitor(options, who);
  const reductions: number[] = [];
  let cooling = 0;
  return {
    reductions,
    onEpochEnd(report, host) {
      monitor.observe(report, who);
      if (cooling > 0) {
        cooling--;
        monitor.wait = 0;
        return;
      }
      if (monitor.wait < Math.max(patience, 1)) return;
      const lr = host.optimizer.learningRate();
      if (lr <= minLr) return;
      // Never below minLr: the factor is cut short for the last reduction.
      const next = Math.max(lr * factor, minLr);
      host.optimizer.lrFactor *= next / lr;
      reductions.push(report.epoch);
      monitor.wait = 0;
      cooling = cooldown;
    },
  };
}

export interface UnfreezeStep {
  /** The 1-based epoch from whose first step these layers train (a run resumed later unfreezes them at once). */
  epoch: number;
  layers: readonly string[];
  /** Their learning-rate scale from then on (default: left as it is). */
  lrScale?: number;
}

/** Unfreezes layers at given epochs (gradual unfreezing of a pretrained body, last layers first). */
export function unfreezeSchedule(steps: readonly UnfreezeStep[]): FitCallback {
  for (const s of steps) {
    checkCount('unfreezeSchedule', 'epoch', s.epoch, 1);
    if (s.layers.length === 0) throw new Error(`unfreezeSchedule: the step at epoch ${s.epoch} names no layer`);
  }
  return {
    onEpochBegin(epoch, host) {
      for (const s of steps) {
        if (s.epoch > epoch) continue;
        host.model.unfreeze(...s.layers);
        if (s.lrScale !== undefined) host.model.scaleLearningRate(s.lrScale, ...s.layers);
      }
    },
  };
}
