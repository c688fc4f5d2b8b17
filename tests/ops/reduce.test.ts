import { describe, expect, it } from 'vitest';
import { max, mean, sum } from '../../src/ops/reduce';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkParity } from '../helpers/parity';
import { reduceTable } from './reduce.cases';

describe('reduce parity (gpu vs cpu)', () => {
  for (const c of reduceTable.cases) it(c.name, () => checkParity(c));
});

describe('reduce values', () => {
  it('sums, averages and maxes known values over each axis', async () => {
    const gpu = await gpuBackend();
    const x = tensor(gpu, [1, 2, 3, 4, 5, 6], [2, 3]);
    expect([...(await sum(x, 0).read())]).toEqual([5, 7, 9]);
    expect([...(await mean(x, 1).read())]).toEqual([2, 5]);
    expect([...(await max(x).read())]).toEqual([6]);
    expect(sum(x, 1, { keepDims: true }).shape).toEqual([2, 1]);
  });
});

describe('reduce bad input', () => {
  it('rejects out-of-range and repeated axes, naming the op', () => {
    const x = tensor(cpu, new Float32Array(6), [2, 3]);
    expect(() => sum(x, 2)).toThrow('sum: axis 2 is out of range for a tensor of rank 2');
    expect(() => mean(x, [1, -1])).toThrow('mean: axis -1 is given twice');
  });
});
