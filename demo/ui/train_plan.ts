// The Train page's arithmetic, kept apart from the DOM so unit tests can reach it: the
// form's checks, the quick and full runs, how long a run takes on an adapter, how often
// the live evaluation runs and the whole run's ETA.

/** The Train form's numbers, as typed. */
export interface TrainForm {
  limit: number;
  testLimit: number;
  lr: number;
  batch: number;
  epochs: number;
}

/** The largest learning rate the form takes: no network here trains above it, and 10 already shows divergence. */
export const MAX_LR = 10;

/** One message per bad field, keyed by the field's id; empty when the form can start. */
export function checkTrainForm(f: TrainForm): Partial<Record<'limit' | 'test-limit' | 'lr' | 'batch' | 'epochs', string>> {
  const errors: Partial<Record<'limit' | 'test-limit' | 'lr' | 'batch' | 'epochs', string>> = {};
  const whole = (v: number) => Number.isInteger(v) && v >= 1;
  if (!whole(f.batch)) errors.batch = 'a whole number of at least 1 (64 is usual)';
  else if (f.batch > 4096) errors.batch = 'at most 4,096 (64 is usual)';
  if (!whole(f.limit)) errors.limit = 'a whole number of examples, at least one batch';
  else if (whole(f.batch) && f.limit < f.batch) errors.limit = `fewer than one batch of ${f.batch}: train on at least ${f.batch} examples or lower the batch`;
  if (!whole(f.testLimit)) errors['test-limit'] = 'a whole number of at least 1';
  if (!(Number.isFinite(f.lr) && f.lr > 0)) errors.lr = 'a number above 0 (Adam: about 0.001, SGD: 0.01 to 0.1)';
  else if (f.lr > MAX_LR) errors.lr = `${f.lr} is above ${MAX_LR}: nothing trains there (Adam: about 0.001, SGD: 0.01 to 0.1); ${MAX_LR} already diverges`;
  if (!whole(f.epochs)) errors.epochs = 'a whole number of at least 1';
  else if (f.epochs > 100) errors.epochs = 'at most 100';
  return errors;
}

/** The run a fallback adapter (or the CPU) starts with: a minute's worth, not half an hour's. */
export const QUICK_RUN = { limit: 3200, testLimit: 1000, epochs: 2 } as const;
/** The command line's default run: the whole training split, 3 epochs, the whole test split. */
export const FULL_RUN = { limit: 60000, testLimit: 10000, epochs: 3 } as const;

/** The test images every live evaluation scores: the same first ones each time, so the numbers compare. */
export const LIVE_TEST_IMAGES = 500;

/**
 * Training images per second on SwiftShader with 2 CPU cores (docs/benchmarks.md,
 * "Training runs" and "Probe runs": the newest figure of each model, batch 64). Only for an
 * estimate before anything was measured here; the page measures its own speed once it trains.
 */
export const SWIFTSHADER_IMAGES_PER_SECOND: Readonly<Record<string, number>> = {
  lenet5: 654,
  'conv-bn': 102,
  'conv-bn-wide': 86,
  'conv-bn-x2': 74,
  resnet20: 10.1,
  'mobilenet-v1-cifar': 3.1,
  'densenet-bc': 2.5,
  'googlenet-mini': 8.7,
  'alexnet-mini': 11.1,
};

/** Inference runs the forward pass only: about three times the training speed (an assumption until measured). */
export const EVAL_SPEEDUP = 3;

export interface Speed {
  /** Training images per second. */
  train: number;
  /** Evaluation (inference) images per second. */
  evaluate: number;
}

/** Seconds a run of `epochs` over `limit` examples takes, a test-set evaluation after each epoch and live ones between. */
export function runSeconds(run: { limit: number; testLimit: number; epochs: number }, speed: Speed, batch = 64): number {
  const steps = Math.floor(run.limit / batch) * run.epochs;
  const train = (steps * batch) / speed.train;
  // Live evaluations cost under a tenth of the training time (liveEvalEvery keeps them there).
  return train * (1 + 0.1) + (run.epochs * run.testLimit) / speed.evaluate;
}

/** "40 s", "12 min", "1.5 h": a duration rounded as a person would say it. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * Steps between two live evaluations so that evaluating costs under `share` of the time:
 * an evaluation of `evalSeconds` after n steps of `stepSeconds` costs evalSeconds / (n *
 * stepSeconds + evalSeconds). At least `min` steps.
 */
export function liveEvalEvery(stepSeconds: number, evalSeconds: number, share = 0.1, min = 5): number {
  if (!(stepSeconds > 0) || !(evalSeconds >= 0)) return min;
  return Math.max(min, Math.ceil((evalSeconds * (1 - share)) / (share * stepSeconds)));
}

/** Where a run stands, and what it measured so far, for the whole run's ETA. */
export interface RunClock {
  epochs: number;
  /** 1-based epoch and steps done in it. */
  epoch: number;
  batch: number;
  batches: number;
  /** Seconds per training step (measured, evaluations and pauses left out). */
  stepSeconds: number;
  /** Seconds of one live evaluation, and the steps between two. */
  liveEvalSeconds: number;
  liveEvery: number;
  /** Seconds of one test-set evaluation at an epoch's end. */
  testEvalSeconds: number;
}

/** Seconds left in the whole run: its steps, the live evaluations between them and a test-set evaluation per epoch left. */
export function runEtaSeconds(c: RunClock): number {
  const stepsLeft = (c.epochs - c.epoch) * c.batches + (c.batches - c.batch);
  // The current epoch's test-set evaluation is still ahead, even after its last step.
  const epochsLeft = c.epochs - c.epoch + 1;
  return stepsLeft * c.stepSeconds + Math.floor(stepsLeft / Math.max(1, c.liveEvery)) * c.liveEvalSeconds + epochsLeft * c.testEvalSeconds;
}
