import { describe, expect, it } from 'vitest';
import { augment } from '../../src/ops/augment';
import { Random } from '../../src/random';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkParity } from '../helpers/parity';
import { augmentTable } from './augment.cases';

describe('augment parity (same seed and step, same output on gpu and cpu)', () => {
  for (const c of augmentTable.cases) it(c.name, () => checkParity(c));
});

describe('augment', () => {
  const rng = new Random(3);
  const values = rng.uniformArray(2 * 1 * 4 * 5, 0, 1);
  const image = () => tensor(cpu, values, [2, 1, 4, 5]);
  const step = (s: number) => tensor(cpu, [s], [1]);

  it('flips every image with probability 1 (exact mirror)', async () => {
    const h = await augment(image(), step(0), { flipHorizontal: 1 }).read();
    const v = await augment(image(), step(0), { flipVertical: 1 }).read();
    for (let n = 0; n < 2; n++) {
      for (let y = 0; y < 4; y++) {
        for (let x = 0; x < 5; x++) {
          expect(h[n * 20 + y * 5 + x]).toBeCloseTo(values[n * 20 + y * 5 + (4 - x)], 6);
          expect(v[n * 20 + y * 5 + x]).toBeCloseTo(values[n * 20 + (3 - y) * 5 + x], 6);
        }
      }
    }
  });

  it('shifts whole pixels with zero fill, and keeps pixel values', async () => {
    const out = await augment(image(), step(7), { maxShift: 1 }).read();
    const kept = [...values].map((v) => v.toFixed(5));
    const zeros = out.filter((v) => v === 0).length;
    expect(out.filter((v) => v !== 0).every((v) => kept.includes(v.toFixed(5)))).toBe(true);
    expect(zeros).toBeLessThanOrEqual(2 * (4 + 5 - 1));
  });

  it('draws salt and pepper at about the given rate, and new draws at a new step', async () => {
    const gpu = await gpuBackend();
    const x = tensor(gpu, new Float32Array(20000).fill(0.5), [8, 1, 50, 50]);
    const s = tensor(gpu, [1], [1]);
    const a = await augment(x, s, { saltPepper: 0.1, noiseLow: 0, noiseHigh: 1 }).read();
    const b = await augment(x, tensor(gpu, [2], [1]), { saltPepper: 0.1, noiseLow: 0, noiseHigh: 1 }).read();
    const rate = a.filter((v) => v !== 0.5).length / a.length;
    expect(rate).toBeGreaterThan(0.09);
    expect(rate).toBeLessThan(0.11);
    expect(a.filter((v) => v === 1).length / a.length).toBeGreaterThan(0.04);
    expect(a.some((v, i) => v !== b[i])).toBe(true);
  });

  it('rejects bad options and shapes, naming the option', () => {
    expect(() => augment(tensor(cpu, [1, 2], [2]), step(0), {})).toThrow('augment: input must be NCHW (rank 4), got [2]');
    expect(() => augment(image(), step(0), { flipHorizontal: 2 })).toThrow('augment: flipHorizontal is a probability in [0, 1], got 2');
    expect(() => augment(image(), step(0), { maxShift: 1.5 })).toThrow('augment: maxShift must be a whole number');
    expect(() => augment(image(), step(0), { maxRotation: 120 })).toThrow('augment: maxRotation must be in [0, 90] degrees, got 120');
  });
});
