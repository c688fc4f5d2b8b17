import { expect } from 'vitest';
import { formatShape } from '../../src/shape';
import type { Backend } from '../../src/backends/backend';
import { runOpByName } from '../../src/ops/op';
import type { Tensor } from '../../src/tensor';
import { kernelFamilies, variantNamed } from '../../src/backends/webgpu/variants';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { cpu, gpuBackend } from './backends';
import { f16Allowed, f16Reference, makeInputs, parityError, unravel, type ParityCase } from './parity_core';

export { makeInputs, parityError, tolerance, type InputSpec, type ParityCase, type ParityTable } from './parity_core';

/** The CPU reference of the f16 rows: operands rounded to f16, float64 sums. */
const cpuF16 = new CpuBackend({ f16Operands: true });

/** Whether `variant` is an f16 row (variants.ts's `precision: 'f16'`). */
export const isF16Variant = (variant: string) => kernelFamilies().some((f) => f.variants.some((v) => v.name === variant && v.precision === 'f16'));

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
  // An f16 row against the f16 reference, under the bound derived for it; any other against float32's rule.
  const f16 = variant !== undefined && isF16Variant(variant);
  const ref16 = f16 ? await f16Reference(cpuF16, c) : null;
  const ref = ref16 ?? (await run(cpu));
  expect(formatShape(got.shape), `${c.name}: output shape`).toBe(formatShape(ref.shape));
  const bound = ref16 ? f16Allowed(c, ref16.magnitude) : undefined;
  const { worstExcess, worst, allowed } = parityError(c, got.values, ref.values, bound);
  if (worstExcess > 1) {
    const r = ref.values[worst];
    const g = got.values[worst];
    expect.fail(
      `${c.name}: worst element ${unravel(worst, ref.shape)} (flat ${worst}): gpu ${g}, cpu${f16 ? ' (f16 operands)' : ''} ${r}, ` +
        `error ${Math.abs(g - r).toExponential(3)} > allowed ${allowed(worst).toExponential(3)}`,
    );
  }
}
