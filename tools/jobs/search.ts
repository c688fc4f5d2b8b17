// Random hyper-parameter search, the decks' lab workflow: draw the learning rate and the
// weight decay log-uniformly and the batch size from a list, train each draw on a subset
// of the training images, and score it on a held-out validation split of them (the test
// set stays unseen). Coarse to fine: a second round (`refine` trials) draws from narrower
// ranges centred on the first round's best. `npm run search` runs it.
import type { Backend } from '../../src/backends/backend';
import { splitValidation, take, type Dataset } from '../../src/data/dataset';
import { Trainer } from '../../src/training/trainer';
import { MODELS } from '../../src/nn/zoo';
import { Random } from '../../src/random';

export interface SearchConfig {
  model: string;
  trials: number;
  /** Training images drawn from (the first `limit` of the set), before the validation split. */
  limit: number;
  /** Fraction of them held out for scoring. */
  validation: number;
  epochs: number;
  lr: readonly [number, number];
  weightDecay: readonly [number, number];
  batches: readonly number[];
  seed: number;
  /**
   * Trials of a second, finer round (default 0: none): the learning rate and the weight
   * decay drawn log-uniformly from ranges an eighth of the first round's log-width on each
   * side of the best first-round trial's values, its batch size kept (refineRanges).
   */
  refine?: number;
}

export const DEFAULT_SEARCH: SearchConfig = {
  model: 'lenet5-bn',
  trials: 8,
  limit: 6000,
  validation: 0.2,
  epochs: 1,
  lr: [1e-4, 3e-2],
  weightDecay: [1e-6, 1e-2],
  batches: [32, 64, 128],
  seed: 1,
};

export interface Trial {
  trial: number;
  /** 1: the coarse round over the whole ranges; 2: the fine round around its best. */
  round: 1 | 2;
  lr: number;
  weightDecay: number;
  batch: number;
  validationAccuracy: number;
  validationLoss: number;
  trainLoss: number;
  seconds: number;
}

const logUniform = (rng: Random, [lo, hi]: readonly [number, number]) => Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)));

type Draw = Pick<Trial, 'trial' | 'round' | 'lr' | 'weightDecay' | 'batch'>;

/** The draws of a search's first round, fixed by its seed (so a run can be repeated, or a trial rerun alone). */
export function drawTrials(config: SearchConfig): Draw[] {
  const rng = new Random(config.seed);
  return Array.from({ length: config.trials }, (_, i) => ({
    trial: i + 1,
    round: 1 as const,
    lr: logUniform(rng, config.lr),
    weightDecay: logUniform(rng, config.weightDecay),
    batch: config.batches[Math.floor(rng.next() * config.batches.length)],
  }));
}

/** The second round's ranges around `best`: in log space, an eighth of the first round's width on each side (a quarter in all). */
export interface RefineRanges {
  around: number;
  lr: [number, number];
  weightDecay: [number, number];
  batch: number;
}

/**
 * The fine round's ranges: each centred on the best trial's value, a quarter of the
 * coarse range's log-width wide (the learning rate's 1e-4..3e-2 gives best/2..best*2).
 * They are not clipped to the coarse range: a best at its edge says the optimum may lie
 * beyond it.
 */
export function refineRanges(config: SearchConfig, best: Pick<Trial, 'trial' | 'lr' | 'weightDecay' | 'batch'>): RefineRanges {
  const around = (value: number, [lo, hi]: readonly [number, number]): [number, number] => {
    const f = (hi / lo) ** (1 / 8);
    return [value / f, value * f];
  };
  return { around: best.trial, lr: around(best.lr, config.lr), weightDecay: around(best.weightDecay, config.weightDecay), batch: best.batch };
}

/** The fine round's draws in `ranges`, numbered after the first round's, fixed by the seed. */
export function drawRefined(config: SearchConfig, ranges: RefineRanges): Draw[] {
  // Another stream of the seed than the first round's.
  const rng = new Random(config.seed + 0x5eed);
  return Array.from({ length: config.refine ?? 0 }, (_, i) => ({
    trial: config.trials + i + 1,
    round: 2 as const,
    lr: logUniform(rng, ranges.lr),
    weightDecay: logUniform(rng, ranges.weightDecay),
    batch: ranges.batch,
  }));
}

/** Best first: by validation accuracy, then by validation loss. */
const byScore = (a: Trial, b: Trial) => b.validationAccuracy - a.validationAccuracy || a.validationLoss - b.validationLoss;

/**
 * Runs every trial (AdamW, cosine schedule over the run), then with `refine` the second
 * round around the first round's best (`onRefine` gets its ranges first), and returns all
 * the trials best first by validation accuracy (then loss).
 */
export async function runSearch(
  backend: Backend,
  train: Dataset,
  config: SearchConfig = DEFAULT_SEARCH,
  report?: (t: Trial) => void | Promise<void>,
  onRefine?: (ranges: RefineRanges) => void | Promise<void>,
): Promise<Trial[]> {
  const make = MODELS[config.model];
  if (!make) throw new Error(`search: no zoo model '${config.model}'`);
  if (!Number.isInteger(config.trials) || config.trials <= 0) throw new Error(`search: trials must be a positive integer, got ${config.trials}`);
  const refine = config.refine ?? 0;
  if (!Number.isInteger(refine) || refine < 0) throw new Error(`search: refine must be a non-negative integer, got ${config.refine}`);
  const { train: fitSet, validation } = splitValidation(take(train, config.limit), config.validation, config.seed);
  const trials: Trial[] = [];
  const run = async (draw: Draw) => {
    const start = performance.now();
    const model = make(train.shape, train.classes).build(backend, { seed: config.seed });
    try {
      const steps = Math.floor(fitSet.count / draw.batch) * config.epochs;
      const trainer = new Trainer(model, {
        optimizer: { kind: 'adamw', lr: draw.lr, weightDecay: draw.weightDecay, schedule: { kind: 'cosine', totalSteps: steps } },
        batchSize: draw.batch,
        seed: config.seed,
      });
      const epochs = await trainer.fit(fitSet, { epochs: config.epochs, onNonFinite: 'continue' });
      const v = await trainer.evaluate(validation);
      const t: Trial = {
        ...draw,
        validationAccuracy: v.accuracy,
        validationLoss: v.loss,
        trainLoss: epochs.at(-1)!.loss,
        seconds: (performance.now() - start) / 1000,
      };
      trials.push(t);
      await report?.(t);
    } finally {
      model.dispose();
    }
  };
  for (const draw of drawTrials(config)) await run(draw);
  if (refine > 0) {
    const ranges = refineRanges(config, [...trials].sort(byScore)[0]);
    await onRefine?.(ranges);
    for (const draw of drawRefined(config, ranges)) await run(draw);
  }
  return [...trials].sort(byScore);
}
