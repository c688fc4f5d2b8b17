import type { Tensor } from '../tensor';
import { defineOp, runOp, type OpDef } from './op';

export interface DropoutAttrs {
  [key: string]: unknown;
  /** Probability of dropping an element, in [0, 1). */
  readonly p: number;
  /** 32-bit seed; the same seed gives the same mask on every backend. */
  readonly seed: number;
}

/**
 * The keep/drop decision for element i: a counter-based hash of (seed, i), so any
 * element's decision is computed independently, in the same u32 arithmetic in WGSL and
 * here. Element i is kept when hash >= floor(p * 2^32).
 */
export function dropoutHash(seed: number, i: number): number {
  const mix = (x: number) => {
    let v = x >>> 0;
    v ^= v >>> 16;
    v = Math.imul(v, 0x7feb352d) >>> 0;
    v ^= v >>> 15;
    v = Math.imul(v, 0x846ca68b) >>> 0;
    v ^= v >>> 16;
    return v >>> 0;
  };
  return mix((Math.imul(i, 0x9e3779b9) + mix(seed)) >>> 0);
}

export const dropoutThreshold = (p: number) => Math.floor(p * 4294967296);

/**
 * The seed actually hashed: `seed` plus the optional step counter (a one-element float
 * tensor holding a whole number). A compiled training step keeps `seed` fixed and
 * writes the step counter each step, so every step draws a new mask without
 * rebuilding the step's commands.
 */
export const dropoutSeed = (seed: number, step: number) => (seed + step) >>> 0;

/**
 * Inverted dropout: kept elements are scaled by 1 / (1 - p), so inference is the
 * identity. Inputs: x and, optionally, the step counter [1].
 */
export const dropoutOp: OpDef<DropoutAttrs> = defineOp<DropoutAttrs>({
  name: 'dropout',
  inputs: [1, 2],
  inferShape([x, step], attrs) {
    if (step && (step.length !== 1 || step[0] !== 1)) throw new Error(`dropout: the step counter must have shape [1], got [${step.join(',')}]`);
    if (!(attrs.p >= 0 && attrs.p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${attrs.p}`);
    if (!Number.isInteger(attrs.seed) || attrs.seed < 0 || attrs.seed > 0xffffffff) {
      throw new Error(`dropout: seed must be a 32-bit unsigned integer, got ${attrs.seed}`);
    }
    return x;
  },
  // The same mask and scale apply to the gradient: dropout with the same seed.
  grad: ([, step], _y, dy, attrs) => (step ? [runOp(dropoutOp, [dy, step], attrs), null] : [runOp(dropoutOp, [dy], attrs)]),
});

export interface DropoutOptions {
  training: boolean;
  seed: number;
  /** A step counter [1] added to the seed on the device (compiled training steps). */
  step?: Tensor;
}

/** Drops each element with probability p while training (a new seed per step); identity in inference. */
export function dropout(x: Tensor, p: number, options: DropoutOptions): Tensor {
  if (!options.training) return x;
  return runOp(dropoutOp, options.step ? [x, options.step] : [x], { p, seed: options.seed });
}
