// Training steps of two zoo networks written layer for layer with TF.js ops (NHWC, HWIO),
// for the benchmark: resnet20 (He et al.'s CIFAR ResNet: conv + BN + ReLU stem, three
// stages of three basic blocks with 1x1 projection shortcuts, global average pool,
// dense) and mobilenet-v1-cifar (alpha 0.5, depthwise 3x3 + BN + ReLU and pointwise
// 1x1 + BN + ReLU blocks). Batch norm normalises with the batch's statistics, as ours
// does in training (ours also updates running statistics; TF.js's step does not).
import type * as TfCore from '@tensorflow/tfjs-core';
import { MOBILENET_CIFAR_STRIDES, MOBILENET_BLOCKS } from '../../src/nn/models/mobilenet';
import { benchData } from './systems';

type Tf = typeof TfCore;
type T4 = TfCore.Tensor4D;

/** Variables of one network, created in order with He-scaled deterministic values. */
class Weights {
  readonly vars: TfCore.Variable[] = [];
  private seed = 10;
  private readonly tf: Tf;
  constructor(tf: Tf) {
    this.tf = tf;
  }
  make(shape: number[], fanIn: number, fill?: number): TfCore.Variable {
    const tf = this.tf;
    const v = tf.variable(fill === undefined ? tf.mul(tf.tensor(benchData(shape, this.seed++), shape), Math.sqrt(2 / fanIn)) : tf.fill(shape, fill));
    this.vars.push(v);
    return v;
  }
}

/** conv (no bias) - batch norm (batch statistics) - optional ReLU. */
function convBn(tf: Tf, w: Weights, cin: number, cout: number, k: number, stride: number, relu: boolean) {
  const filter = w.make([k, k, cin, cout], k * k * cin);
  const gamma = w.make([cout], 1, 1);
  const beta = w.make([cout], 1, 0);
  return (x: T4): T4 => {
    const y = tf.conv2d(x, filter as TfCore.Tensor4D, stride, k === 1 ? 'valid' : 'same');
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    const n = tf.batchNorm(y, mean, variance, beta, gamma, 1e-5) as T4;
    return relu ? (tf.relu(n) as T4) : n;
  };
}

/** depthwise 3x3 (no bias) - batch norm - ReLU. */
function depthwiseBn(tf: Tf, w: Weights, c: number, stride: number) {
  const filter = w.make([3, 3, c, 1], 9);
  const gamma = w.make([c], 1, 1);
  const beta = w.make([c], 1, 0);
  return (x: T4): T4 => {
    const y = tf.depthwiseConv2d(x, filter as TfCore.Tensor4D, stride, 'same');
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    return tf.relu(tf.batchNorm(y, mean, variance, beta, gamma, 1e-5)) as T4;
  };
}

function head(tf: Tf, w: Weights, features: number, classes: number) {
  const weight = w.make([features, classes], features);
  const bias = w.make([classes], 1, 0);
  return (x: T4) => tf.add(tf.matMul(tf.mean(x, [1, 2]) as TfCore.Tensor2D, weight as TfCore.Tensor2D), bias) as TfCore.Tensor2D;
}

function resnet20(tf: Tf, w: Weights, channels: number, classes: number): (x: T4) => TfCore.Tensor2D {
  const stem = convBn(tf, w, channels, 16, 3, 1, true);
  const blocks: ((x: T4) => T4)[] = [];
  let cin = 16;
  [16, 32, 64].forEach((width, stage) => {
    for (let j = 0; j < 3; j++) {
      const stride = stage > 0 && j === 0 ? 2 : 1;
      const a = convBn(tf, w, cin, width, 3, stride, true);
      const b = convBn(tf, w, width, width, 3, 1, false);
      const shortcut = stride !== 1 || cin !== width ? convBn(tf, w, cin, width, 1, stride, false) : (x: T4) => x;
      blocks.push((x) => tf.relu(tf.add(b(a(x)), shortcut(x))) as T4);
      cin = width;
    }
  });
  const fc = head(tf, w, 64, classes);
  return (x) => fc(blocks.reduce((h, block) => block(h), stem(x)));
}

function mobilenetCifar(tf: Tf, w: Weights, channels: number, classes: number): (x: T4) => TfCore.Tensor2D {
  const width = (c: number) => Math.max(1, Math.round(c * 0.5));
  const stem = convBn(tf, w, channels, width(32), 3, MOBILENET_CIFAR_STRIDES[0], true);
  const layers: ((x: T4) => T4)[] = [];
  let cin = width(32);
  MOBILENET_BLOCKS.forEach(([filters], i) => {
    const dw = depthwiseBn(tf, w, cin, MOBILENET_CIFAR_STRIDES[i + 1]);
    const pw = convBn(tf, w, cin, width(filters), 1, 1, true);
    layers.push((x) => pw(dw(x)));
    cin = width(filters);
  });
  const fc = head(tf, w, cin, classes);
  return (x) => fc(layers.reduce((h, layer) => layer(h), stem(x)));
}

export const TFJS_ZOO_STEPS = { resnet20, 'mobilenet-v1-cifar': mobilenetCifar } as const;

/** One SGD step of a zoo network on a batch of 28x28x1 images, 10 classes; returns the loss. */
export function buildZooTrainStep(tf: Tf, model: keyof typeof TFJS_ZOO_STEPS, batch: number): { inputs: TfCore.Tensor[]; run: () => TfCore.Tensor } {
  const w = new Weights(tf);
  const forward = TFJS_ZOO_STEPS[model](tf, w, 1, 10);
  const x = tf.tensor(benchData([batch, 28, 28, 1], 1), [batch, 28, 28, 1]) as T4;
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const optimizer = tf.train.sgd(0.01);
  return {
    inputs: [x, labels, ...w.vars],
    run: () => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, forward(x)) as TfCore.Scalar, true, w.vars)!,
  };
}
