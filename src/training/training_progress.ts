import type { TrainingProgress } from '../io/checkpoint_metadata';
import type { DivergenceRule } from './divergence';
import type { EpochReport } from './reports';

export const startOfTraining = (): TrainingProgress => ({ epoch: 0, batch: 0, lossSum: 0, correct: 0, seen: 0, nonFinite: 0, seconds: 0 });

/** The seed of epoch `epoch`'s data order: a function of (seed, epoch) alone, so a resumed run sees the same order. */
export const epochOrderSeed = (seed: number, epoch: number) => (seed * 1000003 + epoch) >>> 0;

/**
 * fit stopped because training diverged: a step's loss was NaN or infinite (the default
 * `onNonFinite: 'stop'`), a loss exploded past `divergence.lossFactor` times its lowest,
 * or an epoch after the first ended at chance accuracy (`rule` says which). The model's
 * weights, running statistics and optimizer state were put back to the last point whose
 * losses were all good (`restoredTo`), unless fit ran with `keepLastGood: false`.
 */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';
  /** The 0-based optimizer step that diverged (for chance-accuracy, the epoch's last). */
  readonly step: number;
  /** 1-based epoch and batch of that step. */
  readonly epoch: number;
  readonly batch: number;
  readonly learningRate: number;
  readonly loss: number;
  /** Where the weights were put back to, or null when nothing was restored. */
  readonly restoredTo: TrainingProgress | null;
  /** Reports of the epochs that completed in this fit before it stopped. */
  readonly reports: EpochReport[];
  /** Which rule fired. */
  readonly rule: DivergenceRule;
  constructor(
    message: string,
    step: number,
    epoch: number,
    batch: number,
    learningRate: number,
    loss: number,
    restoredTo: TrainingProgress | null,
    reports: EpochReport[],
    rule: DivergenceRule = 'non-finite',
  ) {
    super(message);
    this.step = step;
    this.epoch = epoch;
    this.batch = batch;
    this.learningRate = learningRate;
    this.loss = loss;
    this.restoredTo = restoredTo;
    this.reports = reports;
    this.rule = rule;
  }
}
