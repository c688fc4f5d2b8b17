import type { Shape } from '../../src/shape';
import { summary } from '../../src/nn/summary';
import { MODELS } from '../../src/nn/zoo';
import type { RooflineKind } from './roofline';

/**
 * What a benchmark case computes, independent of any engine, so each system (ours,
 * TF.js, jax-js) builds the same work its own way. Shapes are ours (NCHW, OIHW); a
 * system with another native layout (TF.js: NHWC, HWIO) uses its own.
 */
export type CaseSpec =
  | { kind: 'matmul'; m: number; n: number; k: number }
  | { kind: 'conv'; pass: 'fwd' | 'grad-input' | 'grad-filter'; x: Shape; o: number; k: number; same: boolean }
  | { kind: 'dwconv'; x: Shape; k: number; stride: number }
  | { kind: 'pool'; pool: 'max' | 'avg'; pass: 'fwd' | 'bwd'; x: Shape; k: number }
  | { kind: 'train-step'; model: 'lenet5' | 'cifar-cnn' | 'resnet20' | 'mobilenet-v1-cifar'; batch: number }
  /** Inference of a whole network, as an app calls it: images in, outputs on the host (ours: model.predict). */
  | { kind: 'predict'; model: PredictModel; batch: number; input?: readonly [number, number, number] }
  /** The adapter's own limits (roofline.ts), ours alone: the work is sized on the adapter, so the case's flops come from the run. */
  | { kind: 'roofline'; what: RooflineKind };

/** The zoo models the prediction cases run (ResNet-18 and MobileNet v1 at ImageNet's 1000 classes). */
export type PredictModel = 'lenet5' | 'resnet18' | 'mobilenet-v1';

/** A prediction case's model, unbuilt: the zoo's, at the case's input size when it names one. */
export function predictModel(spec: Extract<CaseSpec, { kind: 'predict' }>) {
  return MODELS[spec.model](spec.input ? [...spec.input] : undefined);
}

/** One benchmark case: its name (stable across runs), its flop count and what it computes. */
export interface BenchCase {
  name: string;
  /** Floating-point operations of one run (for a training step: forward + backward, about 3x forward). */
  flops: number;
  /** Images one run processes (training steps and predictions): images/s = images / seconds. */
  images?: number;
  spec: CaseSpec;
}

export const matmulCase = (name: string, m: number, n: number, k: number): BenchCase => ({ name, flops: 2 * m * n * k, spec: { kind: 'matmul', m, n, k } });

/** Output size of a k x k window, stride 1 ("same" keeps the size). */
const convOut = (size: number, k: number, same: boolean) => (same ? size : size - k + 1);

/** conv2d forward, grad-input and grad-filter for one layer shape (each pass costs the forward's flops). */
export function convCases(name: string, x: Shape, o: number, k: number, same = false): BenchCase[] {
  const flops = 2 * x[0] * o * convOut(x[2], k, same) * convOut(x[3], k, same) * x[1] * k * k;
  return (['fwd', 'grad-input', 'grad-filter'] as const).map((pass) => ({ name: `${name}-${pass}`, flops, spec: { kind: 'conv', pass, x, o, k, same } }));
}

function dwCase(name: string, stride: number): BenchCase {
  const x = [8, 128, 56, 56];
  const out = Math.ceil(56 / stride);
  return { name, flops: 2 * 8 * 128 * out * out * 9, spec: { kind: 'dwconv', x, k: 3, stride } };
}

/** 2x2/2 pooling forward and backward; "flops" counts one operation per window element. */
function poolCases(pool: 'max' | 'avg'): BenchCase[] {
  const x = [32, 32, 28, 28];
  const flops = 32 * 32 * 28 * 28;
  return (['fwd', 'bwd'] as const).map((pass) => ({ name: `${pool}pool-2x2-${pass}`, flops, spec: { kind: 'pool', pool, pass, x, k: 2 } }));
}

/**
 * Forward flops per image of the two benchmark networks (convolutions and dense layers;
 * activations and pooling are not counted). A training step costs about 3x forward.
 * LeNet-5: conv 1->6 5x5 same on 28x28, conv 6->16 5x5 on 14x14, dense 400-120-84-10.
 * CIFAR CNN: conv 3->32 3x3 on 32x32 (out 30), pool, 32->64 (13), pool, 64->64 (4), dense 1024-64-10.
 */
export const LENET5_FORWARD_FLOPS = 2 * (28 * 28 * 6 * 25 + 10 * 10 * 16 * 6 * 25 + 400 * 120 + 120 * 84 + 84 * 10);
const CIFAR_CNN_FORWARD_FLOPS = 2 * (30 * 30 * 32 * 27 + 13 * 13 * 64 * 32 * 9 + 4 * 4 * 64 * 64 * 9 + 1024 * 64 + 64 * 10);

export const trainStepCase = (name: string, model: Extract<CaseSpec, { kind: 'train-step' }>['model'], perImage: number, batch = 64): BenchCase => ({
  name,
  flops: 3 * batch * perImage,
  images: batch,
  spec: { kind: 'train-step', model, batch },
});

/** Forward flops per image of a zoo model at its default input or `input` (its summary's convolution and dense FLOPs). */
export const zooForwardFlops = (model: string, input?: readonly [number, number, number]) =>
  summary(MODELS[model](input ? [...input] : undefined))
    .rows.filter((r) => r.kind === 'conv2d' || r.kind === 'depthwise_conv2d' || r.kind === 'dense')
    .reduce((n, r) => n + r.flops, 0);

/**
 * Inference of a zoo model at a batch size (ONNX Runtime Web's cases: LeNet-5, ResNet-18,
 * MobileNet v1 at batch 1 and 32; the batch-32 ImageNet models at 112x112, so a run takes
 * seconds, not minutes, on a CPU adapter).
 */
export const predictCase = (name: string, model: PredictModel, batch: number, input?: readonly [number, number, number]): BenchCase => ({
  name,
  flops: batch * zooForwardFlops(model, input),
  images: batch,
  spec: { kind: 'predict', model, batch, ...(input ? { input } : {}) },
});

/** The cases named by the benchmark issue, in a stable order. */
export const benchCases: BenchCase[] = [
  matmulCase('matmul-256', 256, 256, 256),
  matmulCase('matmul-512', 512, 512, 512),
  matmulCase('matmul-1024', 1024, 1024, 1024),
  matmulCase('dense-64x400x120', 64, 120, 400),
  ...convCases('conv-lenet1', [64, 1, 28, 28], 6, 5),
  ...convCases('conv-lenet2', [64, 6, 14, 14], 16, 5),
  ...convCases('conv-vgg', [8, 64, 56, 56], 64, 3, true),
  ...convCases('conv-mobilenet-pw', [8, 128, 28, 28], 128, 1),
  dwCase('dwconv-3x3-s1', 1),
  dwCase('dwconv-3x3-s2', 2),
  ...poolCases('max'),
  ...poolCases('avg'),
  { name: 'lenet5-predict-b1', flops: LENET5_FORWARD_FLOPS, images: 1, spec: { kind: 'predict', model: 'lenet5', batch: 1 } },
  predictCase('lenet5-predict-b32', 'lenet5', 32),
  predictCase('resnet18-predict-b1', 'resnet18', 1),
  predictCase('resnet18-112-predict-b32', 'resnet18', 32, [3, 112, 112]),
  predictCase('mobilenet-v1-predict-b1', 'mobilenet-v1', 1),
  predictCase('mobilenet-v1-112-predict-b32', 'mobilenet-v1', 32, [3, 112, 112]),
  trainStepCase('lenet5-train-step-b64', 'lenet5', LENET5_FORWARD_FLOPS),
  trainStepCase('cifar-cnn-train-step-b64', 'cifar-cnn', CIFAR_CNN_FORWARD_FLOPS),
  trainStepCase('resnet20-train-step-b16', 'resnet20', zooForwardFlops('resnet20'), 16),
  trainStepCase('mobilenet-v1-cifar-train-step-b16', 'mobilenet-v1-cifar', zooForwardFlops('mobilenet-v1-cifar'), 16),
  // The adapter's roofline: f32 and f16 multiply-add throughput and storage-buffer bandwidth
  // (the copy counts bytes read and written as its "flops": its GFLOP/s column is GB/s).
  ...(['fma-f32', 'fma-f16', 'copy'] as const).map((what): BenchCase => ({ name: `roofline-${what}`, flops: 0, spec: { kind: 'roofline', what } })),
];

/** The --quick subset (under 5 minutes here): includes matmul-512, conv-lenet1, LeNet-5's prediction and its step. */
export const quickCaseNames = new Set([
  'matmul-256',
  'matmul-512',
  'dense-64x400x120',
  'conv-lenet1-fwd',
  'conv-lenet1-grad-input',
  'conv-lenet1-grad-filter',
  'conv-lenet2-fwd',
  'maxpool-2x2-fwd',
  'lenet5-predict-b1',
  'lenet5-train-step-b64',
]);
