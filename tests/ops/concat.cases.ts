import type { GradTable } from '../helpers/gradcheck';
import type { ParityTable } from '../helpers/parity';

export const concatTable: ParityTable = {
  ops: ['concat', 'slice'],
  cases: [
    { name: 'concat axis=1 of 2x3x4x4 and 2x5x4x4', op: 'concat', inputs: [{ shape: [2, 3, 4, 4] }, { shape: [2, 5, 4, 4] }], attrs: { axis: 1 } },
    {
      name: 'concat axis=1 of 1x1x1x1, 1x2x1x1, 1x3x1x1',
      op: 'concat',
      inputs: [{ shape: [1, 1, 1, 1] }, { shape: [1, 2, 1, 1] }, { shape: [1, 3, 1, 1] }],
      attrs: { axis: 1 },
    },
    { name: 'concat axis=0 of 2x3 and 1x3', op: 'concat', inputs: [{ shape: [2, 3] }, { shape: [1, 3] }], attrs: { axis: 0 } },
    { name: 'concat axis=-1 of 2x3 and 2x2', op: 'concat', inputs: [{ shape: [2, 3] }, { shape: [2, 2] }], attrs: { axis: -1 } },
    { name: 'slice axis=1 [2,5) of 2x7x3x3', op: 'slice', inputs: [{ shape: [2, 7, 3, 3] }], attrs: { axis: 1, start: 2, size: 3 } },
    { name: 'slice axis=0 [0,1) of 3x4', op: 'slice', inputs: [{ shape: [3, 4] }], attrs: { axis: 0, start: 0, size: 1 } },
  ],
};

export const concatGrads: GradTable = {
  kind: 'gradient',
  ops: ['concat', 'slice'],
  cases: [
    { name: 'concat axis=1 of 2x2x3 and 2x1x3', op: 'concat', inputs: [{ shape: [2, 2, 3] }, { shape: [2, 1, 3] }], attrs: { axis: 1 } },
    { name: 'slice axis=1 [1,3) of 2x4x2', op: 'slice', inputs: [{ shape: [2, 4, 2] }], attrs: { axis: 1, start: 1, size: 2 } },
  ],
};
