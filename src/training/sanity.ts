// The seed decks' sanity checks before training (CS231n's "babysitting the learning
// process"): the loss at initialisation is the loss of guessing (ln of the class count),
// more regularisation raises the loss, and a tiny subset can be fit completely. Each runs
// through the Trainer itself, so what passes here is what training will run.
import { sampleExamples, type Dataset } from '../data/dataset';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint';
import type { Model } from '../nn/model';
import type { OptimizerConfig } from './optimizers';
import { learnsLabels, type LossConfig } from './losses';
import { Trainer } from './trainer';
import { DivergenceError } from './training_progress';

export type SanityCheckName = 'initial-loss' | 'regularization' | 'overfit';

/** One check's verdict and the figures it rests on. */
export interface SanityCheckResult {
  name: SanityCheckName;
  passed: boolean;
  /** `name: pass|FAIL: ...` with its numbers, one line. */
  line: string;
  figures: Record<string, number>;
}

export interface SanityReport {
  /** Every check passed. */
  passed: boolean;
  checks: SanityCheckResult[];
  /** The checks that failed, in order. */
  failed: SanityCheckName[];
  seconds: number;
}

export interface SanityOptions {
  /** Examples whose first training step gives the initial loss (default 64, at most the data's), drawn by `seed`. */
  batchSize?: number;
  /** How far from ln(classes) the initial loss may be, relative (default 0.1: within 10%). */
  tolerance?: number;
  /** λ of the L2 term (TrainerOptions.l2) the second check adds (default 1e-2). */
  l2?: number;
  /** Examples of the tiny subset (default 20): the first of the same draw. */
  tinyCount?: number;
  /** Optimizer steps the tiny subset may take to reach 100% training accuracy (default 200). */
  maxSteps?: number;
  /** The optimizer of the overfitting check (default Adam, lr 1e-3); its weight decay and schedule are dropped (no regularisation, a constant rate). */
  optimizer?: OptimizerConfig;
  /** Cross-entropy as the run will train with it (label smoothing, class weights); default plain. */
  loss?: LossConfig;
  /** Draws the examples (a seeded shuffle, so a data set in class order gives a mix) and seeds the steps (default 1). */
  seed?: number;
  /** Called as each check ends, before the next begins. */
  onCheck?(check: SanityCheckResult): void | Promise<void>;
}

export const SANITY_DEFAULTS = { batchSize: 64, tolerance: 0.1, l2: 1e-2, tinyCount: 20, maxSteps: 200 } as const;

/** A plain optimizer for taking a first step's loss: which one does not matter, the weights are put back. */
const PROBE: OptimizerConfig = { kind: 'sgd', lr: 1e-3 };

/**
 * Runs the three sanity checks on a built classifier and `data` (examples of the model's
 * input shape, with class labels), each step a step of the Trainer:
 * 1. `initial-loss`: the first step's loss on `batchSize` examples is within
 *    `tolerance` of ln(classes), the loss of a uniform guess;
 * 2. `regularization`: the same step with an L2 term of λ = `l2` in the loss reports a
 *    higher loss (the rise is λ/2 Σ w² over the trainable weights, printed beside it);
 * 3. `overfit`: `tinyCount` of those examples, trained as one batch with no
 *    regularisation (no L2, no dropout, no augmentation), reach 100% training accuracy
 *    within `maxSteps` steps.
 * The examples are drawn by a seeded shuffle (`seed`), the tiny subset the first of the
 * same draw, so a data set in class order (an image folder's) gives a mix. The model's weights and running statistics are put back as they were afterwards. The
 * report says which checks failed; nothing throws for a failed check.
 */
export async function sanityCheck(model: Model, data: Dataset, options: SanityOptions = {}): Promise<SanityReport> {
  const o = { ...SANITY_DEFAULTS, ...options };
  const loss = options.loss ?? { kind: 'softmax-cross-entropy' as const };
  if (!learnsLabels(loss)) throw new Error(`sanityCheck: the checks are of a classifier (softmax cross-entropy), not of a ${loss.kind} loss`);
  if (model.output.shape.length !== 1)
    throw new Error(`sanityCheck: ${model.name} must output [batch, classes] logits, not [batch, ${model.output.shape.join(', ')}]`);
  for (const [k, v] of [
    ['batchSize', o.batchSize],
    ['tinyCount', o.tinyCount],
    ['maxSteps', o.maxSteps],
  ] as const)
    if (!Number.isInteger(v) || v <= 0) throw new Error(`sanityCheck: ${k} must be a positive integer, got ${v}`);
  if (!(o.tolerance > 0)) throw new Error(`sanityCheck: tolerance must be a positive number, got ${o.tolerance}`);
  if (!(o.l2 > 0) || !Number.isFinite(o.l2)) throw new Error(`sanityCheck: l2 must be a positive number, got ${o.l2}`);
  if (data.count === 0) throw new Error('sanityCheck: the dataset is empty (0 examples)');
  const seed = o.seed ?? 1;
  const started = performance.now();
  const snapshot = await saveCheckpoint(model);
  const restore = () => loadCheckpoint(model, snapshot, 'the weights before sanityCheck');
  const checks: SanityCheckResult[] = [];
  const done = async (c: SanityCheckResult) => {
    checks.push(c);
    await o.onCheck?.(c);
  };
  try {
    const batch = sampleExamples(data, o.batchSize, seed);
    const first = await firstStepLoss(model, batch, { loss, seed });
    restore();
    await done(initialLossCheck(first, model.output.shape[0], o.tolerance));
    const regularized = await firstStepLoss(model, batch, { loss, seed, l2: o.l2 });
    restore();
    let squares = 0;
    for (const p of model.trainableParams()) for (const v of await p.tensor.read()) squares += v * v;
    await done(regularizationCheck(first, regularized, o.l2, squares));
    await done(await overfitCheck(model, sampleExamples(data, o.tinyCount, seed), { ...o, loss, seed }));
  } finally {
    restore();
  }
  const failed = checks.filter((c) => !c.passed).map((c) => c.name);
  return { passed: failed.length === 0, checks, failed, seconds: (performance.now() - started) / 1000 };
}

/** The loss of one training step on `batch` (all of it as one batch), taken before the step's update. */
async function firstStepLoss(model: Model, batch: Dataset, o: { loss: LossConfig; seed: number; l2?: number }): Promise<number> {
  const trainer = new Trainer(model, { optimizer: PROBE, batchSize: batch.count, seed: o.seed, loss: o.loss, l2: o.l2 });
  try {
    const [report] = await trainer.fit(batch, { epochs: 1, keepLastGood: false, onNonFinite: 'continue', divergence: { lossFactor: 'off' } });
    return report.loss;
  } finally {
    trainer.dispose();
  }
}

const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

function initialLossCheck(loss: number, classes: number, tolerance: number): SanityCheckResult {
  const chance = Math.log(classes);
  const off = Math.abs(loss - chance) / chance;
  const passed = off <= tolerance;
  return {
    name: 'initial-loss',
    passed,
    line: `initial-loss: ${passed ? 'pass' : 'FAIL'}: the loss at initialisation is ${fixed(loss)}, ln(${classes}) = ${fixed(chance)} at chance: ${(off * 100).toFixed(1)}% off (${passed ? 'within' : 'beyond'} ${Math.round(tolerance * 100)}%)${passed ? '' : '; the initial weights are too large or biased, or the labels do not match the outputs'}`,
    figures: { loss, chance, relativeError: off, tolerance },
  };
}

function regularizationCheck(loss: number, regularized: number, l2: number, squares: number): SanityCheckResult {
  const rise = regularized - loss;
  const passed = rise > 0;
  return {
    name: 'regularization',
    passed,
    line: `regularization: ${passed ? 'pass' : 'FAIL'}: an L2 term of λ = ${l2} ${passed ? 'raised' : 'did not raise'} the loss from ${fixed(loss)} to ${fixed(regularized)} (${rise >= 0 ? '+' : ''}${fixed(rise)}; λ/2 Σw² over the trainable weights is ${fixed((l2 / 2) * squares)})`,
    figures: { loss, regularizedLoss: regularized, l2, rise, expectedRise: (l2 / 2) * squares },
  };
}

/** Trains the tiny subset as one batch, one step an epoch, until a step's predictions are all right or the budget is spent. */
async function overfitCheck(
  model: Model,
  tiny: Dataset,
  o: { maxSteps: number; optimizer?: OptimizerConfig; loss: LossConfig; seed: number },
): Promise<SanityCheckResult> {
  // No regularisation, and a constant rate: a run's schedule is sized for the run, not for this.
  const optimizer: OptimizerConfig = { ...(o.optimizer ?? { kind: 'adam', lr: 1e-3 }), weightDecay: 0, schedule: undefined };
  const trainer = new Trainer(model, { optimizer, batchSize: tiny.count, seed: o.seed, loss: o.loss, dropout: false });
  let steps = 0;
  let last = { loss: NaN, accuracy: 0 };
  let problem = '';
  try {
    await trainer.fit(tiny, {
      epochs: o.maxSteps,
      keepLastGood: false,
      callbacks: [
        {
          onEpochEnd: (r) => {
            steps = r.epoch;
            last = r;
            return r.accuracy >= 1 ? 'stop' : undefined;
          },
        },
      ],
    });
  } catch (e) {
    if (!(e instanceof DivergenceError)) throw e;
    problem = `; training diverged: ${e.message}`;
  } finally {
    trainer.dispose();
  }
  const passed = !problem && last.accuracy >= 1;
  const right = Math.round(last.accuracy * tiny.count);
  const what = `${tiny.count} examples, one batch, ${optimizer.kind} lr ${optimizer.lr}, no regularisation`;
  return {
    name: 'overfit',
    passed,
    line: passed
      ? `overfit: pass: ${what}: 100% training accuracy after ${steps} of at most ${o.maxSteps} steps (loss ${fixed(last.loss)})`
      : `overfit: FAIL: ${what}: ${right}/${tiny.count} right (${(last.accuracy * 100).toFixed(0)}%, loss ${fixed(last.loss)}) after ${steps} steps, the budget of ${o.maxSteps}${problem || `; a model that cannot fit ${tiny.count} examples will not learn the whole set (frozen or dead layers, a wrong loss, too low a learning rate)`}`,
    figures: { examples: tiny.count, steps, maxSteps: o.maxSteps, loss: last.loss, accuracy: last.accuracy },
  };
}
