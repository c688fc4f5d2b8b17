import { describe, expect, it } from 'vitest';
import { maxpool2dIndices, maxUnpool2d } from '../../src/ops/max_unpool2d';
import { maxpool2d } from '../../src/ops/pool2d';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkGradient } from '../helpers/gradcheck';
import { checkParity } from '../helpers/parity';
import { maxUnpool2dGrads, maxUnpool2dTable } from './max_unpool2d.cases';

describe('max pooling switches and unpooling parity (gpu vs cpu)', () => {
  for (const c of maxUnpool2dTable.cases) it(c.name, () => checkParity(c));
});

describe('max_unpool2d gradient rule (finite differences, cpu float64)', () => {
  for (const c of maxUnpool2dGrads.cases) it(c.name, () => checkGradient(c));
});

describe('switches and unpooling as PyTorch has them', () => {
  // F.max_pool2d(x, 2, return_indices=True) on this 4x4 plane gives indices [[5, 7], [8, 15]];
  // F.max_unpool2d(pooled, indices, 2) puts 6, 8, 9, 16 back there and zeros elsewhere.
  const plane = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 16];
  it('a 2x2 pool: indices per plane, values back at their places', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const x = tensor(backend, plane, [1, 1, 4, 4]);
      const indices = maxpool2dIndices(x, 2);
      expect([...(await indices.read())]).toEqual([5, 7, 8, 15]);
      const { output, indices: same } = maxpool2d(x, 2, { returnIndices: true });
      expect([...(await same.read())]).toEqual([5, 7, 8, 15]);
      const back = maxUnpool2d(output, indices, 2);
      expect(back.shape).toEqual([1, 1, 4, 4]);
      expect([...(await back.read())]).toEqual([0, 0, 0, 0, 0, 6, 0, 8, 9, 0, 0, 0, 0, 0, 0, 16]);
    }
  });
  it("the default output size is PyTorch's; an outputSize that the pool could not have seen is refused", () => {
    const pooled = tensor(cpu, [1, 2, 3, 4, 5, 6], [1, 1, 2, 3]);
    const indices = tensor(cpu, [0, 2, 4, 12, 14, 16], [1, 1, 2, 3]);
    expect(maxUnpool2d(pooled, indices, 3, { stride: 2 }).shape).toEqual([1, 1, 5, 7]);
    expect(maxUnpool2d(pooled, indices, 3, { stride: 2, outputSize: [6, 8] }).shape).toEqual([1, 1, 6, 8]);
    expect(() => maxUnpool2d(pooled, indices, 3, { stride: 2, outputSize: [9, 9] })).toThrow(
      "max_unpool2d: a 3x3 pool of stride 2x2 over 9x9 gives 4x4, but the input is [1,1,2,3]; give the outputSize the pool's input had",
    );
    expect(() => maxUnpool2d(pooled, tensor(cpu, [0, 1], [1, 1, 1, 2]), 2)).toThrow("max_unpool2d: indices [1,1,1,2] must have the input's shape [1,1,2,3]");
  });
});
