// Pieces the zoo's architectures share, named as torchvision names them.
import { ActivationLayer } from '../activations';
import { Conv2d, type Conv2dLayerOptions } from '../conv_layers';
import { Layer, type ForwardContext, type SymbolicTensor } from '../layer';
import { BatchNorm } from '../norm_layers';
import type { Tensor } from '../../tensor';

/**
 * conv (no bias) - batch norm - ReLU, the unit of ResNet, GoogLeNet, DenseNet and
 * MobileNet: the convolution named `conv`, the batch norm `bn` (their torchvision module
 * paths). `relu: false` leaves the ReLU out (before a residual add).
 */
export function convBnRelu(
  x: SymbolicTensor,
  names: { conv: string; bn: string },
  conv: Omit<Conv2dLayerOptions, 'name' | 'bias' | 'activation'>,
  options: { relu?: boolean; eps?: number } = {},
): SymbolicTensor {
  const c = new Conv2d({ ...conv, bias: false, name: names.conv }).apply(x);
  const b = new BatchNorm({ name: names.bn, eps: options.eps }).apply(c);
  return options.relu === false ? b : relu(b);
}

/** A ReLU layer (named automatically: it has no weights). */
export const relu = (x: SymbolicTensor) => new ActivationLayer('relu').apply(x);

/**
 * Passes its first input (the main logits) through; the others are auxiliary heads kept
 * in the graph for their weights (GoogLeNet's aux1/aux2, FCN's aux_classifier), so that
 * they are built, saved and loaded. They do not feed the output, so they get no gradient.
 */
export class AuxHeads extends Layer {
  readonly kind = 'aux_heads';
  override get arity(): 'many' {
    return 'many';
  }
  forward(_ctx: ForwardContext, [main]: readonly Tensor[]): Tensor {
    return main;
  }
  override storesOutputFor(): boolean {
    return false;
  }
  override flops(): number {
    return 0;
  }
}
