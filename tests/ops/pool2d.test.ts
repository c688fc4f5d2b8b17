import { describe, expect, it } from 'vitest';
import { maxpool2dGradOp, maxpool2d, avgpool2d, pool2dAttrs } from '../../src/ops/pool2d';
import { runOp } from '../../src/ops/op';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkGradient } from '../helpers/gradcheck';
import { checkParity } from '../helpers/parity';
import { describeVariants } from '../helpers/variants';
import { avgpool2dFamily, avgpool2dGradFamily, maxpool2dFamily, maxpool2dGradFamily } from '../../src/backends/webgpu/kernels/pool2d/pool2d';
import type { KernelFamily } from '../../src/backends/webgpu/variants';
import { pool2dGrads, pool2dTable } from './pool2d.cases';

describe('pool2d parity (gpu vs cpu)', () => {
  for (const c of pool2dTable.cases) it(c.name, () => checkParity(c));
});

// Every row of the four tables forced by name: the general kernels everywhere, the
// exact-tiling and 2x2 forms where the windows tile the input (throwing elsewhere).
for (const family of [maxpool2dFamily, avgpool2dFamily, maxpool2dGradFamily, avgpool2dGradFamily]) {
  describeVariants(family as KernelFamily<unknown>, pool2dTable.cases);
}

describe('pool2d gradient rules (finite differences, cpu float64)', () => {
  for (const c of pool2dGrads.cases) it(c.name, () => checkGradient(c));
});

describe('pool2d values', () => {
  it('routes a tied window gradient to its first maximum on both backends', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const x = tensor(backend, new Float32Array(16).fill(1), [1, 1, 4, 4]);
      const dy = tensor(backend, [1, 2, 3, 4], [1, 1, 2, 2]);
      const dx = runOp(maxpool2dGradOp, [x, dy], pool2dAttrs(x.shape, 2));
      expect([...(await dx.read())]).toEqual([1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
    }
  });

  it('average pooling with padding divides by the in-bounds count unless told otherwise', async () => {
    const x = tensor(cpu, new Float32Array(4).fill(1), [1, 1, 2, 2]);
    expect([...(await avgpool2d(x, 2, { stride: 1, padding: [1, 1, 0, 0] }).read())].slice(0, 1)).toEqual([1]);
    expect([...(await avgpool2d(x, 2, { stride: 1, padding: [1, 1, 0, 0], countIncludePad: true }).read())].slice(0, 1)).toEqual([0.25]);
  });
});

describe('pool2d bad input', () => {
  it('names the op, the window and the input when the window does not fit', () => {
    const x = tensor(cpu, new Float32Array(4), [1, 1, 2, 2]);
    expect(() => maxpool2d(x, 3)).toThrow('maxpool2d: the 3x3 window is larger than the padded input 2x2 (input [1,1,2,2])');
    expect(() => maxpool2d(x, 2, { padding: 2 })).toThrow('maxpool2d: padding [2,2,2,2] must be non-negative and smaller than the 2x2 kernel');
    expect(() => maxpool2d(x, 2, { stride: 0 })).toThrow('maxpool2d: kernel and stride must be positive integers');
  });
});
