import type { ParityTable } from '../helpers/parity';
import type { GradTable } from '../helpers/gradcheck';

export const reshapeTable: ParityTable = {
  ops: ['reshape'],
  cases: [
    { name: 'reshape x=2x3x4 to 6x4', op: 'reshape', inputs: [{ shape: [2, 3, 4] }], attrs: { shape: [6, 4] } },
    { name: 'reshape x=2x16x5x5 to 2x-1 (flatten)', op: 'reshape', inputs: [{ shape: [2, 16, 5, 5] }], attrs: { shape: [2, -1] } },
    { name: 'reshape x=1 to scalar', op: 'reshape', inputs: [{ shape: [1] }], attrs: { shape: [] } },
  ],
};

export const reshapeGrads: GradTable = {
  kind: 'gradient',
  ops: ['reshape'],
  cases: [{ name: 'reshape 2x3x4 -> 4x6', op: 'reshape', inputs: [{ shape: [2, 3, 4] }], attrs: { shape: [4, 6] } }],
};
