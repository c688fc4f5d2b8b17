import { elu, leakyRelu, relu, relu6, sigmoid, tanh } from '../ops/unary';
import { softmax } from '../ops/softmax';
import type { Shape } from '../shape';
import type { Tensor } from '../tensor';
import { Layer, type ForwardContext } from './layer';
import { checkActivation, type Activation } from './layer_options';

export type { Activation };

/** Applies a named activation (undefined and 'linear' leave x as it is). */
export function activate(x: Tensor, activation: Activation | undefined, alpha?: number): Tensor {
  switch (activation ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return relu(x);
    case 'relu6':
      return relu6(x);
    case 'leaky_relu':
      return leakyRelu(x, alpha ?? 0.01);
    case 'elu':
      return elu(x, alpha ?? 1);
    case 'tanh':
      return tanh(x);
    case 'sigmoid':
      return sigmoid(x);
    case 'softmax':
      return softmax(x);
    default:
      throw new Error(`activation: unknown activation '${String(activation)}'`);
  }
}

/** An activation as a layer of its own. */
export class ActivationLayer extends Layer {
  readonly kind: string;
  readonly activation: Activation;
  readonly alpha?: number;
  constructor(activation: Activation, alpha?: number, name?: string) {
    super(name);
    this.activation = activation;
    this.alpha = alpha;
    checkActivation(name ?? 'activation', activation);
    this.kind = activation;
  }

  forward(_ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    return activate(x, this.activation, this.alpha);
  }

  override flops(_x: readonly Shape[], out: Shape): number {
    return out.reduce((a, b) => a * b, 1);
  }
}
