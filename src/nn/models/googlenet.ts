// GoogLeNet (Szegedy et al. 2014, Inception v1) as torchvision builds it: conv + batch
// norm (eps 1e-3) + ReLU units, max pools that round up (ceil_mode), nine inception
// modules of four branches joined by a channel concat (1x1; 1x1 reduce + 3x3; 1x1
// reduce + 3x3, where the paper has 5x5 and torchvision keeps 3x3; 3x3 max pool + 1x1
// projection), global average pool, dropout 0.2, dense. The two auxiliary classifiers
// (after 4a and 4d) are an option, off by default. Names are torchvision's
// (conv1.conv, inception3a.branch2.1.bn, aux1.fc1, fc).
import { Concat, Dense, Flatten } from '../dense_layers';
import { input, type SymbolicTensor } from '../layer';
import { Model } from '../model';
import { Dropout } from '../norm_layers';
import { AdaptiveAvgPool2d, GlobalAvgPool, MaxPool2d } from '../pool_layers';
import type { Shape } from '../../shape';
import { AuxHeads, convBnRelu } from './blocks';

/** torchvision's BasicConv2d: conv (no bias) - batch norm (eps 0.001) - ReLU, named `${name}.conv` and `${name}.bn`. */
export const basic = (x: SymbolicTensor, name: string, filters: number, kernel: number, stride = 1, padding = 0) =>
  convBnRelu(x, { conv: `${name}.conv`, bn: `${name}.bn` }, { filters, kernel, stride, padding }, { eps: 1e-3 });

/** Output channels of the four branches: 1x1, [3x3 reduce, 3x3], [second 3x3 reduce, 3x3], pool projection. */
export type InceptionWidths = readonly [number, number, number, number, number, number];

/** An inception module: four branches over the same input, concatenated along channels. */
export function inception(x: SymbolicTensor, name: string, [b1, r3, b3, r5, b5, proj]: InceptionWidths): SymbolicTensor {
  const branch1 = basic(x, `${name}.branch1`, b1, 1);
  const branch2 = basic(basic(x, `${name}.branch2.0`, r3, 1), `${name}.branch2.1`, b3, 3, 1, 1);
  const branch3 = basic(basic(x, `${name}.branch3.0`, r5, 1), `${name}.branch3.1`, b5, 3, 1, 1);
  const pooled = new MaxPool2d({ kernel: 3, stride: 1, padding: 1, ceilMode: true, name: `${name}.branch4.0` }).apply(x);
  const branch4 = basic(pooled, `${name}.branch4.1`, proj, 1);
  return new Concat(`${name}.concat`).apply(branch1, branch2, branch3, branch4);
}

const ceilPool = (x: SymbolicTensor, name: string, kernel = 3, stride = 2) => new MaxPool2d({ kernel, stride, ceilMode: true, name }).apply(x);

/** torchvision's InceptionAux: 4x4 average pool, 1x1 conv of 128, FC 1024, dropout 0.7, FC classes. */
function auxClassifier(x: SymbolicTensor, name: string, classes: number): SymbolicTensor {
  let h = new AdaptiveAvgPool2d(4, `${name}.avgpool`).apply(x);
  h = basic(h, `${name}.conv`, 128, 1);
  h = new Dense({ units: 1024, activation: 'relu', name: `${name}.fc1` }).apply(new Flatten(`${name}.flatten`).apply(h));
  return new Dense({ units: classes, name: `${name}.fc2` }).apply(new Dropout({ rate: 0.7, name: `${name}.dropout` }).apply(h));
}

export interface GoogLeNetOptions {
  /**
   * Builds the two auxiliary classifiers (after inception 4a and 4d; 13,004,888
   * parameters in all). The model's output stays the main classifier; the heads' weights
   * exist so torchvision's state dicts with aux_logits load.
   */
  auxLogits?: boolean;
}

/** GoogLeNet as torchvision builds it: 6,624,904 parameters at 224x224x3, 1000 classes (13,004,888 with the auxiliary heads). */
export function googlenet(inputShape: Shape = [3, 224, 224], classes = 1000, options: GoogLeNetOptions = {}): Model {
  const x = input(inputShape);
  let h = basic(x, 'conv1', 64, 7, 2, 3);
  h = ceilPool(h, 'maxpool1');
  h = basic(h, 'conv2', 64, 1);
  h = basic(h, 'conv3', 192, 3, 1, 1);
  h = ceilPool(h, 'maxpool2');
  h = inception(h, 'inception3a', [64, 96, 128, 16, 32, 32]);
  h = inception(h, 'inception3b', [128, 128, 192, 32, 96, 64]);
  h = ceilPool(h, 'maxpool3');
  h = inception(h, 'inception4a', [192, 96, 208, 16, 48, 64]);
  const aux: SymbolicTensor[] = [];
  if (options.auxLogits) aux.push(auxClassifier(h, 'aux1', classes));
  h = inception(h, 'inception4b', [160, 112, 224, 24, 64, 64]);
  h = inception(h, 'inception4c', [128, 128, 256, 24, 64, 64]);
  h = inception(h, 'inception4d', [112, 144, 288, 32, 64, 64]);
  if (options.auxLogits) aux.push(auxClassifier(h, 'aux2', classes));
  h = inception(h, 'inception4e', [256, 160, 320, 32, 128, 128]);
  h = ceilPool(h, 'maxpool4', 2, 2);
  h = inception(h, 'inception5a', [256, 160, 320, 32, 128, 128]);
  h = inception(h, 'inception5b', [384, 192, 384, 48, 128, 128]);
  h = new Dropout({ rate: 0.2, name: 'dropout' }).apply(new GlobalAvgPool('avgpool').apply(h));
  let out = new Dense({ units: classes, name: 'fc' }).apply(h);
  // NOTE: a Model has one output, the main logits (torchvision's eval-mode output). The
  // auxiliary heads hang off it through AuxHeads so that their weights are built, saved
  // and loaded; they do not feed the output, so they get no gradient here.
  if (aux.length > 0) out = new AuxHeads('aux_heads').apply(out, ...aux);
  return new Model(x, out, options.auxLogits ? 'googlenet_aux' : 'googlenet');
}

/**
 * GoogLeNet's structure at Fashion-MNIST and CIFAR sizes: a 3x3 stem of 32 (conv + BN +
 * ReLU), a ceil-mode max pool, two inception modules (3a- and 3b-shaped at a quarter of
 * the width), a max pool, two more (4a-shaped), global average pool, dropout, dense.
 */
export function googlenetMini(inputShape: Shape = [1, 28, 28], classes = 10): Model {
  const x = input(inputShape);
  let h = basic(x, 'conv1', 32, 3, 1, 1);
  h = ceilPool(h, 'maxpool1');
  h = inception(h, 'inception3a', [16, 24, 32, 4, 8, 8]);
  h = inception(h, 'inception3b', [32, 32, 48, 8, 24, 16]);
  h = ceilPool(h, 'maxpool2');
  h = inception(h, 'inception4a', [48, 24, 52, 4, 12, 16]);
  h = inception(h, 'inception4b', [40, 28, 56, 6, 16, 16]);
  h = new Dropout({ rate: 0.2, name: 'dropout' }).apply(new GlobalAvgPool('avgpool').apply(h));
  return new Model(x, new Dense({ units: classes, init: 'small', name: 'fc' }).apply(h), 'googlenet_mini');
}
