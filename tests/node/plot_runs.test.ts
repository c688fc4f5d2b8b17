// `npm run plot:runs`: several runs' training curves in one SVG (resnet20 against plain20 in
// the model zoo's docs), from their metrics.json; runs without a curve are refused by name.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const plot = (args: string[]) => spawnSync(process.execPath, ['scripts/plot_runs.mjs', ...args], { encoding: 'utf8', timeout: 30_000 });

/** A run folder whose metrics.json has what the plot reads: 2 epochs of 640 images at batch 64. */
function run(dir: string, name: string, model: string, losses: number[] | null, accuracies: number[]) {
  const out = join(dir, name);
  mkdirSync(out, { recursive: true });
  const metrics = {
    model,
    config: { batch: 64 },
    trainExamples: 640,
    imagesSeen: 1280,
    testAccuracy: accuracies.at(-1),
    testAccuracyPerEpoch: accuracies,
    ...(losses ? { lossCurve: losses.map((loss, i) => ({ images: (i + 1) * 128, loss })) } : {}),
  };
  writeFileSync(join(out, 'metrics.json'), JSON.stringify(metrics));
  return out;
}

describe('npm run plot:runs', () => {
  it("draws each run's loss against images seen and its test accuracy per epoch, named in the legend", () => {
    const dir = mkdtempSync(join(tmpdir(), 'plot-runs-'));
    const losses = [2.3, 1.9, 1.5, 1.2, 1.0, 0.9, 0.8, 0.75, 0.7, 0.65];
    const a = run(dir, 'res', 'resnet20', losses, [0.81, 0.86]);
    const b = run(
      dir,
      'plain',
      'plain20',
      losses.map((l) => l * 1.1),
      [0.78, 0.83],
    );
    const svg = join(dir, 'figure.svg');
    const r = plot(['--runs', `${a},${b}`, '--out', svg, '--title', 'residual against plain']);
    expect(r.status, r.stderr).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('residual against plain');
    expect(text).toContain('resnet20 (res): test 86.00%');
    expect(text).toContain('plain20 (plain): test 83.00%');
    // One solid loss line of ten points and one dashed accuracy line of two dots per run.
    const lines = [...text.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1].trim().split(' ').length);
    expect(lines).toEqual([10, 2, 10, 2]);
    expect(text.match(/<circle /g)?.length).toBe(4);
    // The dots stand at each epoch's end: 640 images, then 1,280, the curve's last point.
    const xs = [...text.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    const last = [...text.matchAll(/<polyline [^>]*points="([^"]+)"/g)][0][1].trim().split(' ').at(-1)!;
    expect(xs[1]).toBeCloseTo(Number(last.split(',')[0]), 6);
    expect(xs[0]).toBeLessThan(xs[1]);
  });

  it('refuses a folder without metrics.json, a run without a curve, and no --runs, naming them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plot-runs-bad-'));
    const old = run(dir, 'old', 'lenet5', null, [0.8]);
    const missing = plot(['--runs', join(dir, 'nowhere'), '--out', join(dir, 'f.svg')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`plot:runs: ${join(dir, 'nowhere')}: no metrics.json`);
    const noCurve = plot(['--runs', old, '--out', join(dir, 'f.svg')]);
    expect(noCurve.status).toBe(2);
    expect(noCurve.stderr).toContain(`${join(old, 'metrics.json')}: no training-loss curve (lossCurve)`);
    const none = plot(['--out', join(dir, 'f.svg')]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('--runs names at least one run folder');
  });
});
