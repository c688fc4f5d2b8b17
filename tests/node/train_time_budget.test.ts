// `npm run train -- --time-budget DURATION`: trains until the budget is spent, then
// finishes the batch, checkpoints, evaluates on the test set and writes the report;
// metrics.json records the images seen. A resumed run goes on with what is left.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIMIT_MS = 240_000;
const train = (args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });
// No epoch count: the budget alone ends the run (an epoch of 60,000 images takes longer than 8 s here).
const RUN = ['--model', 'lenet5', '--batch', '32', '--test-limit', '500', '--autotune', 'off', '--runtime', 'node', '--adapter', 'swiftshader'];

describe('npm run train -- --time-budget', () => {
  it(
    'stops once 8 s of training are spent: the batch finishes, a checkpoint, the test set, the report; metrics.json counts the images',
    () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'train-budget-')), 'run');
      const run = train([...RUN, '--time-budget', '8s', '--out', dir]);
      const text = run.stdout + run.stderr;
      expect(run.status, text).toBe(0);
      expect(text).toContain('time budget 8s');
      // No epoch count to show (the budget bounds the run): the progress lines name the epoch alone.
      expect(text).toMatch(/^epoch 1 [█░]+ +\d+\/1875 /m);
      expect(text).not.toContain('/1000');
      expect(text).toMatch(/epoch 1 \(time budget of 8s spent\): loss [\d.]+, train accuracy [\d.]+, test loss [\d.]+, test accuracy [\d.]+/);
      expect(text).toMatch(/time budget 8s spent: [\d,]+ images seen in \d+ s of training/);
      for (const f of ['weights.safetensors', 'checkpoint.safetensors', 'metrics.json', 'report.html']) expect(existsSync(join(dir, f)), f).toBe(true);
      const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
      expect(m).toMatchObject({ complete: true, stoppedByBudget: true, timeBudgetSeconds: 8, epochsDone: 0, testExamples: 500, diverged: null });
      expect(m.imagesSeen % 32).toBe(0);
      expect(m.imagesSeen).toBeGreaterThanOrEqual(32);
      expect(m.imagesSeen).toBeLessThan(60_000);
      // The budget counts from fit's start (compiling and tuning the step included), so the epoch's own seconds are at most it, give or take the steps queued when it ran out.
      expect(m.trainSeconds).toBeGreaterThan(0);
      expect(m.trainSeconds).toBeLessThan(15);
      expect(m.testAccuracy).toBeGreaterThan(0.2);
      // The cosine schedule was fitted to the steps the budget holds, and the checkpoint keeps it for a resume.
      // (The job times 20 steps after the first 5 before it fits it: a slow machine may not get that far in 8 s.)
      if (m.imagesSeen > 25 * 32) expect(m.config.scheduleSteps).toBeGreaterThan(0);

      // --resume with a new budget goes on from the checkpoint, mid-epoch, with what is left of it.
      const more = train(['--resume', dir, '--time-budget', '12s']);
      expect(more.status, more.stdout + more.stderr).toBe(0);
      expect(more.stdout + more.stderr).toMatch(/resuming .* at epoch 1, step \d+/);
      const m2 = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
      expect(m2.imagesSeen).toBeGreaterThan(m.imagesSeen);
      expect(m2.trainSeconds).toBeLessThan(12 + 10);
      expect(m2.timeBudgetSeconds).toBe(12);
    },
    2 * LIMIT_MS,
  );

  it('refuses a duration it cannot read', () => {
    const run = train(['--time-budget', '50 minutes', '--out', join(tmpdir(), 'never')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("train: --time-budget must be a duration such as 30s, 50m, 2h or 1h30m, got '50 minutes'");
  });
});
