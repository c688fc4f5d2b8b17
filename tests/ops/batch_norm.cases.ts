import type { GradTable } from '../helpers/gradcheck';
import type { ParityCase, ParityTable } from '../helpers/parity';

// 7x7 and 5x5 planes take the shader's per-element paths, 4x4 and 6x6 (HW a multiple of
// 4) its four-at-a-time paths; 4x6x6x6 spans several workgroups. The sums walk a channel's
// quads WG = 64 at a time: 16x2x6x6 (9 quads an image) and 2x2x24x24 (144) make each
// invocation step across images and within one.
const shapes = [
  [1, 1],
  [4, 3],
  [64, 10],
  [2, 3, 5, 5],
  [1, 5, 3, 3],
  [8, 16, 7, 7],
  [2, 3, 4, 4],
  [4, 6, 6, 6],
  [16, 2, 6, 6],
  [2, 2, 24, 24],
];
const eps = 1e-5;

export const batchNormTable: ParityTable = {
  ops: ['batch_norm_stats', 'batch_norm_train', 'batch_norm_grad_sums', 'batch_norm_train_grad', 'batch_norm_infer'],
  cases: shapes.flatMap((x): ParityCase[] => {
    const c = x[1];
    const m = x.reduce((a, b) => a * b, 1) / c;
    const name = `x=${x.join('x')}`;
    // An offset keeps the mean away from zero so the two-pass variance is exercised.
    const input = { shape: x, range: [1, 3] as [number, number] };
    // Given statistics: means near the input's, variances well above zero.
    const stats = { shape: [2, c], range: [1, 3] as [number, number] };
    return [
      { name: `batch_norm_stats ${name}`, op: 'batch_norm_stats', inputs: [input], reduction: m },
      { name: `batch_norm_train ${name}`, op: 'batch_norm_train', inputs: [input, { shape: [c] }, { shape: [c] }], attrs: { eps }, reduction: m, ulpsExtra: 8 },
      { name: `batch_norm_grad_sums ${name}`, op: 'batch_norm_grad_sums', inputs: [input, { shape: x }], attrs: { eps }, reduction: m, ulpsExtra: 8 },
      {
        name: `batch_norm_train_grad ${name}`,
        op: 'batch_norm_train_grad',
        inputs: [input, { shape: x }, { shape: [c] }, { shape: [2, c] }],
        attrs: { eps },
        reduction: m,
        ulpsExtra: 8,
      },
      // With the statistics given (as batchNorm() passes them): the kernels skip their stats pass.
      {
        name: `batch_norm_train ${name} (stats given)`,
        op: 'batch_norm_train',
        inputs: [input, { shape: [c] }, { shape: [c] }, stats],
        attrs: { eps },
        reduction: m,
        ulpsExtra: 8,
      },
      {
        name: `batch_norm_grad_sums ${name} (stats given)`,
        op: 'batch_norm_grad_sums',
        inputs: [input, { shape: x }, stats],
        attrs: { eps },
        reduction: m,
        ulpsExtra: 8,
      },
      {
        name: `batch_norm_train_grad ${name} (stats given)`,
        op: 'batch_norm_train_grad',
        inputs: [input, { shape: x }, { shape: [c] }, { shape: [2, c] }, stats],
        attrs: { eps },
        reduction: m,
        ulpsExtra: 8,
      },
      {
        name: `batch_norm_infer ${name}`,
        op: 'batch_norm_infer',
        inputs: [{ shape: x }, { shape: [c] }, { shape: [c], range: [0.5, 2] }, { shape: [c] }, { shape: [c] }],
        attrs: { eps },
        ulpsExtra: 4,
      },
    ];
  }),
};

export const batchNormGrads: GradTable = {
  kind: 'gradient',
  ops: ['batch_norm_train', 'batch_norm_infer'],
  cases: [
    { name: 'batch_norm_train x=4x3', op: 'batch_norm_train', inputs: [{ shape: [4, 3] }, { shape: [3] }, { shape: [3] }], attrs: { eps } },
    { name: 'batch_norm_train x=2x3x3x2', op: 'batch_norm_train', inputs: [{ shape: [2, 3, 3, 2] }, { shape: [3] }, { shape: [3] }], attrs: { eps } },
    {
      name: 'batch_norm_infer x=2x3x2x2',
      op: 'batch_norm_infer',
      inputs: [{ shape: [2, 3, 2, 2] }, { shape: [3] }, { shape: [3], range: [0.5, 2] }, { shape: [3] }, { shape: [3] }],
      attrs: { eps },
      wrt: [0, 3, 4],
    },
  ],
};
