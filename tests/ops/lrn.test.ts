import { describe, expect, it } from 'vitest';
import { lrn } from '../../src/ops/lrn';
import { tensor } from '../../src/tensor';
import { cpu } from '../helpers/backends';
import { checkGradient } from '../helpers/gradcheck';
import { checkParity } from '../helpers/parity';
import { lrnGrads, lrnTable } from './lrn.cases';

describe('lrn parity (gpu vs cpu)', () => {
  for (const c of lrnTable.cases) it(c.name, () => checkParity(c));
});

describe('lrn gradient rule', () => {
  for (const c of lrnGrads.cases) it(c.name, () => checkGradient(c));
});

describe('lrn', () => {
  it('matches the formula on a single channel: x / (k + alpha x^2 / size)^beta', async () => {
    const y = await lrn(tensor(cpu, [2], [1, 1, 1, 1]), { size: 1, alpha: 1, beta: 1, k: 1 }).read();
    expect(y[0]).toBeCloseTo(2 / 5, 6);
  });
  it('rejects a non-NCHW input', () => {
    expect(() => lrn(tensor(cpu, [1, 2], [1, 2]))).toThrow('lrn: input must be NCHW (rank 4), got [1,2]');
  });
});
