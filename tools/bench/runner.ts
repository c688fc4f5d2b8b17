import type { WebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';
import { benchCases, quickCaseNames, type BenchCase } from './cases';
import { oursSystem } from './ours';
import type { BenchSystem, PreparedCase, RunTiming } from './systems';

export interface Timing {
  medianMs: number;
  /** GPU time from timestamp queries, when measured (ours: every op case; TF.js WebGPU: tf.time). */
  gpuMedianMs: number | null;
  runs: number;
  /** Wall time of the first run, before warm-up (see PreparedCase.firstMs). */
  firstMs?: number;
}

/** A peer that did not time a case says why. */
export interface Skipped {
  skipped: string;
}

export type SystemKey = BenchSystem['key'];

export interface BenchResult {
  name: string;
  flops: number;
  ours: Timing;
  tfjsWebgpu?: Timing | Skipped;
  tfjsCpu?: Timing | Skipped;
  jax?: Timing | Skipped;
  ortWeb?: Timing | Skipped;
  /** Billions of flops per second from our median wall time. */
  gflops: number;
  /** Images per second of ours (training-step and prediction cases). */
  imagesPerSecond?: number;
  /** Peer median wall time / our median wall time: how many times faster ours is. */
  speedup: Partial<Record<Exclude<SystemKey, 'ours'>, number>>;
}

export interface BenchReport {
  adapter: { vendor: string; architecture: string; isFallback: boolean };
  date: string;
  /** The peers' versions, or why a peer could not start. */
  peers: Partial<Record<Exclude<SystemKey, 'ours'>, string>>;
  cases: BenchResult[];
  /** Selected cases ours does not run on this adapter, and why (absent when none). */
  notRun?: { name: string; reason: string }[];
}

export interface BenchOptions {
  quick?: boolean;
  filter?: string;
  runs?: number;
  /** Peer systems, already loaded (see peers.ts); none times ours alone. */
  peers?: BenchSystem[];
  /** Why a peer could not be loaded, by key (reported, not fatal). */
  peerErrors?: Partial<Record<Exclude<SystemKey, 'ours'>, string>>;
  onResult?: (r: BenchResult) => void;
  /** The cases to run, instead of the selection by quick and filter (the device pack's own table). */
  cases?: BenchCase[];
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Idle time before each timed run (see settle). */
const SETTLE_MS = 20;

/**
 * Before each timed run: collect garbage where the page may (the bench's Chromium runs with
 * --expose-gc) and idle briefly, so one system's leftovers (garbage from TF.js's CPU
 * backend, a peer's background buffer work) are not timed as the next system's run.
 */
async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

const isTiming = (t: Timing | Skipped | undefined): t is Timing => t !== undefined && 'medianMs' in t;

/**
 * One case on every system: each prepares (builds inputs, warms up: no pipeline
 * compilation is timed), then the systems take turns, run by run, so a slow spell of
 * this shared machine falls on all of them alike; medians of `runs` runs.
 */
async function timeCase(c: BenchCase, systems: BenchSystem[], runs: number): Promise<BenchResult | Skipped> {
  const prepared = new Map<SystemKey, PreparedCase>();
  const result: Partial<BenchResult> & { speedup: BenchResult['speedup'] } = { name: c.name, flops: c.flops, speedup: {} };
  try {
    for (const s of systems) {
      try {
        const p = await s.prepare(c.spec);
        if (p) prepared.set(s.key, p);
        // A case ours does not run here (the f16 roofline without shader-f16) is left out, saying why.
        else if (s.key === 'ours') return { skipped: s.skipReason?.(c.spec) ?? 'not covered' };
        else (result as Record<string, unknown>)[s.key] = { skipped: s.skipReason?.(c.spec) ?? 'not covered' };
      } catch (e) {
        if (s.key === 'ours') throw e;
        (result as Record<string, unknown>)[s.key] = { skipped: `failed: ${(e as Error).message}` };
      }
    }
    result.flops = prepared.get('ours')?.flops ?? c.flops;
    const timings = new Map<SystemKey, RunTiming[]>([...prepared.keys()].map((k) => [k, []]));
    for (let r = 0; r < runs; r++) {
      for (const [key, p] of prepared) {
        try {
          await settle();
          timings.get(key)?.push(await p.run());
        } catch (e) {
          if (key === 'ours') throw e;
          prepared.delete(key);
          timings.delete(key);
          (result as Record<string, unknown>)[key] = { skipped: `failed: ${(e as Error).message}` };
        }
      }
    }
    for (const [key, ts] of timings) {
      const gpu = ts.map((t) => t.gpuMs).filter((g): g is number => g !== null);
      const p = prepared.get(key)!;
      if (gpu.length === 0 && p.gpuTime) {
        // Systems whose GPU timing changes what a run does are timed for it separately.
        for (let r = 0; r < runs; r++) {
          const g = await p.gpuTime();
          if (g !== null) gpu.push(g);
        }
      }
      (result as Record<string, unknown>)[key] = {
        medianMs: median(ts.map((t) => t.wallMs)),
        gpuMedianMs: gpu.length ? median(gpu) : null,
        runs: ts.length,
        firstMs: p.firstMs,
      };
    }
  } finally {
    for (const p of prepared.values()) p.dispose();
  }
  const ours = result.ours!;
  result.gflops = result.flops! / (ours.medianMs * 1e6);
  if (c.images) result.imagesPerSecond = c.images / (ours.medianMs / 1000);
  for (const key of ['tfjsWebgpu', 'tfjsCpu', 'jax', 'ortWeb'] as const) {
    const t = result[key];
    if (isTiming(t)) result.speedup[key] = t.medianMs / ours.medianMs;
  }
  return result as BenchResult;
}

/** The cases a run selects: --quick's subset and/or names containing the filter text (or any of its comma-separated parts). */
export function selectCases(options: Pick<BenchOptions, 'quick' | 'filter'>): BenchCase[] {
  const parts = options.filter ? options.filter.split(',').filter((p) => p.length > 0) : [];
  return benchCases.filter((c) => (!options.quick || quickCaseNames.has(c.name)) && (parts.length === 0 || parts.some((p) => c.name.includes(p))));
}

/** Times each selected case on ours and the given peers: warm-up, then medians of `runs` (at least 5). */
export async function runBench(backend: WebGPUBackend, options: BenchOptions = {}): Promise<BenchReport> {
  const runs = Math.max(5, options.runs ?? 5);
  const systems = [oursSystem(backend), ...(options.peers ?? [])];
  const results: BenchResult[] = [];
  const notRun: { name: string; reason: string }[] = [];
  for (const c of options.cases ?? selectCases(options)) {
    const r = await timeCase(c, systems, runs);
    if ('skipped' in r) {
      notRun.push({ name: c.name, reason: r.skipped });
      continue;
    }
    options.onResult?.(r);
    results.push(r);
  }
  const peers: BenchReport['peers'] = { ...options.peerErrors };
  for (const s of options.peers ?? []) if (s.key !== 'ours') peers[s.key] = s.label;
  return {
    adapter: { vendor: backend.adapterInfo.vendor, architecture: backend.adapterInfo.architecture, isFallback: backend.isFallbackAdapter },
    date: new Date().toISOString(),
    peers,
    cases: results,
    ...(notRun.length ? { notRun } : {}),
  };
}
