import type { WebGPUBackend } from '../backends/webgpu/webgpu_backend';
import { benchCases, quickCaseNames, type BenchCase } from './cases';

export interface Timing {
  medianMs: number;
  /** GPU time from timestamp queries, when the adapter has them. */
  gpuMedianMs: number | null;
  runs: number;
}

export interface BenchResult {
  name: string;
  flops: number;
  ours: Timing;
  /** Billions of flops per second from the median wall time. */
  gflops: number;
}

export interface BenchReport {
  adapter: { vendor: string; architecture: string; isFallback: boolean };
  date: string;
  cases: BenchResult[];
}

export interface BenchOptions {
  quick?: boolean;
  filter?: string;
  runs?: number;
  warmup?: number;
  onResult?: (r: BenchResult) => void;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timeCase(backend: WebGPUBackend, c: BenchCase, runs: number, warmup: number): Promise<BenchResult> {
  const { run, inputs } = c.setup(backend);
  // Warm-up compiles pipelines and fills the buffer pool, so neither is timed.
  for (let i = 0; i < warmup; i++) {
    const out = run();
    await out.read();
    out.dispose();
  }
  const wall: number[] = [];
  const gpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    let out: { dispose(): void } | null = null;
    const t = await backend.time(() => {
      out = run();
    });
    out!.dispose();
    wall.push(t.wallMs);
    if (t.gpuMs !== null) gpu.push(t.gpuMs);
  }
  for (const t of inputs) t.dispose();
  const ours = { medianMs: median(wall), gpuMedianMs: gpu.length ? median(gpu) : null, runs };
  return { name: c.name, flops: c.flops, ours, gflops: c.flops / (ours.medianMs * 1e6) };
}

/** Times each selected case: warm-up, then the median of `runs` timed runs (at least 5). */
export async function runBench(backend: WebGPUBackend, options: BenchOptions = {}): Promise<BenchReport> {
  const runs = Math.max(5, options.runs ?? 5);
  const cases = benchCases.filter((c) => (!options.quick || quickCaseNames.has(c.name)) && (!options.filter || c.name.includes(options.filter)));
  const results: BenchResult[] = [];
  for (const c of cases) {
    const r = await timeCase(backend, c, runs, options.warmup ?? 2);
    options.onResult?.(r);
    results.push(r);
  }
  return {
    adapter: { vendor: backend.adapterInfo.vendor, architecture: backend.adapterInfo.architecture, isFallback: backend.isFallbackAdapter },
    date: new Date().toISOString(),
    cases: results,
  };
}
