import { describe, expect, it } from 'vitest';
import { benchCases, quickCaseNames } from '../src/bench/cases';
import { runBench } from '../src/bench/runner';
import { matmul } from '../src/ops/matmul';
import { tensor } from '../src/tensor';
import { gpuBackend } from './helpers/backends';

describe('kernel timing and the benchmark runner', () => {
  it('times enqueued work with timestamp queries when the device has them', async () => {
    const gpu = await gpuBackend();
    const a = tensor(gpu, new Float32Array(128 * 128).fill(1), [128, 128]);
    const t = await gpu.time(() => void matmul(a, a));
    expect(t.wallMs).toBeGreaterThan(0);
    if (gpu.features.has('timestamp-query')) {
      expect(t.gpuMs).toBeGreaterThan(0);
      expect(t.gpuMs!).toBeLessThanOrEqual(t.wallMs + 1);
    } else {
      expect(t.gpuMs).toBeNull();
    }
  });

  it('runs a named case and reports medians of at least 5 runs and GFLOP/s', async () => {
    const report = await runBench(await gpuBackend(), { filter: 'dense-64x400x120', warmup: 1 });
    expect(report.cases.map((c) => c.name)).toEqual(['dense-64x400x120']);
    const [c] = report.cases;
    expect(c.flops).toBe(2 * 64 * 400 * 120);
    expect(c.ours.runs).toBeGreaterThanOrEqual(5);
    expect(c.gflops).toBeGreaterThan(0);
  });

  it('names every case the benchmark issue lists, and the quick set includes its three musts', () => {
    const names = benchCases.map((c) => c.name);
    for (const n of ['matmul-256', 'matmul-512', 'matmul-1024', 'dense-64x400x120', 'dwconv-3x3-s1', 'dwconv-3x3-s2']) expect(names).toContain(n);
    for (const layer of ['conv-lenet1', 'conv-lenet2', 'conv-vgg', 'conv-mobilenet-pw']) {
      for (const pass of ['fwd', 'grad-input', 'grad-filter']) expect(names).toContain(`${layer}-${pass}`);
    }
    for (const n of ['matmul-512', 'conv-lenet1-fwd']) expect(quickCaseNames.has(n)).toBe(true);
  });
});
