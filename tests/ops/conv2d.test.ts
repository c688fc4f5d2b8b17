import { describe, expect, it } from 'vitest';
import { conv2d } from '../../src/ops/conv2d';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkGradient } from '../helpers/gradcheck';
import { checkParity } from '../helpers/parity';
import { describeVariants, type FitModel } from '../helpers/variants';
import { conv2dFamily, conv2dGradFilterFamily, conv2dGradInputFamily } from '../../src/backends/webgpu/kernels/conv2d/conv2d';
import type { KernelFamily } from '../../src/backends/webgpu/variants';
import { flippable, flippedConv, forwardConv, packedFit, pointwiseMode, rowsTallFit } from '../../src/backends/webgpu/kernels/conv2d/conv2d_tiled';
import { gradFilterParts, winogradFit, winogradGradFilterFit } from '../../src/backends/webgpu/kernels/conv2d/conv2d_winograd';
import type { GpuStorage } from '../../src/backends/webgpu/kernel_host';
import {
  type ConvRow,
  conv2dGrads,
  conv2dTable,
  convSetup,
  packedCaseNames,
  phaseCaseNames,
  phasePackedCaseNames,
  pointwiseCaseNames,
  rowsCaseNames,
  tallCaseNames,
  tile8CaseNames,
  winogradCaseNames,
} from './conv2d.cases';

describe('conv2d parity (gpu vs cpu)', () => {
  for (const c of conv2dTable.cases) it(c.name, () => checkParity(c));
});

// Every row of the three tables, forced by name, on every case of its op (describeVariants).
// Unforced (above), each runs its table's first that fits. The model below says which
// cases each row takes, written from the kernels' reach independently of their fits().
const tiledModel: Record<string, Set<string>> = {
  conv2d_pointwise: pointwiseCaseNames,
  conv2d_winograd: winogradCaseNames,
  'conv2d_winograd:f4': winogradCaseNames,
  conv2d_rows_tall: tallCaseNames,
  conv2d_tile8_packed: packedCaseNames,
  conv2d_tile8: tile8CaseNames,
  conv2d_rows: rowsCaseNames,
  conv2d_implicit_gemm: tile8CaseNames,
  conv2d_subgroup: tile8CaseNames,
  conv2d_implicit_gemm_f16: tile8CaseNames,
};
const phaseModel: Record<string, Set<string>> = {
  conv2d_tile8_packed: phasePackedCaseNames,
  conv2d_tile8: phaseCaseNames,
  conv2d_implicit_gemm: phaseCaseNames,
  conv2d_subgroup: phaseCaseNames,
  conv2d_implicit_gemm_f16: phaseCaseNames,
};
const fitModel: FitModel = (variant, c) => {
  if (variant.endsWith(':phases')) return phaseModel[variant.replace(/:phases$/, '')].has(c.name);
  const tiled = tiledModel[variant.replace(/:flipped$/, '')];
  if (tiled) return tiled.has(c.name);
  if (variant === 'conv2d_winograd_grad_filter') return winogradCaseNames.has(c.name);
  if (variant === 'conv2d_grad_filter_implicit_gemm') return !/,g=\d/.test(c.name);
  return true;
};
for (const family of [conv2dFamily, conv2dGradInputFamily, conv2dGradFilterFamily])
  describeVariants(family as KernelFamily<unknown>, conv2dTable.cases, fitModel);

describe('a forced conv2d variant that does not fit', () => {
  it('throws, naming the op, the variant and the shape class, instead of running another kernel', async () => {
    const c = conv2dTable.cases.find((k) => k.op === 'conv2d' && /,g=\d/.test(k.name))!;
    await expect(checkParity(c, 'conv2d_tile8')).rejects.toThrow(
      /conv2d: the forced variant 'conv2d_tile8' does not fit .* g[23] on this adapter \(fitting: conv2d, conv2d:other-order\)/,
    );
  });
  it('an undeclared variant name is an error, not a silent first variant', async () => {
    await expect(checkParity(conv2dTable.cases[0], 'conv2d-8x8')).rejects.toThrow("no kernel variant is named 'conv2d-8x8'");
  });
});

describe('conv2d gradient rule (finite differences, cpu float64)', () => {
  for (const c of conv2dGrads.cases) it(c.name, () => checkGradient(c));
});

describe('conv2d values', () => {
  it('a 3x3 box filter with padding 1 counts each pixel neighbourhood', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const x = tensor(backend, new Float32Array(9).fill(1), [1, 1, 3, 3]);
      const w = tensor(backend, new Float32Array(9).fill(1), [1, 1, 3, 3]);
      expect([...(await conv2d(x, w, { padding: 1 }).read())]).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
    }
  });
});

describe('conv2d bad input', () => {
  const x = tensor(cpu, new Float32Array(2 * 4 * 5 * 5), [2, 4, 5, 5]);
  it('channel mismatch names the op and both shapes', () => {
    const w = tensor(cpu, new Float32Array(6 * 3 * 3 * 3), [6, 3, 3, 3]);
    expect(() => conv2d(x, w)).toThrow(
      'conv2d: filter expects 3 input channels per group but the input has 4 channels in 1 group(s) (4 each); input [2,4,5,5], filter [6,3,3,3]',
    );
  });
  it('groups that do not divide the channels', () => {
    const w = tensor(cpu, new Float32Array(6 * 2 * 3 * 3), [6, 2, 3, 3]);
    expect(() => conv2d(x, w, { groups: 3 })).toThrow('conv2d: groups=3 must divide both the input channels (4) and the output channels (6)');
  });
  it('a kernel larger than the padded input', () => {
    const w = tensor(cpu, new Float32Array(2 * 4 * 7 * 7), [2, 4, 7, 7]);
    expect(() => conv2d(x, w, { padding: 0 })).toThrow('conv2d: the 7x7 kernel (dilated span 7x7) is larger than the padded input 5x5');
  });
  it('zero or negative stride and dilation', () => {
    const w = tensor(cpu, new Float32Array(2 * 4 * 3 * 3), [2, 4, 3, 3]);
    expect(() => conv2d(x, w, { stride: 0 })).toThrow('conv2d: stride must be positive integers, got [0,0]');
    expect(() => conv2d(x, w, { dilation: [1, -1] })).toThrow('conv2d: dilation must be positive integers, got [1,-1]');
  });
});

describe('conv2d_pointwise reach', () => {
  // The unforced parity cases above run it only if the launchers offer it: pin that they do.
  const none = {} as GpuStorage;
  const modes = (r: ConvRow) => {
    const { g } = convSetup(r);
    return [pointwiseMode(forwardConv(g, none, none, undefined, none, false)), pointwiseMode(flippedConv(g, none, none, none))];
  };
  it('takes 1x1 layers with channels and positions per image multiples of 4 (forward along the reduction, input gradient along rows)', () => {
    expect(modes({ x: [2, 32, 7, 8], o: 24, k: [1, 1] })).toEqual(['reduction', 'rows']);
    expect(modes({ x: [3, 12, 2, 2], o: 20, k: [1, 1] })).toEqual(['reduction', 'rows']);
  });
  it('leaves other layers to the other variants', () => {
    expect(modes({ x: [1, 17, 4, 4], o: 9, k: [1, 1] })).toEqual([null, null]);
    expect(modes({ x: [1, 16, 3, 3], o: 8, k: [1, 1] })).toEqual([null, null]);
    expect(modes({ x: [1, 16, 4, 4], o: 8, k: [3, 3], padding: 1 })).toEqual([null, null]);
    expect(modes({ x: [1, 16, 4, 4], o: 8, k: [1, 1], padding: 1 })).toEqual([null, null]);
  });
});

describe('conv2d_tile8_packed reach', () => {
  const none = {} as GpuStorage;
  const fits = (r: ConvRow) => {
    const { g } = convSetup(r);
    return [packedFit(forwardConv(g, none, none, undefined, none, false)), packedFit(flippedConv(g, none, none, none))];
  };
  it("takes layers with 4 or more channels in and out, LeNet-5's second among them", () => {
    expect(fits({ x: [8, 64, 56, 56], o: 64, k: [3, 3], padding: 1 })).toEqual([true, true]);
    expect(fits({ x: [1, 8, 3, 3], o: 33, k: [3, 3], padding: 1 })).toEqual([true, true]);
    expect(fits({ x: [64, 6, 14, 14], o: 16, k: [5, 5] })).toEqual([true, true]);
  });
  it("leaves narrower layers (LeNet-5's 1-channel first) to the one-dispatch kernels", () => {
    expect(fits({ x: [64, 1, 28, 28], o: 6, k: [5, 5] })).toEqual([false, false]);
    expect(fits({ x: [2, 3, 9, 9], o: 8, k: [3, 3], padding: 1 })).toEqual([false, false]);
  });
});

describe('conv2d_rows_tall reach', () => {
  const none = {} as GpuStorage;
  const fits = (r: ConvRow) => {
    const { g } = convSetup(r);
    return [rowsTallFit(forwardConv(g, none, none, undefined, none, false), false), flippable(g) && rowsTallFit(flippedConv(g, none, none, none), true)];
  };
  it("takes LeNet-5's input gradients (1 and 6 channels out) and 1- or 2-channel forwards up to 5x5", () => {
    expect(fits({ x: [64, 1, 28, 28], o: 6, k: [5, 5] })).toEqual([false, true]);
    expect(fits({ x: [64, 6, 14, 14], o: 16, k: [5, 5] })).toEqual([false, true]);
    expect(fits({ x: [64, 6, 14, 14], o: 2, k: [5, 5] })).toEqual([true, true]);
    expect(fits({ x: [2, 8, 9, 9], o: 1, k: [3, 3], padding: 1 })).toEqual([true, true]);
  });
  it('leaves wider layers, taller or wider filters, strides and dilations to the other variants', () => {
    expect(fits({ x: [2, 9, 9, 9], o: 16, k: [3, 3], padding: 1 })).toEqual([false, false]);
    expect(fits({ x: [1, 2, 9, 9], o: 1, k: [7, 3] })).toEqual([false, false]);
    expect(fits({ x: [1, 2, 9, 9], o: 1, k: [3, 7] })).toEqual([false, false]);
    expect(fits({ x: [2, 3, 9, 9], o: 1, k: [3, 3], stride: 2, padding: 1 })).toEqual([false, false]);
    expect(fits({ x: [2, 4, 8, 8], o: 1, k: [3, 3], dilation: 2, padding: 2 })).toEqual([false, false]);
  });
});

describe('conv2d Winograd reach', () => {
  const none = {} as GpuStorage;
  const MiB = 1 << 20;
  const fits = (r: ConvRow, maxBinding = 128 * MiB) => {
    const { g } = convSetup(r);
    // As the launchers ask: the tiled kernels take ungrouped layers, the input gradient only where flippable.
    return [
      g.groups === 1 && winogradFit(forwardConv(g, none, none, undefined, none, false), maxBinding),
      flippable(g) && winogradFit(flippedConv(g, none, none, none), maxBinding),
      winogradGradFilterFit(g, maxBinding),
    ];
  };
  it('takes 3x3 stride-1 layers with 8 or more channels and padding up to 2 (forward, input gradient, filter gradient)', () => {
    expect(fits({ x: [8, 64, 56, 56], o: 64, k: [3, 3], padding: 1 })).toEqual([true, true, true]);
    expect(fits({ x: [3, 8, 9, 11], o: 8, k: [3, 3] })).toEqual([true, true, true]);
    expect(fits({ x: [64, 16, 14, 14], o: 32, k: [3, 3], padding: 1 })).toEqual([true, true, true]);
  });
  it('leaves other windows, strides, dilations and narrow layers to the direct kernels', () => {
    expect(fits({ x: [2, 12, 9, 8], o: 8, k: [3, 3], stride: [2, 1], padding: 1 })).toEqual([false, false, false]);
    expect(fits({ x: [2, 8, 9, 9], o: 8, k: [3, 3], dilation: 2, padding: 2 })).toEqual([false, false, false]);
    expect(fits({ x: [1, 8, 6, 8], o: 12, k: [5, 5], padding: 2 })).toEqual([false, false, false]);
    expect(fits({ x: [64, 1, 28, 28], o: 16, k: [3, 3], padding: 1 })).toEqual([false, false, false]);
    expect(fits({ x: [2, 8, 9, 9], o: 8, k: [3, 3], padding: 3 })).toEqual([false, false, false]);
    expect(fits({ x: [2, 8, 9, 9], o: 8, k: [3, 3], padding: 1, groups: 2 })).toEqual([false, false, false]);
  });
  it("splits the filter gradient's GEMM over tiles where its products give few invocations", () => {
    // The parity case x=2x8x10x9: 50 tiles, 8 channels (16 invocations unsplit).
    expect(gradFilterParts(50, 8, 8)).toEqual({ parts: 3, perPart: 17 });
    // resnet20's 16-channel layers at batch 16 (3,136 tiles): 16 parts, 1,024 invocations.
    expect(gradFilterParts(3136, 16, 16)).toEqual({ parts: 16, perPart: 196 });
    // 64 channels already give 1,024: one part.
    expect(gradFilterParts(256, 64, 64)).toEqual({ parts: 1, perPart: 256 });
  });
  it('falls back where its transformed input would not fit in one binding', () => {
    // VGG-16's first 64-channel layer at batch 8: 16 x 64 x 100,352 tiles x 4 bytes = 392 MiB.
    expect(fits({ x: [8, 64, 224, 224], o: 64, k: [3, 3], padding: 1 })).toEqual([false, false, false]);
    expect(fits({ x: [8, 64, 56, 56], o: 64, k: [3, 3], padding: 1 }, 16 * MiB)).toEqual([false, false, false]);
  });
});
