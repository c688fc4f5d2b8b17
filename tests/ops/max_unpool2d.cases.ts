import { pool2dAttrs, pool2dGeometry, type Pool2dOptions } from '../../src/ops/pool2d';
import { Random } from '../../src/random';
import type { GradTable } from '../helpers/gradcheck';
import type { ParityCase, ParityTable } from '../helpers/parity';

export interface UnpoolRow {
  /** The pool's input [N, C, H, W]. */
  x: [number, number, number, number];
  k: number | [number, number];
  options?: Pool2dOptions;
}

/** Non-overlapping 2x2 (DeConvNet, SegNet), overlapping 3x3/2 (AlexNet: two windows may share a switch), padding, odd sizes, a 1x1 plane. */
export const unpoolRows: UnpoolRow[] = [
  { x: [1, 1, 1, 1], k: 1 },
  { x: [2, 3, 4, 4], k: 2 },
  { x: [1, 2, 5, 7], k: 2 },
  { x: [2, 2, 7, 7], k: 3, options: { stride: 2 } },
  { x: [1, 3, 6, 5], k: 3, options: { stride: 2, padding: 1 } },
  { x: [1, 2, 6, 9], k: [2, 3], options: { stride: [2, 3] } },
  { x: [1, 4, 9, 9], k: 3, options: { stride: 1, padding: 1 } },
];

export const unpoolName = (r: UnpoolRow) =>
  `x=${r.x.join('x')},k=${[r.k].flat().join('x')}${r.options?.stride ? `,s=${[r.options.stride].flat().join('x')}` : ''}${r.options?.padding ? `,p=${r.options.padding}` : ''}`;

/** The switches a max pool takes on seeded data, computed here with the pool's tie rule (first maximum, row-major). */
export function switchesOf(r: UnpoolRow, seed = 5): { attrs: ReturnType<typeof pool2dAttrs>; pooled: number[]; indices: number[] } {
  const attrs = pool2dAttrs(r.x, r.k, r.options);
  const g = pool2dGeometry('test', r.x, attrs);
  const rng = new Random(seed);
  // Few distinct values, so equal maxima and shared switches happen.
  const x = Array.from({ length: r.x.reduce((a, b) => a * b, 1) }, () => Math.floor(rng.next() * 6));
  const indices: number[] = [];
  for (let p = 0; p < g.n * g.c; p++) {
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++) {
        const hs = oh * g.strideH - g.padT;
        const ws = ow * g.strideW - g.padL;
        let best = -1;
        for (let ih = Math.max(hs, 0); ih < Math.min(hs + g.kh, g.h); ih++) {
          for (let iw = Math.max(ws, 0); iw < Math.min(ws + g.kw, g.w); iw++)
            if (best < 0 || x[p * g.h * g.w + ih * g.w + iw] > x[p * g.h * g.w + best]) best = ih * g.w + iw;
        }
        indices.push(best);
      }
    }
  }
  return { attrs, pooled: [g.n, g.c, g.oh, g.ow], indices };
}

const cases = unpoolRows.flatMap((r): ParityCase[] => {
  const { attrs, pooled, indices } = switchesOf(r);
  const unpool = { ...attrs, outputSize: [r.x[2], r.x[3]] };
  return [
    { name: `maxpool2d_indices ${unpoolName(r)}`, op: 'maxpool2d_indices', inputs: [{ shape: r.x }], attrs },
    { name: `max_unpool2d ${unpoolName(r)}`, op: 'max_unpool2d', inputs: [{ shape: pooled }, { shape: pooled, values: indices }], attrs: unpool },
    { name: `max_unpool2d_grad ${unpoolName(r)}`, op: 'max_unpool2d_grad', inputs: [{ shape: r.x }, { shape: pooled, values: indices }], attrs: unpool },
  ];
});

export const maxUnpool2dTable: ParityTable = { ops: ['maxpool2d_indices', 'max_unpool2d', 'max_unpool2d_grad'], cases };

export const maxUnpool2dGrads: GradTable = {
  kind: 'gradient',
  ops: ['max_unpool2d'],
  cases: unpoolRows.map((r) => {
    const { attrs, pooled, indices } = switchesOf(r);
    return {
      name: unpoolName(r),
      op: 'max_unpool2d',
      inputs: [{ shape: pooled }, { shape: pooled, values: indices }],
      attrs: { ...attrs, outputSize: [r.x[2], r.x[3]] },
      wrt: [0],
    };
  }),
};
