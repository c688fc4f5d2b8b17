// What a parity case is and how it is checked, without the test runner: the tests
// (parity.ts) and the device pack's parity sweep (tools/device/parity_sweep.ts) share it.
import { sizeOf, stridesOf, type Shape } from '../../src/shape';
import type { Attrs, Backend } from '../../src/backends/backend';
import { gammaF32 } from '../../src/numerics';
import { runOpByName } from '../../src/ops/op';
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
  /** |got - ref| / allowed(i) at the worst element (0: exact; above 1: fails); Infinity for a NaN where the reference has a number. */
  worstExcess: number;
  /** Flat index of that element (-1 when every element is exact). */
  worst: number;
  /** The largest |got - ref| over elements that are both finite. */
  maxAbs: number;
  /** The error element i may have. */
  allowed(i: number): number;
}

/**
 * The reference of an f16 kernel row (variants.ts's `precision: 'f16'`) on a case: the op
 * on a CPU backend in f16 mode (`new CpuBackend({ f16Operands: true })`: the operands the
 * row stores in f16 rounded to nearest, summed in float64), and per element the sum of
 * the absolute values of its terms (the same op on the inputs' absolute values, without
 * the fused ReLU), which the error bound scales with (f16Allowed).
 */
export async function f16Reference(cpuF16: Backend, c: ParityCase): Promise<{ values: Float32Array; magnitude: Float32Array; shape: number[] }> {
  const inputs = makeInputs(cpuF16, c);
  const out = runOpByName(c.op, inputs, c.attrs ?? {});
  const absolute = await Promise.all(inputs.map(async (t) => tensor(cpuF16, (await t.read()).map(Math.abs), t.shape)));
  const sum = runOpByName(c.op, absolute, { ...c.attrs, relu: false });
  const [values, magnitude] = [await out.read(), await sum.read()];
  const shape = [...out.shape];
  for (const t of [...inputs, ...absolute, out, sum]) t.dispose();
  return { values, magnitude, shape };
}

/**
 * What an f16 row may differ from its reference (f16Reference) by at element i, derived
 * (docs/numerics.md): the row and the reference multiply the same f16 values, whose
 * products are exact in float32, so the only difference is the row's float32 sum of the
 * L = c.reduction terms (bias included): at most gamma_L * sum |term| in any order; plus
 * the reference's own rounding to float32 and that of the magnitude, one unit roundoff of
 * the magnitude each: gamma_(L+2) * magnitude. The fused ReLU only shrinks differences.
 */
export function f16Allowed(c: ParityCase, magnitude: ArrayLike<number>): (i: number) => number {
  const gamma = gammaF32(Math.max(1, c.reduction ?? 1) + 2);
  return (i) => gamma * magnitude[i];
}

/** Compares a run's values with the reference's under the case's tolerance (NaN where both are NaN, equal infinities: exact). */
export function parityError(c: ParityCase, got: ArrayLike<number>, ref: ArrayLike<number>, bound?: (i: number) => number): ParityError {
  const tol = tolerance(c);
  const allowed = bound ?? ((i: number) => tol + tol * Math.abs(ref[i]));
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
    const ratio = err / allowed(i);
    // An allowance that is NaN (a NaN magnitude) allows nothing.
    const excess = bothNaN || sameInf || err === 0 ? 0 : Number.isNaN(ratio) ? Infinity : ratio;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  return { worstExcess, worst, maxAbs, allowed };
}
