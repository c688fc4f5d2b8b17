// MobileNet v1 (Howard et al. 2017), the seed's table: a 3x3/2 convolution of 32, then 13
// depthwise-separable blocks (3x3 depthwise + batch norm + ReLU, 1x1 pointwise + batch
// norm + ReLU), global average pool, dense. The width multiplier alpha scales every
// channel count; the resolution is the input shape. Names follow Keras' MobileNet
// (conv1, conv1_bn, conv_dw_1, conv_dw_1_bn, conv_pw_1, conv_pw_1_bn, predictions);
// torchvision has no MobileNet v1.
import { ActivationLayer } from '../activations';
import { DepthwiseConv2d } from '../conv_layers';
import { Dense } from '../dense_layers';
import { input, type Init, type SymbolicTensor } from '../layer';
import { Model } from '../model';
import { BatchNorm } from '../norm_layers';
import { GlobalAvgPool } from '../pool_layers';
import type { Shape } from '../../shape';
import { convBnRelu } from './blocks';

/** Pointwise output channels and depthwise stride of the 13 blocks, as the seed's table lists them. */
export const MOBILENET_BLOCKS: readonly (readonly [number, number])[] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

export interface MobileNetOptions {
  /** Width multiplier alpha (default 1): every layer's channels times alpha. */
  alpha?: number;
  /** Strides of the stem and the 13 blocks, to keep small inputs from shrinking to nothing (default the table's). */
  strides?: readonly number[];
  /** The classifier's initial weights (default 'he'; mobilenet-v1-cifar's is 'small', as the other trainable-here heads). */
  headInit?: Init;
}

/** One depthwise-separable block: depthwise 3x3 + BN + ReLU, pointwise 1x1 + BN + ReLU. */
export function separable(x: SymbolicTensor, i: number, filters: number, stride: number): SymbolicTensor {
  const dw = new DepthwiseConv2d({ kernel: 3, stride, padding: 1, bias: false, name: `conv_dw_${i}` }).apply(x);
  const h = new ActivationLayer('relu').apply(new BatchNorm({ name: `conv_dw_${i}_bn` }).apply(dw));
  return convBnRelu(h, { conv: `conv_pw_${i}`, bn: `conv_pw_${i}_bn` }, { filters, kernel: 1 });
}

function build(name: string, inputShape: Shape, classes: number, options: MobileNetOptions): Model {
  const alpha = options.alpha ?? 1;
  if (!(alpha > 0)) throw new Error(`${name}: alpha must be positive, got ${alpha}`);
  const strides = options.strides ?? [2, ...MOBILENET_BLOCKS.map(([, s]) => s)];
  if (strides.length !== 14) throw new Error(`${name}: strides must give the stem and the 13 blocks (14 numbers), got ${strides.length}`);
  const width = (c: number) => Math.max(1, Math.round(c * alpha));
  const x = input(inputShape);
  let h = convBnRelu(x, { conv: 'conv1', bn: 'conv1_bn' }, { filters: width(32), kernel: 3, stride: strides[0], padding: 1 });
  MOBILENET_BLOCKS.forEach(([filters], i) => (h = separable(h, i + 1, width(filters), strides[i + 1])));
  const out = new Dense({ units: classes, name: 'predictions', init: options.headInit }).apply(new GlobalAvgPool('global_pool').apply(h));
  return new Model(x, out, name);
}

/**
 * MobileNet v1 at 224x224x3 and 1000 classes: 4,231,976 parameters at alpha = 1.
 * NOTE: the seed's table gives the last depthwise layer stride 2 yet its next row's input
 * stays 7x7 (the paper's typo); the shapes win: that layer has stride 1 here.
 */
export function mobilenetV1(inputShape: Shape = [3, 224, 224], classes = 1000, options: MobileNetOptions = {}): Model {
  return build(options.alpha && options.alpha !== 1 ? `mobilenet_v1_${options.alpha}` : 'mobilenet_v1', inputShape, classes, options);
}

/**
 * MobileNet v1 for 28x28 and 32x32 inputs: alpha 0.5, the stem and the first strided
 * block (conv_dw_2) at stride 1, so three halvings take 28x28 or 32x32 to 4x4 instead of
 * five to 1x1. The classifier starts 'small' (He-initialised, its initial loss was 2 to 5%
 * above ln(10)).
 */
export function mobilenetV1Cifar(inputShape: Shape = [1, 28, 28], classes = 10): Model {
  return build('mobilenet_v1_cifar', inputShape, classes, { alpha: 0.5, strides: MOBILENET_CIFAR_STRIDES, headInit: 'small' });
}

/** Strides of mobilenet-v1-cifar's stem and 13 blocks. */
export const MOBILENET_CIFAR_STRIDES: readonly number[] = [1, 1, 1, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1];
