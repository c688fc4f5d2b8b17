// `npm run train -- --task segment`: a label per pixel on scenes of Fashion-MNIST items,
// scored by pixel accuracy and mean IoU in the progress line, metrics.json and report.html.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { safetensorsMetadata } from '../../src/io/safetensors';
import { pngText } from '../../tools/cli/png.mjs';

const LIMIT_MS = 240_000;
const train = (args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });

describe('npm run train -- --task segment', () => {
  it(
    'trains unet-mini on scenes in Node and records pixel accuracy, mean IoU, IoU per label and a scene grid',
    () => {
      const out = join(mkdtempSync(join(tmpdir(), 'train-segment-')), 'run');
      const run = train([
        '--task',
        'segment',
        '--epochs',
        '1',
        '--limit',
        '64',
        '--test-limit',
        '16',
        '--batch',
        '16',
        '--autotune',
        'off',
        '--runtime',
        'node',
        '--out',
        out,
      ]);
      const text = run.stdout + run.stderr;
      expect(run.status, text).toBe(0);
      expect(text).toContain('training unet-mini (121,123 parameters) on 64x64 scenes of fashion-mnist items (label per pixel): 64 train / 16 test scenes');
      expect(text).toMatch(
        /epoch 1\/1: loss \d\.\d{4}, train pixel accuracy 0\.\d{4}, test loss \d\.\d{4}, test pixel accuracy 0\.\d{4}, test mean IoU 0\.\d{4}/,
      );
      const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
      expect(m.task).toBe('segment');
      expect(m.classes).toEqual(['background', 'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
      expect(m.testPixels).toBe(16 * 64 * 64);
      // The confusion matrix is of pixels: its counts sum to the test pixels, and the scores follow from it.
      const confusion: number[][] = m.confusionMatrix;
      expect(confusion).toHaveLength(11);
      expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(m.testPixels);
      expect(m.testAccuracy).toBeCloseTo(confusion.reduce((s, row, k) => s + row[k], 0) / m.testPixels, 10);
      const iou = confusion.map((row, k) => {
        const union = row.reduce((a, b) => a + b, 0) + confusion.reduce((a, r) => a + r[k], 0) - row[k];
        return union === 0 ? null : row[k] / union;
      });
      expect(Object.values(m.testIoU)).toEqual(iou);
      const present = iou.filter((v): v is number => v !== null);
      expect(m.testMeanIoU).toBeCloseTo(present.reduce((a, b) => a + b, 0) / present.length, 10);
      expect(m.testMeanIoUPerEpoch).toEqual([m.testMeanIoU]);
      // The weights say what they are for: the model and the inputs' normalisation (the demo's Visualise page reads these).
      const metadata = safetensorsMetadata(new Uint8Array(readFileSync(join(out, 'weights.safetensors'))), 'weights.safetensors');
      expect(metadata.model_key).toBe('unet-mini');
      expect(Number(metadata.input_mean)).toBeCloseTo(m.normalization.mean, 6);
      expect(Number(metadata.input_std)).toBeCloseTo(m.normalization.std, 6);
      const report = readFileSync(join(out, 'report.html'), 'utf8');
      expect(report).toContain('<h2>Test scenes: image, truth, prediction</h2>');
      // Eight scenes, three PNG pictures each, and a legend of the 11 labels.
      expect(report.match(/<img src="data:image\/png;base64,/g)).toHaveLength(24);
      expect(report.match(/class="swatch"/g)).toHaveLength(11);
      expect(report).toContain('test mean IoU');
      // scenes.png: the same eight scenes as one picture, three 128-pixel cells a row with 4-pixel gaps.
      const png = readFileSync(join(out, 'scenes.png'));
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([3 * 128 + 4 * 4, 8 * (128 + 4) + 4]);
      // It names its run, so a later run into the folder removes it with the rest.
      expect(pngText(png)['run-id']).toBe(m.runId);
    },
    LIMIT_MS,
  );

  it('refuses --class-weights that are not numbers >= 0 before anything starts', () => {
    const run = train(['--task', 'segment', '--class-weights', '0.1,x,1', '--out', join(tmpdir(), 'never')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("train: --class-weights must be numbers >= 0 separated by commas, got '0.1,x,1'");
  });

  it('refuses --augment and --pad with --task segment before anything starts', () => {
    for (const extra of [['--augment'], ['--pad', '2']]) {
      const run = train(['--task', 'segment', ...extra, '--out', join(tmpdir(), 'never')]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/train: --(augment|pad) does not apply to --task segment/);
    }
  });
});
