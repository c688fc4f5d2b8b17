import { describe, expect, it } from 'vitest';
import { add, pow } from '../../src/ops/binary';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkParity } from '../helpers/parity';
import { binaryTable } from './binary.cases';

describe('binary parity (gpu vs cpu)', () => {
  for (const c of binaryTable.cases) it(c.name, () => checkParity(c));
});

describe('binary values', () => {
  it('broadcasts a row over a matrix', async () => {
    const gpu = await gpuBackend();
    const m = tensor(gpu, [1, 2, 3, 4, 5, 6], [2, 3]);
    const r = tensor(gpu, [10, 20, 30], [3]);
    expect([...(await add(m, r).read())]).toEqual([11, 22, 33, 14, 25, 36]);
  });

  it('raises negative bases to integer powers like Math.pow', async () => {
    const gpu = await gpuBackend();
    const x = tensor(gpu, [-2, -2, -3, 2], [4]);
    const y = tensor(gpu, [2, 3, 0, 0.5], [4]);
    const got = await pow(x, y).read();
    expect([...got].map((v) => Math.round(v * 1e4) / 1e4)).toEqual([4, -8, 1, Math.round(Math.SQRT2 * 1e4) / 1e4]);
  });
});

describe('binary bad input', () => {
  it('names the op and both shapes when shapes do not broadcast', () => {
    const a = tensor(cpu, new Float32Array(6), [2, 3]);
    const b = tensor(cpu, new Float32Array(4), [4]);
    expect(() => add(a, b)).toThrow('add: shapes [2,3] and [4] do not broadcast (axis 1 of the result: 3 vs 4)');
  });
});
