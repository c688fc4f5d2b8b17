import { describe, expect, it } from 'vitest';
import { runOpByName } from '../../src/ops/op';
import { upsample2d, upsample2dAttrs } from '../../src/ops/upsample2d';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkGradient } from '../helpers/gradcheck';
import { checkParity } from '../helpers/parity';
import { upsample2dGrads, upsample2dTable } from './upsample2d.cases';

describe('upsample2d parity (gpu vs cpu)', () => {
  for (const c of upsample2dTable.cases) it(c.name, () => checkParity(c));
});

describe('upsample2d gradient rule (finite differences, cpu float64)', () => {
  for (const c of upsample2dGrads.cases) it(c.name, () => checkGradient(c));
});

const round = (a: Float32Array) => [...a].map((v) => Math.round(v * 1e4) / 1e4);

describe('upsample2d equals torch.nn.functional.interpolate', () => {
  // The values PyTorch 1.13 prints for interpolate([[1, 2], [3, 4]], ...).
  it('nearest, scale 2', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const y = upsample2d(tensor(backend, [1, 2, 3, 4], [1, 1, 2, 2]), { scale: 2 });
      expect([...(await y.read())]).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    }
  });
  it('bilinear, scale 2, align_corners false', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const y = upsample2d(tensor(backend, [1, 2, 3, 4], [1, 1, 2, 2]), { scale: 2, mode: 'bilinear' });
      expect(round(await y.read())).toEqual([1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
    }
  });
  it('bilinear, size 4, align_corners true', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const y = upsample2d(tensor(backend, [1, 2, 3, 4], [1, 1, 2, 2]), { size: [4, 4], mode: 'bilinear', alignCorners: true });
      expect(round(await y.read())).toEqual([1, 1.3333, 1.6667, 2, 1.6667, 2, 2.3333, 2.6667, 2.3333, 2.6667, 3, 3.3333, 3, 3.3333, 3.6667, 4]);
    }
  });
  it('nearest to a size that is not a multiple: [1, 2] to 3 columns reads [1, 1, 2]', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const y = upsample2d(tensor(backend, [1, 2], [1, 1, 1, 2]), { size: [1, 3] });
      expect([...(await y.read())]).toEqual([1, 1, 2]);
    }
  });
  it('the gradient of nearest 2x gives each input its four outputs; of bilinear 2x keeps the total (the weights of each output sum to 1)', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const ones = tensor(backend, new Float32Array(16).fill(1), [1, 1, 4, 4]);
      const nearest = runOpByName('upsample2d_grad', [ones], { ...upsample2dAttrs([1, 1, 2, 2], { scale: 2 }), inputShape: [1, 1, 2, 2] });
      expect([...(await nearest.read())]).toEqual([4, 4, 4, 4]);
      const bilinear = runOpByName('upsample2d_grad', [ones], { ...upsample2dAttrs([1, 1, 2, 2], { scale: 2, mode: 'bilinear' }), inputShape: [1, 1, 2, 2] });
      expect([...(await bilinear.read())]).toEqual([4, 4, 4, 4]);
    }
  });
});

describe('upsample2d bad input', () => {
  const x = tensor(cpu, new Float32Array(12), [1, 1, 3, 4]);
  it('names the op and the option', () => {
    expect(() => upsample2d(x, {})).toThrow('upsample2d: give either scale or size (got neither)');
    expect(() => upsample2d(x, { scale: 2, size: [6, 8] })).toThrow('upsample2d: give either scale or size (got both)');
    expect(() => upsample2d(x, { scale: 2, alignCorners: true })).toThrow('upsample2d: alignCorners applies to bilinear only');
    expect(() => upsample2d(x, { scale: 0.1 })).toThrow('upsample2d: scale [0.1,0.1] leaves no pixel of the 3x4 input');
    expect(() => upsample2d(x, { size: [0, 2] })).toThrow('upsample2d: size must be two positive integers, got [0,2]');
    expect(() => upsample2d(x, { scale: 2, mode: 'bicubic' as never })).toThrow(`upsample2d: mode must be 'nearest' or 'bilinear', got "bicubic"`);
    expect(() => upsample2d(tensor(cpu, [1, 2], [2]), { scale: 2 })).toThrow('upsample2d: input must be NCHW (rank 4), got [2]');
  });
});
