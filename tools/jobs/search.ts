// Random hyper-parameter search, the decks' lab workflow: draw the learning rate and the
// weight decay log-uniformly and the batch size from a list, train each draw on a subset
// of the training images, and score it on a held-out validation split of them (the test
// set stays unseen). `npm run search` runs it.
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
  lr: number;
  weightDecay: number;
  batch: number;
  validationAccuracy: number;
  validationLoss: number;
  trainLoss: number;
  seconds: number;
}

const logUniform = (rng: Random, [lo, hi]: readonly [number, number]) => Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)));

/** The draws of a search, fixed by its seed (so a run can be repeated, or a trial rerun alone). */
export function drawTrials(config: SearchConfig): Pick<Trial, 'trial' | 'lr' | 'weightDecay' | 'batch'>[] {
  const rng = new Random(config.seed);
  return Array.from({ length: config.trials }, (_, i) => ({
    trial: i + 1,
    lr: logUniform(rng, config.lr),
    weightDecay: logUniform(rng, config.weightDecay),
    batch: config.batches[Math.floor(rng.next() * config.batches.length)],
  }));
}

/** Runs every trial (AdamW, cosine schedule over the run) and returns them best first by validation accuracy. */
export async function runSearch(
  backend: Backend,
  train: Dataset,
  config: SearchConfig = DEFAULT_SEARCH,
  report?: (t: Trial) => void | Promise<void>,
): Promise<Trial[]> {
  const make = MODELS[config.model];
  if (!make) throw new Error(`search: no zoo model '${config.model}'`);
  if (!Number.isInteger(config.trials) || config.trials <= 0) throw new Error(`search: trials must be a positive integer, got ${config.trials}`);
  const { train: fitSet, validation } = splitValidation(take(train, config.limit), config.validation, config.seed);
  const trials: Trial[] = [];
  for (const draw of drawTrials(config)) {
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
  }
  return [...trials].sort((a, b) => b.validationAccuracy - a.validationAccuracy);
}
