import { matmulDims, type MatmulAttrs } from '../../../ops/matmul';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** C[b,i,j] = sum_k A[b,i,k] B[b,k,j] (+ bias[j]) (then max(C, 0) when the ReLU is fused), reading A or B transposed when asked. */
export const matmul: CpuKernel = (inputs, rawAttrs) => {
  const attrs = rawAttrs as MatmulAttrs;
  const d = matmulDims(
    inputs.map((x) => x.shape),
    attrs,
  );
  const [a, b] = [inputs[0].storage, inputs[1].storage];
  const bias = inputs[2]?.storage;
  const out = new Float64Array(d.batch * d.m * d.n);
  // Element strides of A along m and k, and of B along k and n.
  const [aM, aK] = attrs.transposeA ? [1, d.m] : [d.k, 1];
  const [bK, bN] = attrs.transposeB ? [1, d.k] : [d.n, 1];
  for (let p = 0; p < d.batch; p++) {
    const aBase = p * d.aBatchStride;
    const bBase = p * d.bBatchStride;
    for (let i = 0; i < d.m; i++) {
      for (let j = 0; j < d.n; j++) {
        let acc = bias ? bias[j] : 0;
        for (let k = 0; k < d.k; k++) acc += a[aBase + i * aM + k * aK] * b[bBase + k * bK + j * bN];
        out[(p * d.m + i) * d.n + j] = attrs.relu ? Math.max(acc, 0) : acc;
      }
    }
  }
  return out;
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { matmul };
