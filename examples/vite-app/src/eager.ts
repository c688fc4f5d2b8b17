import { createWebGPUBackend, matmul, relu, scope, sum, tensor } from 'webgpu-cnn-engine';

/** The README's eager example: the same numbers in the page, a worker and Node. */
export async function eagerExample(): Promise<number[]> {
  const backend = await createWebGPUBackend();
  const x = tensor(backend, [1, 2, 3, 4, 5, 6], [2, 3]);
  const w = tensor(backend, new Float32Array(12).fill(0.5), [3, 4]);
  const b = tensor(backend, [0, 1, 2, 3], [4]);
  const y = scope(() => relu(matmul(x, w, { bias: b })));
  return [...(await sum(y, 1).read())];
}
