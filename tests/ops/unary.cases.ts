import { UNARY_OPS, type UnaryOpName } from '../../src/ops/unary';
import type { ParityCase, ParityTable } from '../helpers/parity';

/** Input ranges inside each function's domain; wide ones check overflow-safe forms. */
const domain: Record<UnaryOpName, [number, number]> = {
  neg: [-5, 5],
  abs: [-5, 5],
  exp: [-10, 10],
  log: [0.01, 100],
  sqrt: [0, 100],
  rsqrt: [0.01, 100],
  square: [-10, 10],
  reciprocal: [0.05, 20],
  sign: [-2, 2],
  relu: [-3, 3],
  sigmoid: [-60, 60],
  tanh: [-40, 40],
  relu6: [-3, 9],
  leaky_relu: [-3, 3],
  elu: [-4, 2],
};

/** Transcendentals are accurate to a few ulp on GPUs, not correctly rounded. */
const transcendental = new Set<UnaryOpName>(['exp', 'log', 'sqrt', 'rsqrt', 'sigmoid', 'tanh', 'elu']);

const shapes = [[1], [7], [3, 5, 2], [2, 3, 17, 19]];

/** The activations: NaN must come out NaN (as in PyTorch), and infinities must saturate. */
export const ACTIVATIONS: readonly UnaryOpName[] = ['relu', 'relu6', 'leaky_relu', 'elu', 'sigmoid', 'tanh'];

/** NaN and infinities at every position of a four-wide group, and finite values beside them. */
export const NON_FINITE_VALUES = [NaN, -1, 2, -Infinity, Infinity, NaN, 0.5, -3, -0, NaN, Infinity, 7, -Infinity];

export const unaryTable: ParityTable = {
  ops: UNARY_OPS,
  cases: UNARY_OPS.flatMap((op) =>
    shapes.map(
      (shape): ParityCase => ({
        name: `${op} x=${shape.join('x')}`,
        op,
        inputs: [{ shape, range: domain[op] }],
        ulpsExtra: transcendental.has(op) ? 4 : 0,
      }),
    ),
  )
    .concat([
      { name: 'leaky_relu alpha=0.2 x=3x5', op: 'leaky_relu', inputs: [{ shape: [3, 5], range: [-3, 3] }], attrs: { alpha: 0.2 } },
      { name: 'elu alpha=0.5 x=3x5', op: 'elu', inputs: [{ shape: [3, 5], range: [-3, 3] }], attrs: { alpha: 0.5 }, ulpsExtra: 4 },
    ])
    .concat(
      ACTIVATIONS.map(
        (op): ParityCase => ({
          name: `${op} NaN and infinities x=${NON_FINITE_VALUES.length}`,
          op,
          inputs: [{ shape: [NON_FINITE_VALUES.length], values: NON_FINITE_VALUES }],
          ulpsExtra: transcendental.has(op) ? 4 : 0,
        }),
      ),
    ),
};
