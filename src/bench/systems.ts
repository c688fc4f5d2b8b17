import type { CaseSpec } from './cases';

/** One timed run: wall time from enqueue to finished work, and GPU time where measured. */
export interface RunTiming {
  wallMs: number;
  gpuMs: number | null;
}

/** A case set up on one system: inputs made, pipelines compiled by the warm-up. */
export interface PreparedCase {
  run(): Promise<RunTiming>;
  dispose(): void;
}

/**
 * An engine the harness times. `prepare` returns null when the system does not cover
 * the case (jax-js: only matmul and conv forward), with `skipReason` saying why.
 */
export interface BenchSystem {
  readonly key: 'ours' | 'tfjsWebgpu' | 'tfjsCpu' | 'jax';
  readonly label: string;
  prepare(spec: CaseSpec): Promise<PreparedCase | null>;
  skipReason?(spec: CaseSpec): string;
  dispose?(): void;
}

/** Deterministic pseudo-random inputs in [-1, 1) shared by every system (same values, same sizes). */
export function benchData(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}
