import type { GradTable } from '../helpers/gradcheck';
import type { ParityCase, ParityTable } from '../helpers/parity';

const alexnet = { size: 5, alpha: 1e-4, beta: 0.75, k: 2 };
const strong = { size: 3, alpha: 0.5, beta: 0.75, k: 1 };

const cases: ParityCase[] = [];
for (const [x, attrs, tag] of [
  [[1, 1, 1, 1], alexnet, 'alexnet'],
  [[2, 7, 5, 5], alexnet, 'alexnet'],
  [[2, 6, 3, 4], strong, 'size=3,alpha=0.5'],
  [[1, 4, 2, 2], { size: 4, alpha: 1, beta: 0.5, k: 1 }, 'size=4 (asymmetric window)'],
] as const) {
  cases.push({ name: `lrn x=${x.join('x')},${tag}`, op: 'lrn', inputs: [{ shape: [...x], range: [-2, 2] }], attrs, reduction: attrs.size, ulpsExtra: 8 });
  cases.push({
    name: `lrn_grad x=${x.join('x')},${tag}`,
    op: 'lrn_grad',
    inputs: [{ shape: [...x], range: [-2, 2] }, { shape: [...x] }],
    attrs,
    reduction: attrs.size * attrs.size,
    ulpsExtra: 8,
  });
}

export const lrnTable: ParityTable = { ops: ['lrn', 'lrn_grad'], cases };

export const lrnGrads: GradTable = {
  kind: 'gradient',
  ops: ['lrn'],
  cases: [
    { name: 'lrn x=2x6x2x2,size=3,alpha=0.5', op: 'lrn', inputs: [{ shape: [2, 6, 2, 2] }], attrs: strong },
    { name: 'lrn x=1x5x2x1,size=4', op: 'lrn', inputs: [{ shape: [1, 5, 2, 1] }], attrs: { size: 4, alpha: 1, beta: 0.5, k: 1 } },
  ],
};
