import type { GradTable } from '../helpers/gradcheck';
import type { InputSpec, ParityCase, ParityTable } from '../helpers/parity';

const labels = (n: number, k: number): InputSpec => ({ shape: [n], values: Array.from({ length: n }, (_, i) => (i * 7 + 3) % k) });

const rowShapes: [number[], [number, number]][] = [
  [
    [1, 1],
    [-1, 1],
  ],
  [
    [4, 10],
    [-1, 1],
  ],
  [
    [3, 5, 7],
    [-3, 3],
  ],
  [
    [64, 10],
    [-60, 60],
  ],
];

const cases: ParityCase[] = [];
for (const op of ['softmax', 'log_softmax']) {
  for (const [shape, range] of rowShapes) {
    cases.push({ name: `${op} x=${shape.join('x')},range=${range[1]}`, op, inputs: [{ shape, range }], reduction: shape.at(-1), ulpsExtra: 4 });
  }
}
for (const [n, k, r] of [
  [1, 1, 1],
  [4, 10, 1],
  [64, 10, 30],
  [7, 3, 5],
]) {
  cases.push({
    name: `softmax_cross_entropy n=${n},k=${k},range=${r}`,
    op: 'softmax_cross_entropy',
    inputs: [{ shape: [n, k], range: [-r, r] }, labels(n, k)],
    reduction: n * k,
    ulpsExtra: 4,
  });
  cases.push({
    name: `softmax_cross_entropy_grad n=${n},k=${k},range=${r}`,
    op: 'softmax_cross_entropy_grad',
    inputs: [{ shape: [n, k], range: [-r, r] }, labels(n, k), { shape: [], values: [1.5] }],
    reduction: k,
    ulpsExtra: 4,
  });
}

// Segmentation logits: each pixel's channels, 1 to 21 classes (Pascal VOC's), odd planes, 1x1.
for (const [shape, r] of [
  [[1, 1, 1, 1], 1],
  [[2, 3, 4, 5], 3],
  [[1, 21, 7, 9], 30],
  [[3, 11, 1, 1], 5],
  [[2, 4, 16, 16], 60],
] as [number[], number][]) {
  cases.push({
    name: `log_softmax_channels x=${shape.join('x')},range=${r}`,
    op: 'log_softmax_channels',
    inputs: [{ shape, range: [-r, r] }],
    reduction: shape[1],
    ulpsExtra: 4,
  });
}

export const softmaxTable: ParityTable = {
  ops: ['softmax', 'log_softmax', 'log_softmax_channels', 'softmax_cross_entropy', 'softmax_cross_entropy_grad'],
  cases,
};

export const softmaxGrads: GradTable = {
  kind: 'gradient',
  ops: ['softmax', 'log_softmax', 'log_softmax_channels', 'softmax_cross_entropy'],
  cases: [
    { name: 'log_softmax_channels x=2x3x2x3', op: 'log_softmax_channels', inputs: [{ shape: [2, 3, 2, 3], range: [-3, 3] }] },
    { name: 'softmax x=3x5', op: 'softmax', inputs: [{ shape: [3, 5] }] },
    { name: 'log_softmax x=2x3x4', op: 'log_softmax', inputs: [{ shape: [2, 3, 4] }] },
    { name: 'softmax_cross_entropy n=5,k=4', op: 'softmax_cross_entropy', inputs: [{ shape: [5, 4], range: [-3, 3] }, labels(5, 4)], wrt: [0] },
  ],
};
