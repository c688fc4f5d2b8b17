import { sizeOf } from '../../src/shape';
import { REDUCE_OPS } from '../../src/ops/reduce';
import type { ParityCase, ParityTable } from '../helpers/parity';

/** [shape, axes, keepDims]: inner, outer, middle and mixed axes; long reductions split in two passes. */
const rows: [number[], number[], boolean][] = [
  [[1], [], false],
  [[7], [0], false],
  [[3, 4], [1], false],
  [[3, 4], [0], true],
  [[3, 4], [], true],
  [[2, 3, 5, 7], [1], false],
  [[2, 3, 5, 7], [2, 3], true],
  [[2, 3, 5, 7], [0, 2], false],
  [[2, 3, 5, 7], [-1], false],
  [[100000], [], false],
  [[3, 5000], [1], false],
  [[5000, 3], [0], false],
  [[64, 16, 12, 12], [0, 2, 3], true],
];

export const reduceTable: ParityTable = {
  ops: REDUCE_OPS,
  cases: REDUCE_OPS.flatMap((op) =>
    rows.map(([shape, axes, keepDims]): ParityCase => {
      const reduced = axes.length === 0 ? shape : axes.map((a) => shape.at(a)!);
      return {
        name: `${op} x=${shape.join('x')},axes=[${axes.join(',')}]${keepDims ? ',keepDims' : ''}`,
        op,
        inputs: [{ shape }],
        attrs: { axes, keepDims },
        reduction: sizeOf(reduced),
      };
    }),
  ),
};
