import { describe, expect, it } from 'vitest';
import { Trainer, type EpochReport } from '../../src/index';
import { sequential } from '../../src/nn/model';
import { Conv2d } from '../../src/nn/conv_layers';
import { Dense, Flatten } from '../../src/nn/dense_layers';
import { cpu } from '../helpers/backends';
import { stripes } from './helpers';

// fit's timeBudgetMs: training stops where the budget runs out (the queued steps finish),
// the epoch stopped in is reported and checkpointed, and the trainer stands there, so that
// a later fit continues exactly as if nothing had stopped it.
const data = stripes(64, 4, 8, 2);
const test = stripes(32, 4, 8, 3);
const make = () => {
  const model = sequential([1, 8, 8], [new Conv2d({ filters: 4, kernel: 3, activation: 'relu' }), new Flatten(), new Dense({ units: 4 })], 'tiny').build(cpu, {
    seed: 4,
  });
  return { model, trainer: new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 8, seed: 5 }) };
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const weights = (m: ReturnType<typeof make>['model']) => Promise.all(m.params().map((p) => p.tensor.read()));

describe('fit with timeBudgetMs', () => {
  it('stops mid-epoch once the budget is spent: the partial epoch is reported, validated and checkpointed', async () => {
    const { trainer } = make();
    const losses: number[] = [];
    const epochs: EpochReport[] = [];
    const checkpoints: { epoch: number; batch: number }[] = [];
    const start = performance.now();
    // Every step takes at least 60 ms (onBatch waits), so a 150 ms budget ends within the
    // first epoch's 8 steps (at most 3 more are queued); no epoch count is given.
    const reports = await trainer.fit(data, {
      timeBudgetMs: 150,
      validation: test,
      onBatch: async (b) => {
        losses.push(b.loss);
        await sleep(60);
      },
      onEpoch: (e) => void epochs.push(e),
      onCheckpoint: (p) => void checkpoints.push({ epoch: p.epoch, batch: p.batch }),
    });
    const seconds = (performance.now() - start) / 1000;
    expect(reports).toHaveLength(1);
    expect(reports[0].stoppedByBudget).toBe(true);
    expect(epochs).toEqual(reports);
    const steps = trainer.optimizer.steps;
    expect(steps).toBeGreaterThan(1);
    expect(steps).toBeLessThan(8);
    expect(losses).toHaveLength(steps); // every queued step finished and was reported
    expect(trainer.progress).toMatchObject({ epoch: 0, batch: steps });
    expect(checkpoints).toEqual([{ epoch: 0, batch: steps }]);
    expect(reports[0].testAccuracy).toBeGreaterThanOrEqual(0);
    expect(reports[0].loss).toBeCloseTo(losses.reduce((a, b) => a + b, 0) / steps, 5);
    // The budget, then the steps already queued when it ran out (at most 3 here) and the validation.
    expect(seconds).toBeLessThan(2);
  });

  it('a budgeted fit continued by another ends with the uninterrupted run, bit for bit', async () => {
    const a = make();
    const lossesA: number[] = [];
    await a.trainer.fit(data, { epochs: 2, onBatch: (b) => void lossesA.push(b.loss) });
    const b = make();
    const lossesB: number[] = [];
    const first = await b.trainer.fit(data, {
      timeBudgetMs: 150,
      onBatch: async (r) => {
        lossesB.push(r.loss);
        await sleep(30);
      },
    });
    expect(first.at(-1)!.stoppedByBudget).toBe(true);
    const stopped = b.trainer.optimizer.steps;
    expect(stopped).toBeLessThan(16);
    // Epochs count from where the trainer stands: the stopped epoch is the first.
    const rest = await b.trainer.fit(data, { epochs: 2 - b.trainer.progress.epoch, onBatch: (r) => void lossesB.push(r.loss) });
    expect(rest.every((r) => !r.stoppedByBudget)).toBe(true);
    expect(lossesB).toEqual(lossesA);
    expect(await weights(b.model)).toEqual(await weights(a.model));
  });

  it('runs the steps queued before the first loss is back, ends at an epoch boundary with the epochs given, and checks its options', async () => {
    const { trainer } = make();
    // The clock starts when the first loss is back (compiling is not training): by then the
    // trainer has queued inFlight + 1 = 3 steps, which finish; no more are queued.
    // (onBatch waits 2 ms so that the clock, coarse in a page, has moved past the budget.)
    const one = await trainer.fit(data, { timeBudgetMs: 1e-6, onBatch: () => sleep(2) });
    expect(trainer.optimizer.steps).toBe(3);
    expect(one[0]).toMatchObject({ epoch: 1, stoppedByBudget: true });
    // A budget larger than the epochs take: the epochs bound it, no report says stopped.
    const two = await trainer.fit(data, { epochs: 2, timeBudgetMs: 600_000 });
    expect(two.map((r) => [r.epoch, r.stoppedByBudget ?? false])).toEqual([
      [1, false],
      [2, false],
    ]);
    expect(trainer.progress).toMatchObject({ epoch: 2, batch: 0 });
    await expect(trainer.fit(data, { timeBudgetMs: 0 })).rejects.toThrow('fit: timeBudgetMs must be a positive number of milliseconds, got 0');
    await expect(trainer.fit(data, {})).rejects.toThrow('fit: epochs must be a positive integer (or give timeBudgetMs), got undefined');
    await expect(trainer.fit(data, { epochs: 1.5, timeBudgetMs: 10 })).rejects.toThrow('fit: epochs must be a positive integer, got 1.5');
  });
});
