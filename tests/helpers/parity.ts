import { expect } from 'vitest';
import { formatShape, sizeOf, stridesOf, type Shape } from '../../src/shape';
import type { Attrs, Backend } from '../../src/backends/backend';
import { runOpByName } from '../../src/ops/op';
import { Random } from '../../src/random';
import { tensor, type Tensor } from '../../src/tensor';
import { variantNamed } from '../../src/backends/webgpu/variants';
import { cpu, gpuBackend } from './backends';

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

function unravel(i: number, shape: Shape): string {
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

/**
 * Runs a case on WebGPU and on the CPU reference and asserts every element agrees.
 * On failure the message names the worst element's index, both values and the error.
 * `variant` forces the kernels' variant by name (default: each runs its first): the name
 * must be a declared variant, the run must dispatch every shader that variant lists (so a
 * case cannot pass on another kernel), and a family that cannot run it on this case throws
 * ("does not fit") before any work.
 */
export async function checkParity(c: ParityCase, variant?: string): Promise<void> {
  const gpu = await gpuBackend();
  const wanted = variant === undefined ? null : variantNamed(variant).shaders;
  const run = async (backend: Backend) => {
    const inputs = makeInputs(backend, c);
    const op = () => runOpByName(c.op, inputs, c.attrs ?? {});
    let out: Tensor;
    try {
      if (backend === gpu && variant !== undefined) {
        const traced = gpu.traceShaders(() => gpu.tuner.withVariant(variant, op));
        const missing = wanted!.filter((s) => !traced.shaders.includes(s));
        expect(missing, `${c.name}: variant ${variant} should dispatch ${wanted!.join(', ')}; the run dispatched ${traced.shaders.join(', ')}`).toEqual([]);
        out = traced.result;
      } else out = op();
    } catch (e) {
      for (const t of inputs) t.dispose();
      throw e;
    }
    const values = await out.read();
    const shape = out.shape;
    for (const t of [...inputs, out]) t.dispose();
    return { values, shape };
  };
  const got = await run(gpu);
  const ref = await run(cpu);
  expect(formatShape(got.shape), `${c.name}: output shape`).toBe(formatShape(ref.shape));
  const tol = tolerance(c);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < ref.values.length; i++) {
    const r = ref.values[i];
    const g = got.values[i];
    const bothNaN = Number.isNaN(r) && Number.isNaN(g);
    const sameInf = r === g;
    const err = Math.abs(g - r);
    const allowed = tol + tol * Math.abs(r);
    const excess = bothNaN || sameInf ? 0 : Number.isNaN(err) ? Infinity : err / allowed;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worstExcess > 1) {
    const r = ref.values[worst];
    const g = got.values[worst];
    expect.fail(
      `${c.name}: worst element ${unravel(worst, ref.shape)} (flat ${worst}): gpu ${g}, cpu ${r}, ` +
        `error ${Math.abs(g - r).toExponential(3)} > allowed ${(tol + tol * Math.abs(r)).toExponential(3)} (tol ${tol.toExponential(2)})`,
    );
  }
}
