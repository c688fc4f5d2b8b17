import { conv2dAttrs, conv2dGeometry, type Padding } from '../../src/ops/conv2d';
import type { GradTable } from '../helpers/gradcheck';
import type { ParityCase, ParityTable } from '../helpers/parity';

export interface ConvRow {
  x: [number, number, number, number];
  o: number;
  k: [number, number];
  stride?: number | [number, number];
  padding?: Padding;
  dilation?: number | [number, number];
  groups?: number;
  bias?: boolean;
  /** Fused ReLU (forward and gradient rule; the gradient kernels never see it). */
  relu?: boolean;
  /** Bias NaN in every third channel: the fused ReLU must keep those channels NaN (PyTorch does). */
  nanBias?: boolean;
}

/** Edge cases: batch 1, 1x1 images, odd sizes, stride > kernel, channels not divisible by 4, Cin 1 and 3, groups, dilation, asymmetric padding. */
export const convRows: ConvRow[] = [
  { x: [1, 1, 1, 1], o: 1, k: [1, 1] },
  { x: [1, 1, 1, 1], o: 3, k: [3, 3], padding: 1, bias: true },
  { x: [2, 1, 28, 28], o: 6, k: [5, 5], bias: true },
  { x: [2, 6, 14, 14], o: 16, k: [5, 5], bias: true },
  { x: [2, 3, 9, 9], o: 5, k: [3, 3], stride: 2, padding: 1 },
  { x: [1, 3, 7, 11], o: 7, k: [3, 5], padding: 'same', bias: true },
  { x: [2, 5, 10, 10], o: 3, k: [3, 3], stride: 2, padding: 'same' },
  { x: [1, 2, 9, 9], o: 2, k: [2, 2], stride: 3 },
  { x: [2, 4, 8, 8], o: 6, k: [3, 3], dilation: 2, padding: 2 },
  { x: [1, 3, 11, 9], o: 4, k: [3, 3], dilation: [2, 1], stride: [1, 2] },
  { x: [2, 4, 6, 6], o: 6, k: [3, 3], groups: 2, padding: 1, bias: true },
  { x: [1, 6, 5, 5], o: 6, k: [3, 3], groups: 3, stride: 2 },
  { x: [2, 3, 6, 7], o: 5, k: [3, 3], padding: [0, 1, 2, 1] },
  { x: [1, 17, 4, 4], o: 9, k: [1, 1], bias: true },
  { x: [3, 7, 5, 5], o: 13, k: [5, 5], padding: 2 },
  { x: [1, 8, 3, 3], o: 33, k: [3, 3], padding: 1 },
  // Wider layers (several 8x8 tiles of conv2d_tile8), 7- and 8-wide filters.
  { x: [2, 8, 12, 20], o: 16, k: [3, 3], padding: 1, bias: true },
  { x: [1, 4, 5, 23], o: 12, k: [3, 7], padding: 'same' },
  { x: [1, 2, 4, 19], o: 4, k: [2, 8] },
  // More conv2d_tile8_packed shapes: 5x5 with padding 2, a row stride of 2, a 3x2 filter.
  { x: [1, 8, 6, 8], o: 12, k: [5, 5], padding: 2, bias: true },
  { x: [2, 12, 9, 8], o: 8, k: [3, 3], stride: [2, 1], padding: 1 },
  { x: [1, 8, 5, 8], o: 8, k: [3, 2] },
  // 1x1 layers conv2d_pointwise takes (channels multiples of 4, positions per image too):
  // rows not a multiple of 8, an odd number of vec4 columns, images of one vec4.
  { x: [2, 8, 4, 6], o: 12, k: [1, 1], bias: true },
  { x: [3, 12, 2, 2], o: 20, k: [1, 1] },
  { x: [2, 32, 7, 8], o: 24, k: [1, 1], padding: 0, bias: true },
  // 3x3 stride-1 layers Winograd F(2x2, 3x3) takes (8+ channels): odd output sizes (partial
  // 2x2 tiles), channels and tile counts off multiples of 8, valid (its gradient padded by
  // 2) and asymmetric padding.
  { x: [2, 9, 7, 5], o: 10, k: [3, 3], padding: 1, bias: true },
  { x: [3, 8, 9, 11], o: 8, k: [3, 3] },
  { x: [1, 12, 6, 7], o: 9, k: [3, 3], padding: [2, 0, 1, 2] },
  // Its filter gradient's GEMM split over tiles (gradFilterParts): 50 tiles in parts of 17,
  // 17 and 16.
  { x: [2, 8, 10, 9], o: 8, k: [3, 3], padding: 1 },
  // Strided layers as ResNet has them, whose input gradients run phase by phase through the
  // packed tile: a 1x1 stride-2 projection (half its phases no tap reaches) and a 3x3 stride 2.
  { x: [2, 8, 8, 8], o: 16, k: [1, 1], stride: 2 },
  { x: [2, 8, 9, 9], o: 12, k: [3, 3], stride: 2, padding: 1 },
];

/**
 * Which register-tiled kernels run a row: conv2d_tile8 runs every ungrouped forward and
 * the input gradient where it is a plain convolution of dy (stride 1, undilated, padding
 * below the kernel); conv2d_rows those of them with stride 1, no dilation, filters <= 5 wide;
 * conv2d_rows_tall those with filters up to 5x5 and few output channels (see below);
 * conv2d_tile8_packed those with 4 or more channels in and out; conv2d_pointwise the 1x1 ones below;
 * Winograd the 3x3 stride-1 ones with 8 or more channels in and out and padding up to 2.
 */
function tiledKernels(
  r: ConvRow,
  gradInput: boolean,
): { tile8: boolean; rows: boolean; tall: boolean; pointwise: boolean; packed: boolean; winograd: boolean } {
  const ones = (v: number | [number, number] | undefined) => v === undefined || [v].flat().every((e) => e === 1);
  const pads =
    typeof r.padding === 'number' ? [r.padding] : Array.isArray(r.padding) ? r.padding : r.padding === 'same' ? [Math.floor((Math.max(...r.k) - 1) / 2)] : [0];
  // Top and left padding (what the flipped input gradient pads by K-1-pad): [top, left, bottom, right], [h, w], one value, or 'same' (stride 1: (K-1)/2 per axis, rounded down).
  const [padTop, padLeft]: number[] =
    r.padding === 'same'
      ? r.k.map((k) => Math.floor((k - 1) / 2))
      : typeof r.padding === 'number'
        ? [r.padding, r.padding]
        : Array.isArray(r.padding)
          ? (r.padding as readonly number[]).slice(0, 2)
          : [0, 0];
  const plain = (r.groups ?? 1) === 1 && ones(r.stride) && ones(r.dilation);
  const tile8 = (r.groups ?? 1) === 1 && (!gradInput || (plain && padTop < r.k[0] && padLeft < r.k[1]));
  // conv2d_pointwise: 1x1 unpadded, positions per image and the input channels (the filter's vec4 axis) multiples of 4.
  const unit = r.k[0] === 1 && r.k[1] === 1 && pads.every((p) => p === 0) && (r.x[2] * r.x[3]) % 4 === 0;
  const pointwise = tile8 && plain && unit && r.x[1] % 4 === 0;
  // conv2d_tile8_packed: from 4 input and 4 output channels.
  const packed = tile8 && r.x[1] >= 4 && r.o >= 4;
  const winograd = packed && plain && r.x[1] >= 8 && r.o >= 8 && r.k[0] === 3 && r.k[1] === 3 && pads.every((p) => p <= 2);
  const rows = tile8 && plain && r.k[1] <= 5;
  // conv2d_rows_tall: those with filters up to 5 tall and at most 2 output channels (forward) or 8 (input gradient: the layer's input channels).
  const tall = rows && r.k[0] <= 5 && (gradInput ? r.x[1] <= 8 : r.o <= 2);
  return { tile8, rows, tall, pointwise, packed, winograd };
}

export function convName(r: ConvRow): string {
  const parts = [`x=${r.x.join('x')}`, `o=${r.o}`, `k=${r.k.join('x')}`];
  if (r.stride) parts.push(`s=${[r.stride].flat().join('x')}`);
  if (r.padding !== undefined) parts.push(`p=${[r.padding].flat().join('/')}`);
  if (r.dilation) parts.push(`d=${[r.dilation].flat().join('x')}`);
  if (r.groups) parts.push(`g=${r.groups}`);
  if (r.bias) parts.push('bias');
  if (r.relu) parts.push('relu');
  if (r.nanBias) parts.push('NaN bias');
  return parts.join(',');
}

export function convSetup(r: ConvRow) {
  const groups = r.groups ?? 1;
  const filter = [r.o, r.x[1] / groups, r.k[0], r.k[1]];
  const plain = conv2dAttrs(r.x, filter, { stride: r.stride, padding: r.padding, dilation: r.dilation, groups });
  const attrs = r.relu ? { ...plain, relu: true } : plain;
  const g = conv2dGeometry('conv2d', r.x, filter, attrs);
  return { filter, attrs, g, y: [g.n, g.o, g.oh, g.ow] };
}

/** Rows with the fused ReLU: forward parity and the finite-difference check of the rule. */
const reluRows: ConvRow[] = [
  { x: [1, 16, 4, 4], o: 8, k: [1, 1], bias: true, relu: true },
  { x: [2, 6, 14, 14], o: 16, k: [5, 5], bias: true, relu: true },
  { x: [1, 3, 7, 11], o: 7, k: [3, 5], padding: 'same', bias: true, relu: true },
  { x: [1, 1, 6, 6], o: 3, k: [3, 3], relu: true },
  { x: [2, 8, 5, 6], o: 8, k: [3, 3], padding: 1, bias: true, relu: true },
  // NaN through the fused ReLU of each kernel shape: 1x1, 5x5 rows, 'same', Winograd's 3x3, wide tiles.
  { x: [1, 16, 4, 4], o: 8, k: [1, 1], bias: true, relu: true, nanBias: true },
  { x: [2, 6, 14, 14], o: 16, k: [5, 5], bias: true, relu: true, nanBias: true },
  { x: [1, 3, 7, 11], o: 7, k: [3, 5], padding: 'same', bias: true, relu: true, nanBias: true },
  { x: [2, 8, 5, 6], o: 8, k: [3, 3], padding: 1, bias: true, relu: true, nanBias: true },
  { x: [2, 8, 12, 20], o: 16, k: [3, 3], padding: 1, bias: true, relu: true, nanBias: true },
];

/** A bias with NaN in channels 0, 3, 6, ... and small finite values elsewhere. */
const nanBias = (o: number) => Array.from({ length: o }, (_, c) => (c % 3 === 0 ? NaN : 0.1 * c - 0.4));

const cases: ParityCase[] = convRows.flatMap((r) => {
  const { filter, attrs, g, y } = convSetup(r);
  const name = convName(r);
  return [
    {
      name: `forward ${name}`,
      op: 'conv2d',
      inputs: [{ shape: r.x }, { shape: filter }, ...(r.bias ? [{ shape: [r.o] }] : [])],
      attrs,
      reduction: g.cg * g.kh * g.kw + 1,
    },
    {
      name: `grad_input ${name}`,
      op: 'conv2d_grad_input',
      inputs: [{ shape: y }, { shape: filter }],
      attrs: { ...attrs, inputShape: r.x },
      reduction: g.og * g.kh * g.kw,
    },
    {
      name: `grad_filter ${name}`,
      op: 'conv2d_grad_filter',
      inputs: [{ shape: r.x }, { shape: y }],
      attrs: { ...attrs, filterShape: filter },
      reduction: g.n * g.oh * g.ow,
    },
  ];
});

for (const r of reluRows) {
  const { filter, attrs, g } = convSetup(r);
  cases.push({
    name: `forward ${convName(r)}`,
    op: 'conv2d',
    inputs: [{ shape: r.x }, { shape: filter }, ...(r.bias ? [{ shape: [r.o], ...(r.nanBias ? { values: nanBias(r.o) } : {}) }] : [])],
    attrs,
    reduction: g.cg * g.kh * g.kw + 1,
  });
}

/** LeNet's first layer at batch 64: grad_filter splits its reduction over images. */
const lenetBatch = convSetup({ x: [64, 1, 28, 28], o: 6, k: [5, 5] });
cases.push({
  name: 'grad_filter x=64x1x28x28,o=6,k=5x5 (split over images)',
  op: 'conv2d_grad_filter',
  inputs: [{ shape: [64, 1, 28, 28] }, { shape: lenetBatch.y }],
  attrs: { ...lenetBatch.attrs, filterShape: lenetBatch.filter },
  reduction: 64 * 24 * 24,
});

/** Names of the forward and grad_input cases each tiled kernel runs (their variant parity tests). */
const allRows = [...convRows, ...reluRows];
export const tile8CaseNames = new Set([
  ...allRows.filter((r) => tiledKernels(r, false).tile8).map((r) => `forward ${convName(r)}`),
  ...convRows.filter((r) => tiledKernels(r, true).tile8).map((r) => `grad_input ${convName(r)}`),
]);
export const packedCaseNames = new Set([
  ...allRows.filter((r) => tiledKernels(r, false).packed).map((r) => `forward ${convName(r)}`),
  ...convRows.filter((r) => tiledKernels(r, true).packed).map((r) => `grad_input ${convName(r)}`),
]);
export const pointwiseCaseNames = new Set([
  ...allRows.filter((r) => tiledKernels(r, false).pointwise).map((r) => `forward ${convName(r)}`),
  ...convRows.filter((r) => tiledKernels(r, true).pointwise).map((r) => `grad_input ${convName(r)}`),
]);
export const winogradCaseNames = new Set([
  ...allRows.filter((r) => tiledKernels(r, false).winograd).map((r) => `forward ${convName(r)}`),
  ...convRows.filter((r) => tiledKernels(r, false).winograd).map((r) => `grad_filter ${convName(r)}`),
  ...convRows.filter((r) => tiledKernels(r, true).winograd).map((r) => `grad_input ${convName(r)}`),
]);
export const tallCaseNames = new Set([
  ...allRows.filter((r) => tiledKernels(r, false).tall).map((r) => `forward ${convName(r)}`),
  ...convRows.filter((r) => tiledKernels(r, true).tall).map((r) => `grad_input ${convName(r)}`),
]);
export const rowsCaseNames = new Set([
  ...allRows.filter((r) => tiledKernels(r, false).rows).map((r) => `forward ${convName(r)}`),
  ...convRows.filter((r) => tiledKernels(r, true).rows).map((r) => `grad_input ${convName(r)}`),
]);

/**
 * The grad_input cases the `:phases` rows run: ungrouped, undilated, a stride above 1 on
 * some axis; through the packed tile only with 4 or more channels in and out.
 */
const phased = (r: ConvRow) => (r.groups ?? 1) === 1 && [r.dilation ?? 1].flat().every((d) => d === 1) && [r.stride ?? 1].flat().some((s) => s > 1);
export const phaseCaseNames = new Set(convRows.filter(phased).map((r) => `grad_input ${convName(r)}`));
export const phasePackedCaseNames = new Set(convRows.filter((r) => phased(r) && r.x[1] >= 4 && r.o >= 4).map((r) => `grad_input ${convName(r)}`));

export const conv2dTable: ParityTable = { ops: ['conv2d', 'conv2d_grad_input', 'conv2d_grad_filter'], cases };

/** Finite-difference checks of conv2d's rule (input, filter, bias) on the small rows. */
export const conv2dGrads: GradTable = {
  kind: 'gradient',
  ops: ['conv2d'],
  cases: [...convRows, ...reluRows]
    .filter((r) => r.x[0] * r.x[1] * r.x[2] * r.x[3] <= 600 && !r.nanBias)
    .map((r) => {
      const { filter, attrs } = convSetup(r);
      return { name: convName(r), op: 'conv2d', inputs: [{ shape: r.x }, { shape: filter }, ...(r.bias ? [{ shape: [r.o] }] : [])], attrs };
    }),
};
