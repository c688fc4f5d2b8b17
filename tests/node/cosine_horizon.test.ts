// The cosine schedule under a time budget (tools/jobs/cosine_horizon.ts): its length follows
// the pace of the steps, so the rate reaches zero when the budget does, not before, when the
// first steps are slower than the rest (kernels compiled and tuned, a neighbour job ending).
import { describe, expect, it } from 'vitest';
import { cosineHorizon, HORIZON_AFTER_STEPS } from '../../tools/jobs/cosine_horizon';
import { learningRate, type Schedule } from '../../src/training/schedules';

/** Runs steps of the given durations (ms) under a budget with a fake clock; the schedule's length after each step. */
function run(budgetMs: number, stepMs: (step: number) => number) {
  const schedule: Schedule = { kind: 'cosine', totalSteps: 1000 };
  const trainer = { optimizer: { steps: 0, config: { schedule } } };
  let clock = 0;
  const fits: number[] = [];
  const horizon = cosineHorizon(
    trainer,
    budgetMs,
    (s) => fits.push(s),
    () => clock,
  )!;
  const lengths: number[] = [];
  let elapsed = 0;
  // As fit runs it: the step, then onBatch at its loss; the budget is counted from the first.
  for (let step = 0; elapsed < budgetMs; step++) {
    const ms = stepMs(step);
    clock += ms;
    if (step > 0) elapsed += ms;
    trainer.optimizer.steps = step + 1;
    horizon.onStep();
    lengths.push(schedule.totalSteps);
  }
  return { steps: trainer.optimizer.steps, lengths, fits, schedule };
}

describe('cosineHorizon', () => {
  it('ends the schedule with the budget when the first steps are three times slower than the rest', () => {
    // 60 s: 40 steps of 300 ms, then 100 ms steps.
    const { steps, lengths, schedule } = run(60_000, (s) => (s < 40 ? 300 : 100));
    expect(steps).toBeGreaterThan(500);
    // Every step before the last trains at a positive rate, and the last ones near zero.
    for (let s = 0; s < steps - 1; s++) expect(learningRate(1, { ...schedule, totalSteps: lengths[s] }, s), `step ${s}`).toBeGreaterThan(0);
    expect(Math.abs(lengths.at(-1)! - steps)).toBeLessThanOrEqual(2);
    expect(learningRate(1, schedule, steps - 1)).toBeLessThan(1e-3);
  });

  it('keeps the rate near its start until 20 steps after the fifth and a twentieth of the budget are timed', () => {
    const { lengths, fits } = run(10_000, () => 10);
    // 10 ms steps: a twentieth of 10 s is 50 steps, so the first fit is at the 50th (after the fifth, 20 timed ones are long past).
    expect(lengths.slice(0, 49).every((l) => l === 1000)).toBe(true);
    expect(HORIZON_AFTER_STEPS).toBe(20);
    expect(fits[0]).toBe(50 + Math.floor((10_000 - 490) / 10));
  });

  it('fits a resumed run at once from the pace its checkpoint holds: a run its budget ended, resumed with more, goes on at a rate above zero', () => {
    // Stopped by its budget at step 500, the kept length ends there; 10 s more at 100 ms a step hold 100 steps.
    const schedule: Schedule = { kind: 'cosine', totalSteps: 500 };
    const trainer = { optimizer: { steps: 500, config: { schedule } } };
    const fits: number[] = [];
    cosineHorizon(
      trainer,
      10_000,
      (s) => fits.push(s),
      () => 0,
      100,
    );
    expect(fits).toEqual([600]);
    // The cosine goes on over the longer horizon: at step 500 of 600, not at its end (0).
    expect(learningRate(1, schedule, 500)).toBeCloseTo((1 + Math.cos((5 * Math.PI) / 6)) / 2, 12);
  });

  it('does nothing for schedules other than cosine', () => {
    const trainer = { optimizer: { steps: 0, config: { schedule: { kind: 'constant' } as Schedule } } };
    expect(cosineHorizon(trainer, 1000, () => {})).toBeNull();
  });
});
