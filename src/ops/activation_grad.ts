import { formatShape } from '../shape';
import { defineOp, type OpDef } from './op';

/**
 * Backward ops of the activations: each takes (x or y, dy) of one shape and gives dx.
 * relu/relu6/leaky_relu/elu read the forward input x; sigmoid and tanh read the forward
 * output y, which their derivatives are cheapest in. The index is activation_grad.wgsl's OP.
 */
export const ACTIVATION_GRAD_OPS = ['relu_grad', 'relu6_grad', 'leaky_relu_grad', 'elu_grad', 'sigmoid_grad', 'tanh_grad'] as const;
export type ActivationGradName = (typeof ACTIVATION_GRAD_OPS)[number];

export const activationGradOps = Object.fromEntries(
  ACTIVATION_GRAD_OPS.map((name) => [
    name,
    defineOp<{ alpha?: number }>({
      name,
      inputs: 2,
      inferShape([x, dy]) {
        if (formatShape(x) !== formatShape(dy)) throw new Error(`${name}: the forward tensor ${formatShape(x)} and dy ${formatShape(dy)} differ in shape`);
        return x;
      },
    }),
  ]),
) as Record<ActivationGradName, OpDef<{ alpha?: number }>>;
