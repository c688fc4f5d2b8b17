import { describe, expect, it } from 'vitest';
import { conv2d } from '../../src/ops/conv2d';
import { depthwiseConv2d } from '../../src/ops/depthwise_conv2d';
import { Random } from '../../src/random';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkGradient } from '../helpers/gradcheck';
import { checkParity } from '../helpers/parity';
import { describeVariants } from '../helpers/variants';
import {
  depthwiseConv2dFamily,
  depthwiseConv2dGradFilterFamily,
  depthwiseConv2dGradInputFamily,
} from '../../src/backends/webgpu/kernels/depthwise_conv2d/depthwise_conv2d';
import type { KernelFamily } from '../../src/backends/webgpu/variants';
import { depthwiseGrads, depthwiseTable } from './depthwise_conv2d.cases';

describe('depthwise_conv2d parity (gpu vs cpu)', () => {
  for (const c of depthwiseTable.cases) it(c.name, () => checkParity(c));
});

// Every row of the three tables forced by name, on every case of its op: row windows
// where they fit (and throwing where not), the per-output and gather kernels everywhere.
for (const family of [depthwiseConv2dFamily, depthwiseConv2dGradInputFamily, depthwiseConv2dGradFilterFamily]) {
  describeVariants(family as KernelFamily<unknown>, depthwiseTable.cases);
}

describe('depthwise_conv2d gradient rule (finite differences, cpu float64)', () => {
  for (const c of depthwiseGrads.cases) it(c.name, () => checkGradient(c));
});

describe('depthwise_conv2d', () => {
  it('equals the grouped conv2d kernel (groups = C) on the GPU', async () => {
    const gpu = await gpuBackend();
    const rng = new Random(3);
    const x = tensor(gpu, rng.uniformArray(2 * 4 * 7 * 7), [2, 4, 7, 7]);
    const w = tensor(gpu, rng.uniformArray(8 * 9), [8, 1, 3, 3]);
    const a = await depthwiseConv2d(x, w, { padding: 1, stride: 2 }).read();
    const b = await conv2d(x, w, { padding: 1, stride: 2, groups: 4 }).read();
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-5);
  });

  it('rejects a filter that is not [C*M, 1, KH, KW], naming the op and shape', () => {
    const x = tensor(cpu, new Float32Array(2 * 9), [1, 2, 3, 3]);
    expect(() => depthwiseConv2d(x, tensor(cpu, new Float32Array(4 * 2 * 4), [4, 2, 2, 2]))).toThrow(
      'depthwise_conv2d: filter must be [C*multiplier, 1, KH, KW], got [4,2,2,2]',
    );
    expect(() => depthwiseConv2d(x, tensor(cpu, new Float32Array(3 * 4), [3, 1, 2, 2]))).toThrow('depthwise_conv2d: groups=2 must divide both');
  });
});
