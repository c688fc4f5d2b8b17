import { Random } from '../../src/random';
import { sizeOf, type Shape } from '../../src/shape';
import type { CaseSpec } from './cases';

/** One timed run: wall time from enqueue to finished work, and GPU time where measured. */
export interface RunTiming {
  wallMs: number;
  gpuMs: number | null;
}

/** A case set up on one system: inputs made, pipelines compiled by the warm-up. */
export interface PreparedCase {
  run(): Promise<RunTiming>;
  /**
   * Wall time of the case's first run (pipelines compiled, shapes met for the first time):
   * an app's first call when the case is the first of a fresh process (--filter it alone).
   */
  firstMs?: number;
  /**
   * GPU time of one more run, for systems whose timestamp queries would change what
   * `run` measures (a second readback inside the wall time): timed after the wall runs.
   */
  gpuTime?(): Promise<number | null>;
  /** The work of one run where the system sizes it on the adapter (the roofline cases): it replaces the case's flops. */
  flops?: number;
  dispose(): void;
}

/**
 * An engine the harness times. `prepare` returns null when the system does not cover
 * the case (jax-js: matmul, conv forward and the plain training steps; ONNX Runtime Web:
 * inference), with `skipReason` saying why.
 */
export interface BenchSystem {
  readonly key: 'ours' | 'tfjsWebgpu' | 'tfjsCpu' | 'jax' | 'ortWeb';
  readonly label: string;
  prepare(spec: CaseSpec): Promise<PreparedCase | null>;
  skipReason?(spec: CaseSpec): string;
  dispose?(): void;
}

/** Seeded inputs in [-1, 1) of a shape, the same values for every system (the project's Random). */
export const benchData = (shape: Shape, seed: number): Float32Array => new Random(seed).uniformArray(sizeOf(shape));
