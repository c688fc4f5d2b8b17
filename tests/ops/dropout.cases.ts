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
  ],
};

export const dropoutGrads: GradTable = {
  kind: 'gradient',
  ops: ['dropout'],
  cases: [{ name: 'dropout p=0.3,seed=5 x=4x6', op: 'dropout', inputs: [{ shape: [4, 6] }], attrs: { p: 0.3, seed: 5 }, samples: 24 }],
};
