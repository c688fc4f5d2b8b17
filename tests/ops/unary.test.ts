import { describe, expect, it } from 'vitest';
import { relu, sigmoid, tanh } from '../../src/ops/unary';
import { tensor } from '../../src/tensor';
import { gpuBackend } from '../helpers/backends';
import { checkParity } from '../helpers/parity';
import { unaryTable } from './unary.cases';

describe('unary parity (gpu vs cpu)', () => {
  for (const c of unaryTable.cases) it(c.name, () => checkParity(c));
});

describe('unary values', () => {
  it('relu, sigmoid and tanh stay finite and exact at the extremes', async () => {
    const gpu = await gpuBackend();
    const x = tensor(gpu, [-1000, -1, 0, 1, 1000], [5]);
    expect([...(await relu(x).read())]).toEqual([0, 0, 0, 1, 1000]);
    const s = await sigmoid(x).read();
    expect(s[0]).toBe(0);
    expect(s[2]).toBe(0.5);
    expect(s[4]).toBe(1);
    const t = await tanh(x).read();
    expect([t[0], t[2], t[4]]).toEqual([-1, 0, 1]);
  });
});
