import { BINARY_OPS, type BinaryOpName } from '../../src/ops/binary';
import type { ParityCase, ParityTable } from '../helpers/parity';

/** Shape pairs: equal shapes (flat path), scalars, rows, columns, both sides broadcast. */
const pairs: [number[], number[]][] = [
  [[1], [1]],
  [[17], [17]],
  [
    [4, 5],
    [4, 5],
  ],
  [[4, 5], [1]],
  [[1], [4, 5]],
  [[4, 5], [5]],
  [
    [4, 1],
    [1, 5],
  ],
  [
    [2, 3, 7, 7],
    [3, 1, 1],
  ],
  [
    [2, 1, 7, 1],
    [1, 3, 1, 9],
  ],
  [
    [1, 1, 1, 2, 3, 1, 2, 2],
    [2, 3, 1, 1, 2],
  ],
];

/** b's range: divisors away from zero, pow bases positive (WGSL pow needs x >= 0). */
function ranges(op: BinaryOpName): [[number, number], [number, number]] {
  if (op === 'div')
    return [
      [-2, 2],
      [0.25, 2],
    ];
  if (op === 'pow')
    return [
      [0.1, 3],
      [-2, 2],
    ];
  return [
    [-2, 2],
    [-2, 2],
  ];
}

export const binaryTable: ParityTable = {
  ops: BINARY_OPS,
  cases: BINARY_OPS.flatMap((op) =>
    pairs.map(([a, b]): ParityCase => {
      const [ra, rb] = ranges(op);
      return {
        name: `${op} a=${a.join('x')},b=${b.join('x')}`,
        op,
        inputs: [
          { shape: a, range: ra },
          { shape: b, range: rb },
        ],
        ulpsExtra: op === 'pow' ? 4 : 0,
      };
    }),
  ),
};
