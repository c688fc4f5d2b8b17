import { splitAt } from '../../../ops/concat';
import { normalizeAxes } from '../../../shape';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

export const concat: CpuKernel = (inputs, attrs, outShape) => {
  const [axis] = normalizeAxes('concat', [attrs.axis as number], outShape.length);
  const { outer, inner: outInner } = splitAt(outShape, axis);
  const out = new Float64Array(outer * outInner);
  let offset = 0;
  for (const x of inputs) {
    const { inner } = splitAt(x.shape, axis);
    for (let o = 0; o < outer; o++) for (let r = 0; r < inner; r++) out[o * outInner + offset + r] = x.storage[o * inner + r];
    offset += inner;
  }
  return out;
};

export const slice: CpuKernel = ([x], attrs, outShape) => {
  const [axis] = normalizeAxes('slice', [attrs.axis as number], x.shape.length);
  const { outer, inner } = splitAt(x.shape, axis);
  const { inner: outInner } = splitAt(outShape, axis);
  const offset = (attrs.start as number) * splitAt(x.shape, axis + 1).inner;
  const out = new Float64Array(outer * outInner);
  for (let o = 0; o < outer; o++) for (let r = 0; r < outInner; r++) out[o * outInner + r] = x.storage[o * inner + offset + r];
  return out;
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { concat, slice };
