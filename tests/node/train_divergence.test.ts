// `npm run train` on a run that explodes: it stops, says which rule fired, records it in
// metrics.json, keeps no weights of the exploded model, and does not suggest --resume
// when no epoch finished.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIMIT_MS = 240_000;
const train = (args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });

describe('npm run train: a finite explosion is divergence', () => {
  it(
    'Adam at lr 1000 stops with rule loss-explosion, exit 1, in the output and in metrics.json',
    () => {
      const out = join(mkdtempSync(join(tmpdir(), 'train-diverge-')), 'run');
      const r = train([
        '--model',
        'lenet5',
        '--optimizer',
        'adam',
        '--lr',
        '1000',
        '--schedule',
        'constant',
        '--epochs',
        '1',
        '--limit',
        '640',
        '--test-limit',
        '64',
        '--autotune',
        'off',
        '--out',
        out,
      ]);
      const text = r.stdout + r.stderr;
      expect(r.status, text).toBe(1);
      expect(text).toMatch(
        /train: diverged \(rule loss-explosion\): fit: the loss became \S+ at step \d+ \(epoch 1, batch \d+\) with learning rate 1000, over 1000 times the lowest loss so far/,
      );
      const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
      expect(metrics.diverged.rule).toBe('loss-explosion');
      expect(metrics.complete).toBe(false);
      expect(existsSync(join(out, 'weights.safetensors'))).toBe(false);
      expect(text).not.toContain('--resume');
    },
    LIMIT_MS,
  );

  it('--divergence-factor is checked before anything runs', () => {
    const r = train(['--divergence-factor', '1', '--out', join(mkdtempSync(join(tmpdir(), 'train-diverge-')), 'run')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("train: --divergence-factor must be a number above 1 or off, got '1'");
  });
});
