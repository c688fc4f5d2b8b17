import { upsample2dAttrs, type Upsample2dOptions } from '../../src/ops/upsample2d';
import type { GradTable } from '../helpers/gradcheck';
import type { ParityCase, ParityTable } from '../helpers/parity';

export interface UpsampleRow {
  x: [number, number, number, number];
  options: Upsample2dOptions;
}

/**
 * Integer scales (FCN's 8x and 32x among them), sizes that are not multiples of the
 * input (torchvision's FCN upsamples to the image's size), shrinking, align_corners,
 * per-axis scales, 1x1 inputs and outputs.
 */
export const upsampleRows: UpsampleRow[] = [
  { x: [1, 1, 1, 1], options: { scale: 3 } },
  { x: [1, 1, 1, 1], options: { scale: 3, mode: 'bilinear' } },
  { x: [2, 3, 4, 5], options: { scale: 2 } },
  { x: [2, 3, 4, 5], options: { scale: 2, mode: 'bilinear' } },
  { x: [1, 2, 3, 3], options: { scale: 8, mode: 'bilinear' } },
  { x: [1, 2, 2, 2], options: { scale: 32, mode: 'bilinear' } },
  { x: [2, 2, 5, 7], options: { size: [13, 11] } },
  { x: [2, 2, 5, 7], options: { size: [13, 11], mode: 'bilinear' } },
  { x: [1, 3, 6, 9], options: { size: [4, 5], mode: 'bilinear' } },
  { x: [1, 3, 6, 9], options: { size: [4, 5] } },
  { x: [2, 2, 4, 3], options: { size: [7, 9], mode: 'bilinear', alignCorners: true } },
  { x: [1, 1, 3, 3], options: { size: [1, 1], mode: 'bilinear', alignCorners: true } },
  { x: [1, 2, 3, 4], options: { scale: [2, 3], mode: 'bilinear' } },
  { x: [1, 2, 3, 4], options: { scale: 1.5 } },
  { x: [1, 2, 5, 5], options: { scale: 2.5, mode: 'bilinear' } },
];

export function upsampleName(r: UpsampleRow): string {
  const o = r.options;
  const parts = [`x=${r.x.join('x')}`, o.mode ?? 'nearest', o.scale !== undefined ? `scale=${[o.scale].flat().join('x')}` : `size=${o.size!.join('x')}`];
  if (o.alignCorners) parts.push('align_corners');
  return parts.join(',');
}

const cases = upsampleRows.flatMap((r): ParityCase[] => {
  const attrs = upsample2dAttrs(r.x, r.options);
  const y = [r.x[0], r.x[1], attrs.size[0], attrs.size[1]];
  // Each output reads at most 4 inputs; each input gathers at most (ceil(out/in) + 1)^2 outputs.
  const reach = Math.ceil(attrs.size[0] / r.x[2] + 1) * Math.ceil(attrs.size[1] / r.x[3] + 1);
  return [
    { name: `forward ${upsampleName(r)}`, op: 'upsample2d', inputs: [{ shape: r.x }], attrs, reduction: 4 },
    { name: `grad ${upsampleName(r)}`, op: 'upsample2d_grad', inputs: [{ shape: y }], attrs: { ...attrs, inputShape: r.x }, reduction: reach },
  ];
});

export const upsample2dTable: ParityTable = { ops: ['upsample2d', 'upsample2d_grad'], cases };

export const upsample2dGrads: GradTable = {
  kind: 'gradient',
  ops: ['upsample2d'],
  cases: upsampleRows
    .filter((r) => r.x.reduce((a, b) => a * b, 1) <= 120)
    .map((r) => ({ name: upsampleName(r), op: 'upsample2d', inputs: [{ shape: r.x }], attrs: upsample2dAttrs(r.x, r.options) })),
};
