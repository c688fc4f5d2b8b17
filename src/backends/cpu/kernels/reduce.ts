import { reducedAxes, REDUCE_OPS, type ReduceAttrs, type ReduceOpName } from '../../../ops/reduce';
import { sizeOf, stridesOf } from '../../../shape';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

function reduceKernel(name: ReduceOpName): CpuKernel {
  return ([x], rawAttrs) => {
    const axes = reducedAxes(name, x.shape, (rawAttrs as ReduceAttrs).axes);
    const strides = stridesOf(x.shape);
    const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const keptShape = kept.map((i) => x.shape[i]);
    const redShape = axes.map((i) => x.shape[i]);
    const redCount = sizeOf(redShape);
    const out = new Float64Array(sizeOf(keptShape));
    const offsetOf = (flat: number, dims: number[], shape: number[]) => {
      let off = 0;
      for (let d = dims.length - 1; d >= 0; d--) {
        off += (flat % shape[d]) * strides[dims[d]];
        flat = Math.floor(flat / shape[d]);
      }
      return off;
    };
    for (let o = 0; o < out.length; o++) {
      const base = offsetOf(o, kept, keptShape);
      let acc = name === 'max' ? -Infinity : 0;
      for (let r = 0; r < redCount; r++) {
        const v = x.storage[base + offsetOf(r, axes, redShape)];
        acc = name === 'max' ? Math.max(acc, v) : acc + v;
      }
      out[o] = name === 'mean' ? acc / redCount : acc;
    }
    return out;
  };
}

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = Object.fromEntries(REDUCE_OPS.map((n) => [n, reduceKernel(n)]));
