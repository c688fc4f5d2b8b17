import { mkdtempSync, readdirSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module of the command line
import { writeFileAtomic } from '../../cli/atomic_write.mjs';
// @ts-expect-error plain JavaScript module of the command line
import { renderReport } from '../../cli/report.mjs';

describe('atomic writes', () => {
  it('replaces the file whole and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const path = join(dir, 'sub', 'weights.safetensors');
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    writeFileAtomic(path, 'second');
    expect(readFileSync(path, 'utf8')).toBe('second');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['weights.safetensors']);
  });

  it('a failed write keeps the previous file and says so', () => {
    if (process.getuid?.() === 0) return; // root ignores the read-only folder
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const path = join(dir, 'metrics.json');
    writeFileSync(path, 'good');
    chmodSync(dir, 0o500);
    try {
      expect(() => writeFileAtomic(path, 'new')).toThrow(`writing ${path} failed (the previous file, if any, is untouched)`);
    } finally {
      chmodSync(dir, 0o700);
    }
    expect(readFileSync(path, 'utf8')).toBe('good');
  });

  it('a failed write into a path that is a folder leaves the folder and no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    mkdirSync(join(dir, 'taken'));
    expect(() => writeFileAtomic(join(dir, 'taken'), 'x')).toThrow(/writing .*taken failed/);
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});

describe('training report', () => {
  it('has both curves, the confusion matrix and one image per first-layer filter', () => {
    const metrics = {
      model: 'lenet5', params: 61706, dataset: 'fashion-mnist', trainExamples: 60000, testExamples: 10000, backend: 'webgpu',
      adapter: { vendor: 'google', architecture: 'swiftshader' }, config: { optimizer: 'adam', lr: 0.001, batch: 64, epochs: 2, augment: false },
      testAccuracy: 0.9, imagesPerSecond: 100, dispatchesPerStep: 49, submitsPerStep: 1, totalSeconds: 10,
      loss: [0.6, 0.4], testLossPerEpoch: [0.5, 0.45], trainAccuracy: [0.8, 0.85], testAccuracyPerEpoch: [0.85, 0.9],
      confusionMatrix: [[5, 1], [2, 7]], classes: ['a', 'b'],
    };
    const html = renderReport(metrics, { shape: [3, 1, 2, 2], data: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] });
    expect(html).toContain('aria-label="loss"');
    expect(html).toContain('aria-label="accuracy"');
    expect(html.match(/aria-label="filter \d+"/g)).toHaveLength(3);
    expect(html).toContain('<td style="background:rgba(23,107,31,1.000);color:#fff">7</td>');
    expect(html).toContain('90.00%');
  });
});

describe('npm run train arguments', () => {
  const train = (...args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8' });
  it('rejects unknown options and bad values before starting anything (exit 2)', () => {
    const r = train('--epochs', 'x');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("train: --epochs must be a positive integer, got 'x'");
    expect(train('--optimizer', 'rmsprop').stderr).toContain("train: --optimizer must be one of sgd, momentum, nesterov, adam, adamw, got 'rmsprop'");
    expect(train('--colour', 'red').stderr).toContain('train: unknown option --colour');
  });
});
