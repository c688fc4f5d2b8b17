// `npm run train`'s record of the kernel variants it ran (metrics.json's `tuning`), and
// --tuning FILE replaying them to the same weights bit for bit; --autotune budget.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tensorBytes } from '../helpers/weights_bytes';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// SwiftShader, whose shipped choices cover every training kernel of this run, so the
// tuned run's choices (and weights) never depend on timings. On lavapipe (no shipped
// table) budget mode times them, and some timings pick variants that sum in variant 0's
// order: equal weights, and a test that fails by chance.
const RUN = ['--model', 'lenet5', '--epochs', '1', '--limit', '320', '--test-limit', '100', '--seed', '5', '--runtime', 'node', '--adapter', 'swiftshader'];
const LIMIT_MS = 240_000;
const train = (args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });

describe('npm run train: tuning recorded and replayed', () => {
  it(
    'records every choice in metrics.json, and --tuning replays it to identical weights',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'train-tuning-'));
      const weights = (run: string) => tensorBytes(join(dir, run, 'weights.safetensors'));
      const tuningOf = (run: string) => JSON.parse(readFileSync(join(dir, run, 'metrics.json'), 'utf8')).tuning as Record<string, string>;
      // The shipped choices (budget mode tunes what they lack, here nothing) against every kernel's first variant.
      const tuned = train([...RUN, '--autotune', 'budget', '--out', join(dir, 'tuned')]);
      expect(tuned.status, tuned.stderr + tuned.stdout).toBe(0);
      const first = train([...RUN, '--autotune', 'off', '--out', join(dir, 'a')]);
      expect(first.status, first.stderr + first.stdout).toBe(0);
      const metrics = { tuning: tuningOf('a') };
      // LeNet-5's convolutions and dense layers each have a choice: the run records what they ran.
      expect(Object.keys(metrics.tuning).some((k) => k.startsWith('conv2d|'))).toBe(true);
      expect(Object.keys(metrics.tuning).some((k) => k.startsWith('matmul|'))).toBe(true);
      expect(tuningOf('tuned')).not.toEqual(metrics.tuning);
      expect(weights('tuned').equals(weights('a'))).toBe(false);
      // Replaying the first-variant run's record, with tuning otherwise on, gives its weights, not the tuned run's.
      const again = train([...RUN, '--tuning', join(dir, 'a', 'metrics.json'), '--out', join(dir, 'b')]);
      expect(again.status, again.stderr + again.stdout).toBe(0);
      expect(weights('b').equals(weights('a'))).toBe(true);
      expect(tuningOf('b')).toEqual(metrics.tuning);
      // A record naming a variant this engine does not have is refused by name.
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ tuning: { ...metrics.tuning, [Object.keys(metrics.tuning)[0]]: 'no-such-variant' } }));
      const refused = train([...RUN, '--tuning', bad, '--out', join(dir, 'c')]);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr + refused.stdout).toContain("autotune: the tuning to replay runs 'no-such-variant'");
      const junk = join(dir, 'junk.json');
      writeFileSync(junk, '[1, 2]');
      const notTuning = train([...RUN, '--tuning', junk]);
      expect(notTuning.status).toBe(2);
      expect(notTuning.stderr).toContain('holds no tuning');
    },
    3 * LIMIT_MS,
  );
});
