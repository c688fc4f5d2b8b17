import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { defineOp, runOp } from './op';

/**
 * Index of the largest value in each row of [rows, cols], as a float; ties go to the
 * first (lowest) index on both backends. Predictions and accuracy are read from it.
 */
export const argmaxOp = defineOp({
  name: 'argmax',
  inputs: 1,
  inferShape([x]) {
    if (x.length !== 2 || x[1] === 0) throw new Error(`argmax: input must be [rows, cols] with cols > 0, got ${formatShape(x)}`);
    return [x[0]];
  },
});

export const argmax = (x: Tensor) => runOp(argmaxOp, [x], {});
