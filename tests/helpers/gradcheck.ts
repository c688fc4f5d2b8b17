import { expect } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import type { Attrs } from '../../src/backends/backend';
import { getOp, runOpByName } from '../../src/ops/op';
import { Random } from '../../src/random';
import { sizeOf } from '../../src/shape';
import { tensor, type Tensor } from '../../src/tensor';
import type { InputSpec } from './parity';

const f64 = new CpuBackend({ precision: 'float64' });

export interface GradCase {
  name: string;
  op: string;
  inputs: InputSpec[];
  attrs?: Attrs;
  /** Inputs whose gradient is checked (default: all). */
  wrt?: number[];
  /** Elements sampled per input (default 16; all when the input is smaller). */
  samples?: number;
}

/** A table of gradient checks; `ops` lists every op whose rule it covers. */
export interface GradTable {
  kind: 'gradient';
  ops: readonly string[];
  cases: GradCase[];
}

const H = 1e-6;

/**
 * Finite-difference check of an op's gradient rule on the CPU backend in float64.
 * With a random upstream gradient r, L(x) = sum(op(x) * r); the rule's dL/dx_j must
 * match (L(x + h e_j) - L(x - h e_j)) / 2h on sampled elements j to 1e-6 (absolute
 * plus relative). Central differences in float64 are accurate to ~1e-9 here, so a
 * wrong rule (a missing term, a transposed index) is far outside the tolerance.
 */
export async function checkGradient(c: GradCase): Promise<void> {
  const def = getOp(c.op);
  if (!def.grad) throw new Error(`${c.op} has no gradient rule`);
  const rng = new Random(99);
  const values = c.inputs.map((s) => Float64Array.from(s.values ?? rng.uniformArray(sizeOf(s.shape), ...(s.range ?? [-1, 1]))));
  const make = (vals: Float64Array[]) => vals.map((v, i) => tensor(f64, v, c.inputs[i].shape));
  const inputs = make(values);
  const y = runOpByName(c.op, inputs, c.attrs ?? {});
  const r = Float64Array.from(rng.uniformArray(y.size));
  const dy = tensor(f64, r, y.shape);
  const grads = def.grad(inputs, y, dy, c.attrs ?? {});
  const loss = (vals: Float64Array[]) => {
    const out = f64.readFloat64(runOpByName(c.op, make(vals), c.attrs ?? {}).storageFor('gradcheck'));
    return out.reduce((s, v, i) => s + v * r[i], 0);
  };
  for (const i of c.wrt ?? c.inputs.map((_, k) => k)) {
    const g = grads[i] as Tensor | null;
    expect(g, `${c.name}: the rule gives no gradient for input ${i}`).toBeTruthy();
    expect(g!.shape, `${c.name}: gradient ${i} shape`).toEqual(c.inputs[i].shape);
    const analytic = f64.readFloat64(g!.storageFor('gradcheck'));
    const n = values[i].length;
    const count = Math.min(n, c.samples ?? 16);
    const picks = count === n ? [...Array(n).keys()] : Array.from({ length: count }, () => Math.floor(rng.next() * n));
    for (const j of picks) {
      const plus = values.map((v) => Float64Array.from(v));
      const minus = values.map((v) => Float64Array.from(v));
      plus[i][j] += H;
      minus[i][j] -= H;
      const numeric = (loss(plus) - loss(minus)) / (2 * H);
      const err = Math.abs(analytic[j] - numeric);
      expect(err, `${c.name}: d/dinput${i}[${j}] rule ${analytic[j]} vs numeric ${numeric}`).toBeLessThanOrEqual(1e-6 + 1e-6 * Math.abs(numeric));
    }
  }
}
