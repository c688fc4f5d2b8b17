import { describe, expect, it } from 'vitest';
import { dropout } from '../../src/ops/dropout';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkGradient } from '../helpers/gradcheck';
import { checkParity } from '../helpers/parity';
import { dropoutGrads, dropoutTable } from './dropout.cases';

describe('dropout parity (same seed, same mask on gpu and cpu)', () => {
  for (const c of dropoutTable.cases) it(c.name, () => checkParity(c));
});

describe('dropout gradient rule', () => {
  for (const c of dropoutGrads.cases) it(c.name, () => checkGradient(c));
});

describe('dropout', () => {
  it('drops about p of the elements, scales the rest by 1/(1-p), and changes mask with the seed', async () => {
    const gpu = await gpuBackend();
    const x = tensor(gpu, new Float32Array(20000).fill(1), [20000]);
    const a = await dropout(x, 0.3, { training: true, seed: 11 }).read();
    const b = await dropout(x, 0.3, { training: true, seed: 12 }).read();
    const dropped = a.filter((v) => v === 0).length / a.length;
    expect(dropped).toBeGreaterThan(0.28);
    expect(dropped).toBeLessThan(0.32);
    expect(a.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(a.some((v, i) => v !== b[i])).toBe(true);
  });

  it('with a step counter draws the mask of seed + step', async () => {
    const gpu = await gpuBackend();
    const x = tensor(gpu, new Float32Array(500).fill(1), [500]);
    const stepped = await dropout(x, 0.5, { training: true, seed: 10, step: tensor(gpu, [37], [1]) }).read();
    const plain = await dropout(x, 0.5, { training: true, seed: 47 }).read();
    expect(stepped).toEqual(plain);
    expect(() => dropout(x, 0.5, { training: true, seed: 1, step: tensor(gpu, [1, 2], [2]) })).toThrow(
      'dropout: the step counter must have shape [1], got [2]',
    );
  });

  it('is the identity in inference and rejects p outside [0, 1)', () => {
    const x = tensor(cpu, [1, 2], [2]);
    expect(dropout(x, 0.5, { training: false, seed: 0 })).toBe(x);
    expect(() => dropout(x, 1, { training: true, seed: 0 })).toThrow('dropout: p must be in [0, 1), got 1');
  });
});
