import { BINARY_OPS, type BinaryOpName } from '../../../ops/binary';
import { broadcastStrides, sizeOf, stridesOf } from '../../../shape';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** The math of every binary op. Mirrors `apply` in shaders/binary.wgsl. */
export const binaryFunctions: Record<BinaryOpName, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: (a, b) => Math.max(a, b),
  minimum: (a, b) => Math.min(a, b),
  pow: (a, b) => a ** b,
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = Object.fromEntries(
  BINARY_OPS.map((name) => {
    const f = binaryFunctions[name];
    const kernel: CpuKernel = ([a, b], _attrs, outShape) => {
      const outStrides = stridesOf(outShape);
      const aStrides = broadcastStrides(a.shape, outShape);
      const bStrides = broadcastStrides(b.shape, outShape);
      const out = new Float64Array(sizeOf(outShape));
      for (let i = 0; i < out.length; i++) {
        let ia = 0;
        let ib = 0;
        let rest = i;
        for (let d = 0; d < outShape.length; d++) {
          const coord = Math.floor(rest / outStrides[d]);
          rest -= coord * outStrides[d];
          ia += coord * aStrides[d];
          ib += coord * bStrides[d];
        }
        out[i] = f(a.storage[ia], b.storage[ib]);
      }
      return out;
    };
    return [name, kernel];
  }),
);
