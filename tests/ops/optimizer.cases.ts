import type { ParityTable } from '../helpers/parity';

const p = (shape: number[]) => ({ shape });
const hyper = (values: number[]) => ({ shape: [values.length], values });
const positive = (shape: number[]) => ({ shape, range: [0, 1] as [number, number] });

/** One update of each optimizer on both backends; the output is the updated parameter. */
export const optimizerTable: ParityTable = {
  ops: ['sgd_update', 'adam_update', 'sgd_update_pair', 'adam_update_pair', 'assign'],
  cases: [
    { name: 'sgd_update plain lr=0.1 x=1', op: 'sgd_update', inputs: [p([1]), p([1]), hyper([0.1])], attrs: { momentum: 0, nesterov: false, weightDecay: 0 } },
    {
      name: 'sgd_update plain lr=0.5,wd=0.01 x=6x5x5',
      op: 'sgd_update',
      inputs: [p([6, 5, 5]), p([6, 5, 5]), hyper([0.5])],
      attrs: { momentum: 0, nesterov: false, weightDecay: 0.01 },
    },
    {
      name: 'sgd_update momentum=0.9 x=130',
      op: 'sgd_update',
      inputs: [p([130]), p([130]), hyper([0.05]), p([130])],
      attrs: { momentum: 0.9, nesterov: false, weightDecay: 0 },
    },
    {
      name: 'sgd_update nesterov=0.9,wd=1e-3 x=17x3',
      op: 'sgd_update',
      inputs: [p([17, 3]), p([17, 3]), hyper([0.05]), p([17, 3])],
      attrs: { momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
    },
    {
      name: 'adam_update t=1 x=65',
      op: 'adam_update',
      inputs: [p([65]), p([65]), hyper([1e-3, 0.1, 0.001]), p([65]), positive([65])],
      attrs: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false },
      ulpsExtra: 4,
    },
    {
      name: 'adam_update l2 wd=0.1 x=4x4x3x3',
      op: 'adam_update',
      inputs: [p([4, 4, 3, 3]), p([4, 4, 3, 3]), hyper([0.01, 0.5, 0.2]), p([4, 4, 3, 3]), positive([4, 4, 3, 3])],
      attrs: { beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1, decoupled: false },
      ulpsExtra: 4,
    },
    {
      name: 'adamw wd=0.05 x=257',
      op: 'adam_update',
      inputs: [p([257]), p([257]), hyper([0.02, 0.3, 0.05]), p([257]), positive([257])],
      attrs: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, decoupled: true },
      ulpsExtra: 4,
    },
    // Pairs: the output is the first parameter; pair.test below checks the second and the state.
    {
      name: 'sgd_update_pair plain x=6x5x5,6',
      op: 'sgd_update_pair',
      inputs: [p([6, 5, 5]), p([6]), p([6, 5, 5]), p([6]), hyper([0.5])],
      attrs: { momentum: 0, nesterov: false, weightDecay: 0.01 },
    },
    {
      name: 'sgd_update_pair nesterov x=17x3,3',
      op: 'sgd_update_pair',
      inputs: [p([17, 3]), p([3]), p([17, 3]), p([3]), hyper([0.05]), p([17, 3]), p([3])],
      attrs: { momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
    },
    {
      name: 'adam_update_pair x=400x120,120',
      op: 'adam_update_pair',
      inputs: [p([400, 120]), p([120]), p([400, 120]), p([120]), hyper([1e-3, 0.1, 0.001]), p([400, 120]), positive([400, 120]), p([120]), positive([120])],
      attrs: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false },
      ulpsExtra: 4,
    },
    { name: 'assign x=3x7', op: 'assign', inputs: [p([3, 7]), p([3, 7])] },
    { name: 'assign x=1', op: 'assign', inputs: [p([1]), p([1])] },
  ],
};

export const argmaxTable: ParityTable = {
  ops: ['argmax'],
  cases: [
    { name: 'argmax x=1x1', op: 'argmax', inputs: [p([1, 1])] },
    { name: 'argmax x=64x10', op: 'argmax', inputs: [p([64, 10])] },
    { name: 'argmax x=3x1000', op: 'argmax', inputs: [p([3, 1000])] },
    { name: 'argmax ties go to the first x=2x4', op: 'argmax', inputs: [{ shape: [2, 4], values: [1, 3, 3, 0, 2, 2, 2, 2] }] },
    { name: 'argmax all equal and negative x=2x3', op: 'argmax', inputs: [{ shape: [2, 3], values: [-1, -1, -1, -5, -2, -3] }] },
  ],
};
