// What a trainer reports: per step, per epoch, per evaluation, and what a compiled step
// costs. Plain data in a file of its own, so that callbacks and DivergenceError can name
// these types without importing the trainer (which imports both of them).
import type { DivergenceWarning } from './divergence';
import type { SegmentationScores } from './segmentation_metrics';

export interface BatchReport {
  epoch: number;
  batch: number;
  batches: number;
  /** This batch's mean loss. */
  loss: number;
  /** Training accuracy so far this epoch (binary cross-entropy: of every output value; NaN for mse and l1). */
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
  /** Pixel cross-entropy: the test set's mean IoU (testAccuracy is then its pixel accuracy). */
  testMeanIoU?: number;
  seconds: number;
  imagesPerSecond: number;
  /** Steps whose loss was NaN or infinite (only with onNonFinite: 'continue'); left out of `loss`. */
  nonFiniteSteps?: number;
  /** A callback ended fit after this epoch (early stopping). */
  stoppedEarly?: boolean;
  /**
   * fit's timeBudgetMs ran out in (or at the end of) this epoch and fit stopped. Where it
   * ran out mid-epoch, the report covers the steps run (`seconds`, `loss`, `accuracy`).
   */
  stoppedByBudget?: boolean;
  /** Divergence rules that fired this epoch with onDiverge 'warn' (at most one per rule). */
  warnings?: DivergenceWarning[];
}

export interface EvalResult {
  loss: number;
  /** Of the arg-max predictions; binary cross-entropy: of every output value's sign; NaN for mse and l1. */
  accuracy: number;
  /** Row = true class, column = predicted (empty for losses of per-value targets). */
  confusion: number[][];
  /** Arg-max classes (empty for losses of per-value targets). */
  predictions: Uint8Array;
  /** Class probabilities [count, classes] (empty for losses of per-value targets). */
  probabilities: Float32Array;
  count: number;
  /**
   * Pixel cross-entropy only: the arg-max label map of every example ([count, h, w]) and
   * its scores against the dataset's (pixel accuracy, per-class and mean IoU).
   */
  segmentation?: SegmentationScores & { predictions: Uint8Array };
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
