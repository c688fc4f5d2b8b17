import { describe, expect, it } from 'vitest';
import { concat, slice } from '../../src/ops/concat';
import { tensor } from '../../src/tensor';
import { cpu } from '../helpers/backends';
import { checkGradient } from '../helpers/gradcheck';
import { checkParity } from '../helpers/parity';
import { concatGrads, concatTable } from './concat.cases';

describe('concat parity (gpu vs cpu)', () => {
  for (const c of concatTable.cases) it(c.name, () => checkParity(c));
});

describe('concat gradient rules', () => {
  for (const c of concatGrads.cases) it(c.name, () => checkGradient(c));
});

describe('concat bad input', () => {
  it('names the op and the mismatched shapes', () => {
    const a = tensor(cpu, new Float32Array(8), [1, 2, 2, 2]);
    const b = tensor(cpu, new Float32Array(9), [1, 1, 3, 3]);
    expect(() => concat([a, b])).toThrow('concat: input 1 [1,1,3,3] does not match input 0 [1,2,2,2] outside axis 1');
    expect(() => slice(a, 1, 1, 2)).toThrow('slice: [1, 3) is outside axis 1 of [1,2,2,2]');
  });
});
