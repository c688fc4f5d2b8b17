// What a parity case is and how it is checked, without the test runner: the tests
// (parity.ts) and the device pack's parity sweep (tools/device/parity_sweep.ts) share it.
import { sizeOf, stridesOf, type Shape } from '../../src/shape';
import type { Attrs, Backend } from '../../src/backends/backend';
import { Random } from '../../src/random';
import { tensor } from '../../src/tensor';

/** float32 machine epsilon. */
const EPS32 = 2 ** -23;

/** One input of a parity case: its shape and how its values are drawn. */
export interface InputSpec {
  shape: Shape;
  /** Value range for seeded uniform data (default [-1, 1)), or explicit values. */
  range?: [number, number];
  values?: ArrayLike<number>;
}

/**
 * One op run on both backends. `reduction` is the number of terms summed into each
 * output (K for matmul, the reduced count for sum); the tolerance grows with it.
 */
export interface ParityCase {
  name: string;
  op: string;
  inputs: InputSpec[];
  attrs?: Attrs;
  reduction?: number;
  /** Extra relative slack for transcendental functions (in units of 1e-6). */
  ulpsExtra?: number;
}

/** A named table of cases for one op family; `ops` lists every op name it covers. */
export interface ParityTable {
  ops: readonly string[];
  cases: ParityCase[];
}

/**
 * Tolerance: |gpu - cpu| <= atol + rtol * |cpu| with
 *   rtol = atol = 8 * eps32 * sqrt(reduction) * 16  (+ ulpsExtra * 1e-6).
 * Rounding errors of a float32 sum of L terms grow like sqrt(L) * eps on random data;
 * the constant leaves ~100x room over observed errors while any indexing, transpose or
 * bias mistake gives errors of order 0.1 to 1, so a broken kernel still fails.
 */
export function tolerance(c: ParityCase): number {
  const l = Math.max(1, c.reduction ?? 1);
  return 128 * EPS32 * Math.sqrt(l) + (c.ulpsExtra ?? 0) * 1e-6;
}

export function unravel(i: number, shape: Shape): string {
  const strides = stridesOf(shape);
  return `[${strides.map((s, d) => Math.floor(i / s) % shape[d]).join(',')}]`;
}

/** Creates a case's inputs on a backend from the same seeded values. */
export function makeInputs(backend: Backend, c: ParityCase, seed = 1234) {
  const rng = new Random(seed);
  return c.inputs.map((spec) => {
    const n = sizeOf(spec.shape);
    const values = spec.values ?? rng.uniformArray(n, ...(spec.range ?? [-1, 1]));
    return tensor(backend, values, spec.shape);
  });
}

/** How far a run is from the reference: the worst element's error over what it may be, and the largest plain error. */
export interface ParityError {
  /** |got - ref| / (tol + tol * |ref|) at the worst element (0: exact; above 1: fails); Infinity for a NaN where the reference has a number. */
  worstExcess: number;
  /** Flat index of that element (-1 when every element is exact). */
  worst: number;
  /** The largest |got - ref| over elements that are both finite. */
  maxAbs: number;
  tol: number;
}

/** Compares a run's values with the reference's under the case's tolerance (NaN where both are NaN, equal infinities: exact). */
export function parityError(c: ParityCase, got: ArrayLike<number>, ref: ArrayLike<number>): ParityError {
  const tol = tolerance(c);
  let worst = -1;
  let worstExcess = 0;
  let maxAbs = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i];
    const g = got[i];
    const bothNaN = Number.isNaN(r) && Number.isNaN(g);
    const sameInf = r === g;
    const err = Math.abs(g - r);
    if (Number.isFinite(err) && err > maxAbs) maxAbs = err;
    const allowed = tol + tol * Math.abs(r);
    const excess = bothNaN || sameInf ? 0 : Number.isNaN(err) ? Infinity : err / allowed;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  return { worstExcess, worst, maxAbs, tol };
}
