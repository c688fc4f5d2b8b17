import { conv2dTransposeGeometry, type Conv2dTransposeOptions } from '../../src/ops/conv2d_transpose';
import type { GradTable } from '../helpers/gradcheck';
import type { ParityCase, ParityTable } from '../helpers/parity';

/** One transposed convolution: input [N, Cin, H, W], weight [Cin, Cout/groups, KH, KW], PyTorch's options. */
export interface TransposeRow {
  x: [number, number, number, number];
  cout: number;
  k: [number, number];
  options?: Omit<Conv2dTransposeOptions, 'bias'>;
}

/**
 * The shapes that go back up: FCN's 4x4 stride-2 learned upsampling and its 16x16 stride-8
 * form, U-Net's 2x2 stride-2, output padding, dilation, groups, odd sizes, 1x1 inputs,
 * channel counts off multiples of 4, batch 1 and 3, a 1x1 kernel.
 */
export const transposeRows: TransposeRow[] = [
  { x: [1, 1, 1, 1], cout: 1, k: [1, 1] },
  { x: [1, 1, 1, 1], cout: 3, k: [3, 3] },
  { x: [2, 4, 5, 5], cout: 6, k: [4, 4], options: { stride: 2, padding: 1 } },
  { x: [1, 3, 4, 6], cout: 5, k: [2, 2], options: { stride: 2 } },
  { x: [2, 5, 3, 4], cout: 3, k: [3, 3], options: { stride: 2, padding: 1, outputPadding: 1 } },
  { x: [1, 2, 5, 3], cout: 4, k: [3, 2], options: { stride: [3, 2], padding: [1, 0], outputPadding: [2, 1] } },
  { x: [1, 4, 4, 4], cout: 2, k: [3, 3], options: { dilation: 2, padding: 2 } },
  { x: [2, 4, 3, 3], cout: 6, k: [3, 3], options: { stride: 2, groups: 2 } },
  { x: [3, 7, 2, 2], cout: 9, k: [1, 1], options: { stride: 3 } },
  { x: [1, 8, 2, 2], cout: 4, k: [16, 16], options: { stride: 8, padding: 4 } },
  { x: [2, 16, 6, 6], cout: 8, k: [3, 3], options: { padding: 1 } },
  { x: [1, 12, 7, 9], cout: 8, k: [2, 2], options: { stride: 2 } },
];

export function transposeName(r: TransposeRow): string {
  const o = r.options ?? {};
  const parts = [`x=${r.x.join('x')}`, `cout=${r.cout}`, `k=${r.k.join('x')}`];
  if (o.stride) parts.push(`s=${[o.stride].flat().join('x')}`);
  if (o.padding) parts.push(`p=${[o.padding].flat().join('x')}`);
  if (o.outputPadding) parts.push(`op=${[o.outputPadding].flat().join('x')}`);
  if (o.dilation) parts.push(`d=${[o.dilation].flat().join('x')}`);
  if (o.groups) parts.push(`g=${o.groups}`);
  return parts.join(',');
}

/** The weight's shape, and the conv2d_grad_input case that is this transposed convolution. */
export function transposeSetup(r: TransposeRow) {
  const groups = r.options?.groups ?? 1;
  const weight = [r.x[1], r.cout / groups, r.k[0], r.k[1]];
  const { outputShape, convAttrs } = conv2dTransposeGeometry(r.x, weight, r.options);
  const reduction =
    (r.x[1] / groups) *
    Math.ceil(r.k[0] / ([r.options?.stride ?? 1].flat()[0] as number)) *
    Math.ceil(r.k[1] / ([r.options?.stride ?? 1].flat().at(-1) as number));
  return { weight, outputShape, attrs: { ...convAttrs, inputShape: outputShape }, reduction: Math.max(reduction, 1) };
}

/** Forward parity of the transposed convolutions, run as the op they are (conv2d_grad_input). */
export const conv2dTransposeTable: ParityTable = {
  ops: ['conv2d_grad_input'],
  cases: transposeRows.map((r): ParityCase => {
    const { weight, attrs, reduction } = transposeSetup(r);
    return { name: `transpose ${transposeName(r)}`, op: 'conv2d_grad_input', inputs: [{ shape: r.x }, { shape: weight }], attrs, reduction };
  }),
};

/** conv2d_grad_input's rule (it trains as a transposed convolution): both inputs, small rows. */
export const conv2dTransposeGrads: GradTable = {
  kind: 'gradient',
  ops: ['conv2d_grad_input'],
  cases: transposeRows
    .filter((r) => r.x.reduce((a, b) => a * b, 1) <= 200 && r.k[0] <= 4)
    .map((r) => {
      const { weight, attrs } = transposeSetup(r);
      return { name: transposeName(r), op: 'conv2d_grad_input', inputs: [{ shape: r.x }, { shape: weight }], attrs };
    }),
};
