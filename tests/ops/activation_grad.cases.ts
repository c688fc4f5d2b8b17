import { ACTIVATION_GRAD_OPS } from '../../src/ops/activation_grad';
import type { ParityCase, ParityTable } from '../helpers/parity';

/** sigmoid and tanh read y, so draw their first input from the output's range. */
const range = (op: string): [number, number] => (op === 'sigmoid_grad' ? [0, 1] : op === 'tanh_grad' ? [-1, 1] : [-3, 8]);

export const activationGradTable: ParityTable = {
  ops: ACTIVATION_GRAD_OPS,
  cases: ACTIVATION_GRAD_OPS.flatMap((op) =>
    [[1], [2, 3, 5, 7]].map(
      (shape): ParityCase => ({
        name: `${op} x=${shape.join('x')}`,
        op,
        inputs: [{ shape, range: range(op) }, { shape }],
        attrs: { alpha: op === 'elu_grad' ? 1 : 0.1 },
        ulpsExtra: op === 'elu_grad' ? 4 : 0,
      }),
    ),
  ),
};
