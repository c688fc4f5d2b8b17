import { expect, it } from 'vitest';
import { CpuBackend, createWebGPUBackend, matmul, relu, scope, sum, tensor } from '../src/index';

// The README's eager-API example, line for line, so the README stays true.
it('the README example prints [18, 36] on both backends', async () => {
  for (const backend of [await createWebGPUBackend(), new CpuBackend()]) {
    const x = tensor(backend, [1, 2, 3, 4, 5, 6], [2, 3]);
    const w = tensor(backend, new Float32Array(12).fill(0.5), [3, 4]);
    const b = tensor(backend, [0, 1, 2, 3], [4]);
    const y = scope(() => relu(matmul(x, w, { bias: b })));
    const total = sum(y, 1);
    expect([...(await total.read())]).toEqual([18, 36]);
  }
});
