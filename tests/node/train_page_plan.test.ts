// The Train page's arithmetic and health rules (demo/ui/train_plan.ts, train_health.ts):
// the form's checks, how often the live evaluation runs, the whole run's ETA, the warnings.
import { describe, expect, it } from 'vitest';
import { HealthWatch } from '../../demo/ui/train_health';
import { checkTrainForm, formatDuration, FULL_RUN, liveEvalEvery, runEtaSeconds, runSeconds } from '../../demo/ui/train_plan';

const form = { limit: 3200, testLimit: 1000, lr: 0.002, batch: 64, epochs: 2 };

describe('the Train form', () => {
  it('takes the defaults', () => expect(checkTrainForm(form)).toEqual({}));
  it('refuses a learning rate of 1e9, 0 and NaN beside the field', () => {
    expect(checkTrainForm({ ...form, lr: 1e9 }).lr).toContain('1000000000 is above 10');
    expect(checkTrainForm({ ...form, lr: 0 }).lr).toContain('above 0');
    expect(Object.keys(checkTrainForm({ ...form, lr: Number.NaN }))).toEqual(['lr']);
  });
  it('refuses batch 0 and fewer examples than a batch', () => {
    expect(Object.keys(checkTrainForm({ ...form, batch: 0 }))).toEqual(['batch']);
    expect(checkTrainForm({ ...form, limit: 32 }).limit).toContain('fewer than one batch of 64');
    expect(Object.keys(checkTrainForm({ ...form, epochs: 1.5, testLimit: 0 }))).toEqual(['test-limit', 'epochs']);
  });
});

describe('live evaluation and ETA', () => {
  it('evaluates so that it costs under a tenth of the time', () => {
    for (const [step, evaluation] of [
      [0.6, 1.7],
      [0.05, 2],
      [2, 0.1],
    ]) {
      const n = liveEvalEvery(step, evaluation);
      expect(evaluation / (n * step + evaluation)).toBeLessThanOrEqual(0.1);
      expect(n).toBeGreaterThanOrEqual(5);
    }
  });
  it('counts the whole run: steps of every epoch left, live evaluations, one test-set evaluation per epoch', () => {
    const clock = { epochs: 3, epoch: 1, batch: 10, batches: 100, stepSeconds: 1, liveEvalSeconds: 2, liveEvery: 30, testEvalSeconds: 20 };
    // 290 steps, 9 live evaluations, 3 test-set evaluations (this epoch's is still ahead).
    expect(runEtaSeconds(clock)).toBe(290 + 18 + 60);
    expect(runEtaSeconds({ ...clock, epoch: 3, batch: 100 })).toBe(20);
  });
  it('estimates a full run in words', () => {
    // conv-bn on SwiftShader (102 images/s): about half an hour, as docs/benchmarks.md says.
    const seconds = runSeconds(FULL_RUN, { train: 102, evaluate: 306 });
    expect(seconds / 60).toBeGreaterThan(28);
    expect(seconds / 60).toBeLessThan(40);
    expect(formatDuration(seconds)).toMatch(/^\d+ min$/);
    expect(formatDuration(40)).toBe('40 s');
    expect(formatDuration(4 * 3600)).toBe('4.0 h');
  });
});

describe('health warnings', () => {
  it('warns once when the loss passes 10 times its start', () => {
    const h = new HealthWatch(0.1, 0.002);
    expect(h.batch(1, 2.3)).toBeNull();
    expect(h.batch(2, 22)).toBeNull();
    expect(h.batch(3, 24)?.rule).toBe('loss-explosion');
    expect(h.batch(4, 1e9)).toBeNull();
    expect(h.warnings).toHaveLength(1);
  });
  it('warns when the accuracy sits at chance for three evaluations in a row', () => {
    const h = new HealthWatch(0.12, 1);
    expect(h.evaluation(10, 0.11)).toBeNull();
    expect(h.evaluation(20, 0.5)).toBeNull();
    expect(h.evaluation(30, 0.12)).toBeNull();
    expect(h.evaluation(40, 0.13)).toBeNull();
    expect(h.evaluation(50, 0.1)?.message).toContain('sat at chance');
  });
  it('warns when no weight moved: a zero gradient', () => {
    const h = new HealthWatch(0.1, 0.1);
    expect(h.update(10, Number.NaN, 0)).toBeNull();
    expect(h.update(20, 1e-3, 10)).toBeNull();
    expect(h.update(30, 0, 10)?.rule).toBe('zero-gradient');
  });
});
