import { ActivationLayer } from './activations';
import { Conv2d, DepthwiseConv2d } from './conv_layers';
import { Add, Concat, Dense, Flatten } from './dense_layers';
import { input } from './layer';
import { Model, sequential } from './model';
import { BatchNorm, Dropout, Lrn } from './norm_layers';
import { AvgPool2d, GlobalAvgPool, MaxPool2d } from './pool_layers';
import type { Shape } from '../shape';
import { alexnet, alexnetGrouped, alexnetMini, alexnetTorchvision } from './models/alexnet';
import { densenet121, densenet169, densenetBc } from './models/densenet';
import { googlenet, googlenetMini } from './models/googlenet';
import { mobilenetV1, mobilenetV1Cifar } from './models/mobilenet';
import { plain20, resnet18, resnet20, resnet34, resnet50, resnet101, resnet152 } from './models/resnet';
import { vgg11, vgg11Lrn, vgg13, vgg16, vgg16Bn, vgg16c, vgg19 } from './models/vgg';
import { fcn8sMini, unetMini } from './models/segmentation';
import { fcnResnet50 } from './models/fcn';
import { zfnet, zfnetMini } from './models/zfnet';

export {
  alexnet,
  alexnetGrouped,
  alexnetMini,
  alexnetTorchvision,
  densenet121,
  densenet169,
  densenetBc,
  fcnResnet50,
  googlenet,
  googlenetMini,
  mobilenetV1,
  mobilenetV1Cifar,
  plain20,
  zfnet,
  zfnetMini,
};
export { resnet18, resnet20, resnet34, resnet50, resnet101, resnet152, vgg11, vgg11Lrn, vgg13, vgg16, vgg16Bn, vgg16c, vgg19 };

/**
 * LeNet-5 (LeCun 1998) for 28x28 inputs with today's choices: conv 5x5 (6, padded to
 * keep 28x28) - max pool - conv 5x5 (16) - max pool - 120 - 84 - classes, ReLU.
 * 61,706 parameters for 10 classes.
 */
export function lenet5(inputShape: Shape = [1, 28, 28], classes = 10): Model {
  return sequential(
    inputShape,
    [
      new Conv2d({ filters: 6, kernel: 5, padding: 2, activation: 'relu' }),
      new MaxPool2d({ kernel: 2 }),
      new Conv2d({ filters: 16, kernel: 5, activation: 'relu' }),
      new MaxPool2d({ kernel: 2 }),
      new Flatten(),
      new Dense({ units: 120, activation: 'relu' }),
      new Dense({ units: 84, activation: 'relu' }),
      new Dense({ units: classes, init: 'small' }),
    ],
    'lenet5',
  );
}

/**
 * LeNet-5's layers with batch norm after each convolution (conv - BN - ReLU - pool):
 * the same 5x5 filters and 120-84 head, 61,728 weights (the conv biases give way to
 * BN's shift) plus 44 running statistics. Batch norm lets it learn faster per epoch.
 */
export function lenet5Bn(inputShape: Shape = [1, 28, 28], classes = 10): Model {
  return sequential(
    inputShape,
    [
      new Conv2d({ filters: 6, kernel: 5, padding: 2, bias: false }),
      new BatchNorm(),
      new ActivationLayer('relu'),
      new MaxPool2d({ kernel: 2 }),
      new Conv2d({ filters: 16, kernel: 5, bias: false }),
      new BatchNorm(),
      new ActivationLayer('relu'),
      new MaxPool2d({ kernel: 2 }),
      new Flatten(),
      new Dense({ units: 120, activation: 'relu' }),
      new Dense({ units: 84, activation: 'relu' }),
      new Dense({ units: classes, init: 'small' }),
    ],
    'lenet5_bn',
  );
}

/**
 * Two 3x3 convolutions with batch norm (16 and 32 channels), each followed by max
 * pooling, then dropout and a dense classifier: the "2-conv + BN" model.
 */
export function convBn(inputShape: Shape = [1, 28, 28], classes = 10, filters: [number, number] = [16, 32], name = 'conv_bn'): Model {
  return sequential(
    inputShape,
    [
      new Conv2d({ filters: filters[0], kernel: 3, padding: 1, bias: false }),
      new BatchNorm(),
      new ActivationLayer('relu'),
      new MaxPool2d({ kernel: 2 }),
      new Conv2d({ filters: filters[1], kernel: 3, padding: 1, bias: false }),
      new BatchNorm(),
      new ActivationLayer('relu'),
      new MaxPool2d({ kernel: 2 }),
      new Flatten(),
      new Dropout({ rate: 0.25 }),
      new Dense({ units: 128, activation: 'relu' }),
      new Dense({ units: classes, init: 'small' }),
    ],
    name,
  );
}

/**
 * conv-bn at one and a half times the width (24 and 48 channels): the 2-conv + BN model
 * for Fashion-MNIST's 0.92 in 5 epochs, about twice conv-bn's work per image.
 */
export function convBnWide(inputShape: Shape = [1, 28, 28], classes = 10): Model {
  return convBn(inputShape, classes, [24, 48], 'conv_bn_wide');
}

/**
 * conv-bn at twice the width (32 and 64 channels), about 3.5x conv-bn's convolution work
 * per image: the width at which the 2-conv + BN model no longer underfits in 5 epochs.
 */
export function convBnX2(inputShape: Shape = [1, 28, 28], classes = 10): Model {
  return convBn(inputShape, classes, [32, 64], 'conv_bn_x2');
}

/**
 * The small CIFAR-10 CNN of the benchmark issue: 3x3 convolutions of 32, 64 and 64
 * filters (valid, ReLU), max pooling after the first two, dense 64, then the classes.
 * 122,570 parameters for 32x32x3 inputs and 10 classes.
 */
export function cifarCnn(inputShape: Shape = [3, 32, 32], classes = 10): Model {
  return sequential(
    inputShape,
    [
      new Conv2d({ filters: 32, kernel: 3, activation: 'relu' }),
      new MaxPool2d({ kernel: 2 }),
      new Conv2d({ filters: 64, kernel: 3, activation: 'relu' }),
      new MaxPool2d({ kernel: 2 }),
      new Conv2d({ filters: 64, kernel: 3, activation: 'relu' }),
      new Flatten(),
      new Dense({ units: 64, activation: 'relu' }),
      new Dense({ units: classes, init: 'small' }),
    ],
    'cifar_cnn',
  );
}

/**
 * A small DAG using every layer type: a residual Add, a Concat of two branches,
 * depthwise conv, batch norm, LRN, dropout, both poolings. For verify() and tests.
 */
export function everyLayerNet(inputShape: Shape = [3, 12, 12], classes = 5): Model {
  const x = input(inputShape);
  const stem = new Conv2d({ filters: 8, kernel: 3, padding: 1 }).apply(x);
  const bn = new ActivationLayer('relu').apply(new BatchNorm().apply(stem));
  const dw = new DepthwiseConv2d({ kernel: 3, padding: 'same', activation: 'relu6' }).apply(bn);
  const residual = new Add().apply(bn, dw);
  const lrn = new Lrn({ size: 3 }).apply(residual);
  const left = new MaxPool2d({ kernel: 2 }).apply(lrn);
  const right = new AvgPool2d({ kernel: 2 }).apply(new Conv2d({ filters: 4, kernel: 1, activation: 'tanh' }).apply(lrn));
  const merged = new Concat().apply(left, right);
  const pooled = new GlobalAvgPool().apply(new Conv2d({ filters: 6, kernel: 3, activation: 'elu' }).apply(merged));
  const hidden = new Dropout({ rate: 0.2 }).apply(new Dense({ units: 10, activation: 'sigmoid' }).apply(pooled));
  const flatBranch = new Dense({ units: 10, activation: 'leaky_relu' }).apply(new Flatten().apply(left));
  const out = new Dense({ units: classes, init: 'glorot' }).apply(new Add().apply(hidden, flatBranch));
  return new Model(x, out, 'every_layer_net');
}

/** Models by the names the command line accepts; without arguments each takes the input and classes it was made for. */
export const MODELS: Record<string, (inputShape?: Shape, classes?: number) => Model> = {
  lenet5,
  'lenet5-bn': lenet5Bn,
  'conv-bn': convBn,
  'conv-bn-wide': convBnWide,
  'conv-bn-x2': convBnX2,
  'cifar-cnn': cifarCnn,
  'every-layer': everyLayerNet,
  // The seed architectures at full size (ImageNet shapes, 1000 classes).
  alexnet,
  'alexnet-grouped': alexnetGrouped,
  'alexnet-torchvision': alexnetTorchvision,
  zfnet,
  vgg11,
  'vgg11-lrn': vgg11Lrn,
  vgg13,
  vgg16c,
  vgg16,
  vgg19,
  'vgg16-bn': vgg16Bn,
  googlenet,
  'googlenet-aux': (inputShape, classes) => googlenet(inputShape, classes, { auxLogits: true }),
  resnet18,
  resnet34,
  resnet50,
  resnet101,
  resnet152,
  'mobilenet-v1': mobilenetV1,
  densenet121,
  densenet169,
  // torchvision's FCN-ResNet50 (dilated layers 3 and 4), 21 classes (Pascal VOC's), at 224x224: [21, 224, 224] logits.
  'fcn-resnet50': fcnResnet50,
  'fcn-resnet50-aux': (inputShape, classes) => fcnResnet50(inputShape, classes, { auxLoss: true }),
  // Their families at 28x28 and 32x32 inputs, 10 classes: they train here.
  resnet20,
  plain20,
  'mobilenet-v1-cifar': mobilenetV1Cifar,
  'densenet-bc': densenetBc,
  'googlenet-mini': googlenetMini,
  'alexnet-mini': alexnetMini,
  'zfnet-mini': zfnetMini,
  // Segmentation at 64x64, 11 labels (segmentationScenes): [classes, 64, 64] logits.
  'fcn8s-mini': fcn8sMini,
  'unet-mini': unetMini,
};

/** The zoo models that train at a useful speed here (28x28 or 32x32 inputs, 10 classes). */
export const TRAINABLE_HERE = [
  'lenet5',
  'lenet5-bn',
  'conv-bn',
  'conv-bn-wide',
  'conv-bn-x2',
  'cifar-cnn',
  'resnet20',
  'plain20',
  'mobilenet-v1-cifar',
  'densenet-bc',
  'googlenet-mini',
  'alexnet-mini',
  'zfnet-mini',
];
