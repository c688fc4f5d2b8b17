// The lab's accuracy bar (issue 31: 5 Fashion-MNIST classes, 600 tinted 40x40 JPEGs each,
// `npm run train -- --dataset folder:PATH --model lenet5 --epochs 2` to at least 0.85),
// kept small enough for the suite: the hardest five classes (T-shirt, trouser, pullover,
// dress, coat) at 200 JPEGs each, trained with the command's defaults, which must pick a
// batch that gives the short run enough steps. docs/your-own-images.md has the full-size runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFashionFolder } from '../../tools/cli/fashion_folder.mjs';
import { defaultBatch } from '../../tools/jobs/train_data';

const LIMIT_MS = 240_000;
const train = (args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });
/**
 * The bar. Measured on this folder (2026-12-07, Node on SwiftShader, --autotune off, as
 * below; 200 validation images, so one image is 0.005 and the standard error of an
 * accuracy near 0.78 is 0.03): with the defaults (batch 16, 50 steps an epoch) seeds 1,
 * 2, 3 reached 0.760, 0.785, 0.785; at the old default batch of 64 (12 steps an epoch)
 * 0.565, 0.750, 0.770. The bar is the lowest default run less 0.04 (8 images), room for
 * another machine's SwiftShader and kernel variants; seed 1 at batch 64 falls 0.155 below it.
 */
const BAR = 0.72;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'train-folder-accuracy-'));
  await writeFashionFolder(join(dir, 'fm04'), { classes: 5, perClass: 200, size: 40, formats: ['jpeg'] });
});

describe('an image folder trained with the defaults', () => {
  it('defaultBatch: 64, and for a folder 64 halved while an epoch is under 100 steps, down to 16 (or the images there are)', () => {
    expect(defaultBatch('fashion-mnist', 60_000)).toBe(64);
    expect(defaultBatch('fashion-mnist', 640)).toBe(64);
    expect(defaultBatch('folder:/data', 60_000)).toBe(64);
    expect(defaultBatch('folder:/data', 6400)).toBe(64);
    expect(defaultBatch('folder:/data', 6399)).toBe(32);
    expect(defaultBatch('folder:/data', 3200)).toBe(32);
    expect(defaultBatch('folder:/data', 2400)).toBe(16);
    expect(defaultBatch('folder:/data', 800)).toBe(16);
    expect(defaultBatch('folder:/data', 16)).toBe(16);
    expect(defaultBatch('folder:/data', 12)).toBe(8);
    expect(defaultBatch('folder:/data', 1)).toBe(1);
  });

  it(
    'lenet5, 2 epochs, on 5 Fashion-MNIST classes of 200 tinted JPEGs: batch 16 by default, validation accuracy above the bar',
    () => {
      const out = join(dir, 'run');
      const run = train([
        '--dataset',
        `folder:${join(dir, 'fm04')}`,
        '--model',
        'lenet5',
        '--epochs',
        '2',
        '--autotune',
        'off',
        '--runtime',
        'node',
        '--adapter',
        'swiftshader',
        '--out',
        out,
      ]);
      const text = run.stdout + run.stderr;
      expect(run.status, text).toBe(0);
      expect(text).toContain('800 train / 200 validation examples, 50 steps per epoch, batch 16,');
      const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
      expect(metrics.config.batch).toBe(16);
      expect(metrics.testAccuracy).toBeGreaterThanOrEqual(BAR);
    },
    LIMIT_MS,
  );
});
