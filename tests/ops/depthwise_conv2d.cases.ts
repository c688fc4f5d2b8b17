import { conv2dAttrs } from '../../src/ops/conv2d';
import { depthwiseGeometry } from '../../src/ops/depthwise_conv2d';
import type { GradTable } from '../helpers/gradcheck';
import type { ParityCase, ParityTable } from '../helpers/parity';
import type { ConvRow } from './conv2d.cases';

/** [x, multiplier, kernel, options]: MobileNet's 3x3 s1/s2, multipliers, odd sizes, dilation, batch 1, 1x1 images. */
const rows: (Omit<ConvRow, 'o' | 'groups'> & { mult: number })[] = [
  { x: [1, 1, 1, 1], mult: 1, k: [1, 1] },
  { x: [2, 3, 8, 8], mult: 1, k: [3, 3], padding: 1, bias: true },
  { x: [2, 5, 9, 9], mult: 1, k: [3, 3], stride: 2, padding: 'same' },
  { x: [1, 3, 7, 6], mult: 2, k: [3, 3], padding: 1, bias: true },
  { x: [2, 4, 10, 10], mult: 3, k: [5, 5], stride: 2, padding: 2 },
  { x: [1, 2, 9, 9], mult: 1, k: [3, 3], dilation: 2, padding: 2 },
  { x: [1, 2, 9, 9], mult: 1, k: [2, 2], stride: 3 },
  { x: [8, 8, 12, 12], mult: 1, k: [3, 3], padding: 1 },
  // Rows of several 8-wide segments (depthwise_conv2d_rows), a 3x5 filter, stride 2 with a multiplier.
  { x: [2, 3, 5, 21], mult: 1, k: [3, 3], padding: 1, bias: true },
  { x: [1, 3, 6, 19], mult: 1, k: [3, 5], padding: 'same' },
  { x: [1, 2, 6, 37], mult: 2, k: [5, 5], stride: 2, padding: 2, bias: true },
  { x: [1, 2, 7, 17], mult: 3, k: [3, 3], padding: 1 },
];

const setup = (r: (typeof rows)[number]) => {
  const filter = [r.x[1] * r.mult, 1, r.k[0], r.k[1]];
  const attrs = conv2dAttrs(r.x, filter, { stride: r.stride, padding: r.padding, dilation: r.dilation, groups: r.x[1] });
  const g = depthwiseGeometry('depthwise_conv2d', r.x, filter, attrs);
  const name = `x=${r.x.join('x')},m=${r.mult},k=${r.k.join('x')}${r.stride ? `,s=${r.stride}` : ''}${r.padding !== undefined ? `,p=${r.padding}` : ''}${r.dilation ? `,d=${r.dilation}` : ''}${r.bias ? ',bias' : ''}`;
  return { filter, attrs, g, name, y: [g.n, g.o, g.oh, g.ow] };
};

export const depthwiseTable: ParityTable = {
  ops: ['depthwise_conv2d', 'depthwise_conv2d_grad_input', 'depthwise_conv2d_grad_filter'],
  cases: rows.flatMap((r): ParityCase[] => {
    const { filter, attrs, g, name, y } = setup(r);
    return [
      {
        name: `forward ${name}`,
        op: 'depthwise_conv2d',
        inputs: [{ shape: r.x }, { shape: filter }, ...(r.bias ? [{ shape: [g.o] }] : [])],
        attrs,
        reduction: g.kh * g.kw + 1,
      },
      {
        name: `grad_input ${name}`,
        op: 'depthwise_conv2d_grad_input',
        inputs: [{ shape: y }, { shape: filter }],
        attrs: { ...attrs, inputShape: r.x },
        reduction: g.mult * g.kh * g.kw,
      },
      {
        name: `grad_filter ${name}`,
        op: 'depthwise_conv2d_grad_filter',
        inputs: [{ shape: r.x }, { shape: y }],
        attrs: { ...attrs, filterShape: filter },
        reduction: g.n * g.oh * g.ow,
      },
    ];
  }),
};

export const depthwiseGrads: GradTable = {
  kind: 'gradient',
  ops: ['depthwise_conv2d'],
  cases: rows.slice(0, 7).map((r) => {
    const { filter, attrs, g, name } = setup(r);
    return { name, op: 'depthwise_conv2d', inputs: [{ shape: r.x }, { shape: filter }, ...(r.bias ? [{ shape: [g.o] }] : [])], attrs };
  }),
};
