import type { GradTable } from '../helpers/gradcheck';
import type { ParityTable } from '../helpers/parity';

export const dropoutTable: ParityTable = {
  ops: ['dropout'],
  cases: [
    { name: 'dropout p=0.5,seed=1 x=1', op: 'dropout', inputs: [{ shape: [1] }], attrs: { p: 0.5, seed: 1 } },
    { name: 'dropout p=0.5,seed=7 x=4x33', op: 'dropout', inputs: [{ shape: [4, 33] }], attrs: { p: 0.5, seed: 7 } },
    { name: 'dropout p=0.2,seed=4294967295 x=8x3x5x5', op: 'dropout', inputs: [{ shape: [8, 3, 5, 5] }], attrs: { p: 0.2, seed: 4294967295 } },
    { name: 'dropout p=0 x=10 (identity)', op: 'dropout', inputs: [{ shape: [10] }], attrs: { p: 0, seed: 3 } },
    { name: 'dropout p=0.9,seed=123 x=64x120', op: 'dropout', inputs: [{ shape: [64, 120] }], attrs: { p: 0.9, seed: 123 } },
    // With a step counter: the mask of seed 10 at step 37 is the mask of seed 47.
    { name: 'dropout p=0.5,seed=10,step=37 x=3x50', op: 'dropout', inputs: [{ shape: [3, 50] }, { shape: [1], values: [37] }], attrs: { p: 0.5, seed: 10 } },
    {
      name: 'dropout p=0.4,seed=4294967295,step=2 x=77 (wraps)',
      op: 'dropout',
      inputs: [{ shape: [77] }, { shape: [1], values: [2] }],
      attrs: { p: 0.4, seed: 4294967295 },
    },
  ],
};

export const dropoutGrads: GradTable = {
  kind: 'gradient',
  ops: ['dropout'],
  cases: [{ name: 'dropout p=0.3,seed=5 x=4x6', op: 'dropout', inputs: [{ shape: [4, 6] }], attrs: { p: 0.3, seed: 5 }, samples: 24 }],
};
