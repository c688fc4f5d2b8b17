// DenseNet (Huang et al. 2017) as torchvision builds it: a 7x7/2 stem, dense blocks in
// which every layer (BN - ReLU - 1x1 conv of 4k - BN - ReLU - 3x3 conv of k) sees the
// concatenation of all earlier feature maps of its block, transitions (BN - ReLU - 1x1
// conv halving the channels - 2x2 average pool) between blocks, a final BN and ReLU,
// global average pool, dense. Names are torchvision's
// (features.denseblock1.denselayer1.conv1, features.transition1.conv, classifier).
import { Concat, Dense } from '../dense_layers';
import { Conv2d } from '../conv_layers';
import { input, type Init, type SymbolicTensor } from '../layer';
import { Model } from '../model';
import { BatchNorm } from '../norm_layers';
import { AvgPool2d, GlobalAvgPool, MaxPool2d } from '../pool_layers';
import type { Shape } from '../../shape';
import { relu } from './blocks';

/** BN - ReLU - conv (no bias): the pre-activation unit of DenseNet. */
function bnReluConv(x: SymbolicTensor, bn: string, conv: string, filters: number, kernel: number): SymbolicTensor {
  const h = relu(new BatchNorm({ name: bn }).apply(x));
  return new Conv2d({ filters, kernel, padding: (kernel - 1) / 2, bias: false, name: conv }).apply(h);
}

export interface DenseNetConfig {
  growth: number;
  blocks: readonly number[];
  /** Channels of the stem. */
  initFeatures: number;
  /** Bottleneck width as a multiple of the growth rate (4 in DenseNet-BC). */
  bnSize: number;
  /** Fraction of channels a transition keeps (0.5 in DenseNet-BC). */
  compression: number;
  /** 'imagenet': 7x7/2 conv and 3x3/2 max pool; 'small': one 3x3 conv (CIFAR). */
  stem: 'imagenet' | 'small';
  /** The classifier's initial weights (default 'he'; 'small' for the zoo's trainable-here heads). */
  headInit?: Init;
}

export function densenet(name: string, c: DenseNetConfig, inputShape: Shape, classes: number): Model {
  const x = input(inputShape);
  let h: SymbolicTensor;
  if (c.stem === 'imagenet') {
    h = new Conv2d({ filters: c.initFeatures, kernel: 7, stride: 2, padding: 3, bias: false, name: 'features.conv0' }).apply(x);
    h = relu(new BatchNorm({ name: 'features.norm0' }).apply(h));
    h = new MaxPool2d({ kernel: 3, stride: 2, padding: 1, name: 'features.pool0' }).apply(h);
  } else {
    h = new Conv2d({ filters: c.initFeatures, kernel: 3, padding: 1, bias: false, name: 'features.conv0' }).apply(x);
  }
  c.blocks.forEach((layers, b) => {
    const block = `features.denseblock${b + 1}`;
    const features = [h];
    for (let l = 1; l <= layers; l++) {
      const name = `${block}.denselayer${l}`;
      const joined = features.length === 1 ? features[0] : new Concat(`${name}.concat`).apply(...features);
      const bottleneck = bnReluConv(joined, `${name}.norm1`, `${name}.conv1`, c.bnSize * c.growth, 1);
      features.push(bnReluConv(bottleneck, `${name}.norm2`, `${name}.conv2`, c.growth, 3));
    }
    h = new Concat(`${block}.concat`).apply(...features);
    if (b < c.blocks.length - 1) {
      const t = `features.transition${b + 1}`;
      h = bnReluConv(h, `${t}.norm`, `${t}.conv`, Math.floor(h.shape[0] * c.compression), 1);
      h = new AvgPool2d({ kernel: 2, name: `${t}.pool` }).apply(h);
    }
  });
  h = relu(new BatchNorm({ name: 'features.norm5' }).apply(h));
  const out = new Dense({ units: classes, name: 'classifier', init: c.headInit }).apply(new GlobalAvgPool('avgpool').apply(h));
  return new Model(x, out, name);
}

const IMAGENET = { growth: 32, initFeatures: 64, bnSize: 4, compression: 0.5, stem: 'imagenet' } as const;

/** DenseNet-121 (blocks 6, 12, 24, 16; growth 32): 7,978,856 parameters at 224x224x3, 1000 classes. */
export const densenet121 = (inputShape: Shape = [3, 224, 224], classes = 1000) =>
  densenet('densenet121', { ...IMAGENET, blocks: [6, 12, 24, 16] }, inputShape, classes);

/** DenseNet-169 (blocks 6, 12, 32, 32; growth 32): 14,149,480 parameters. */
export const densenet169 = (inputShape: Shape = [3, 224, 224], classes = 1000) =>
  densenet('densenet169', { ...IMAGENET, blocks: [6, 12, 32, 32] }, inputShape, classes);

/**
 * DenseNet-BC for 28x28 and 32x32 inputs (the paper's CIFAR form, smaller): a 3x3 stem of
 * 24, three dense blocks of 6 bottleneck layers at growth rate 12, transitions halving
 * the channels. The classifier starts 'small', as the other trainable-here heads.
 * NOTE: He-initialised, it read the final BN-ReLU's pooled features (mean about 0.4 a
 * channel, not 0) at logit std about 0.7: an initial loss 3 to 10% above ln(10).
 */
export const densenetBc = (inputShape: Shape = [1, 28, 28], classes = 10) =>
  densenet(
    'densenet_bc',
    { growth: 12, blocks: [6, 6, 6], initFeatures: 24, bnSize: 4, compression: 0.5, stem: 'small', headInit: 'small' },
    inputShape,
    classes,
  );
