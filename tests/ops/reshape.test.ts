import { describe, expect, it } from 'vitest';
import { flatten, reshape } from '../../src/ops/reshape';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkGradient } from '../helpers/gradcheck';
import { checkParity } from '../helpers/parity';
import { reshapeGrads, reshapeTable } from './reshape.cases';

describe('reshape parity (gpu vs cpu)', () => {
  for (const c of reshapeTable.cases) it(c.name, () => checkParity(c));
});

describe('reshape gradient rule', () => {
  for (const c of reshapeGrads.cases) it(c.name, () => checkGradient(c));
});

describe('reshape', () => {
  it('flattens NCHW to N x CHW without a dispatch', async () => {
    const gpu = await gpuBackend();
    const x = tensor(gpu, [1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1]);
    const before = gpu.stats().dispatches;
    const f = flatten(x);
    expect(f.shape).toEqual([2, 4]);
    expect([...(await f.read())]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(gpu.stats().dispatches).toBe(before);
  });

  it('names the op and both shapes when the counts differ', () => {
    const x = tensor(cpu, new Float32Array(6), [2, 3]);
    expect(() => reshape(x, [4, 2])).toThrow('reshape: cannot reshape [2,3] (6 values) to [4,2]');
    expect(() => reshape(x, [-1, -1])).toThrow('at most one -1');
  });
});
