import { formatShape, type Shape } from '../shape';
import { scope, tensor, uploadedValues, type Tensor } from '../tensor';
import type { Backend } from '../backends/backend';
import { mul, sub } from './binary';
import { defineOp, runOp } from './op';
import { sum } from './reduce';
import { badLabel } from './labels';
import { exp } from './unary';

function lastAxisShape(op: string, [x]: readonly Shape[]): Shape {
  if (x.length === 0 || x.at(-1) === 0) throw new Error(`${op}: needs a non-empty last axis, got ${formatShape(x)}`);
  return x;
}

/** softmax over the last axis, computed as exp(x - max) / sum(exp(x - max)). */
export const softmaxOp = defineOp({
  name: 'softmax',
  inputs: 1,
  inferShape: (shapes) => lastAxisShape('softmax', shapes),
  // dx = y * (dy - sum(dy * y))
  grad: (_x, y, dy) => [scope(() => mul(y, sub(dy, sum(mul(dy, y), -1, { keepDims: true }))))],
});

/** log(softmax(x)) over the last axis, computed as x - max - log(sum(exp(x - max))). */
export const logSoftmaxOp = defineOp({
  name: 'log_softmax',
  inputs: 1,
  inferShape: (shapes) => lastAxisShape('log_softmax', shapes),
  // dx = dy - softmax(x) * sum(dy), with softmax(x) = exp(y)
  grad: (_x, y, dy) => [scope(() => sub(dy, mul(exp(y), sum(dy, -1, { keepDims: true }))))],
});

function checkLogitsAndLabels(op: string, logits: Shape, labels: Shape): void {
  if (logits.length !== 2 || logits[1] === 0) throw new Error(`${op}: logits must be [batch, classes], got ${formatShape(logits)}`);
  if (labels.length !== 1 || labels[0] !== logits[0]) {
    throw new Error(`${op}: labels must be [${logits[0]}] (one class index per row of logits ${formatShape(logits)}), got ${formatShape(labels)}`);
  }
}

/**
 * Mean over the batch of -log softmax(logits)[label], fused and numerically stable.
 * Labels are class indices stored as floats. A label that is not a class index of the
 * logits throws, with the same message on both backends: the CPU kernel checks every
 * label; on the GPU (whose kernel cannot throw, and writes NaN) labels uploaded from
 * the host (`labelTensor`, `tensor`) are checked there before the op is enqueued.
 */
export const softmaxCrossEntropyOp = defineOp({
  name: 'softmax_cross_entropy',
  inputs: 2,
  inferShape([logits, labels]) {
    checkLogitsAndLabels('softmax_cross_entropy', logits, labels);
    return [];
  },
  grad: ([logits, labels], _y, dy) => [runOp(softmaxCrossEntropyGradOp, [logits, labels, dy], {}), null],
});

/** (softmax(logits) - onehot(labels)) * dy / batch. Inputs: logits, labels, dy (a scalar). */
export const softmaxCrossEntropyGradOp = defineOp({
  name: 'softmax_cross_entropy_grad',
  inputs: 3,
  inferShape([logits, labels, dy]) {
    checkLogitsAndLabels('softmax_cross_entropy_grad', logits, labels);
    if (dy.length !== 0) throw new Error(`softmax_cross_entropy_grad: dy must be a scalar [], got ${formatShape(dy)}`);
    return logits;
  },
});

/**
 * log softmax over axis 1 of NCHW (the classes of a per-pixel labelling), computed as
 * x - max - log(sum(exp(x - max))) over each pixel's channels.
 */
export const logSoftmaxChannelsOp = defineOp({
  name: 'log_softmax_channels',
  inputs: 1,
  inferShape([x]) {
    if (x.length !== 4 || x[1] === 0) throw new Error(`log_softmax_channels: needs NCHW with at least one channel, got ${formatShape(x)}`);
    return x;
  },
  // dx = dy - softmax(x) * sum over channels of dy, with softmax(x) = exp(y)
  grad: (_x, y, dy) => [scope(() => sub(dy, mul(exp(y), sum(dy, 1, { keepDims: true }))))],
});

export const softmax = (x: Tensor) => runOp(softmaxOp, [x], {});
/** log softmax over the channels of each pixel of NCHW `x` (segmentation logits). */
export const logSoftmaxChannels = (x: Tensor) => runOp(logSoftmaxChannelsOp, [x], {});
export const logSoftmax = (x: Tensor) => runOp(logSoftmaxOp, [x], {});
export const softmaxCrossEntropy = (logits: Tensor, labels: Tensor) => {
  if (logits.shape.length === 2 && labels.shape.length === 1 && labels.shape[0] === logits.shape[0])
    checkKnownLabels('softmax_cross_entropy', labels, logits.shape[1]);
  return runOp(softmaxCrossEntropyOp, [logits, labels], {});
};

function checkKnownLabels(op: string, labels: Tensor, classes: number): void {
  const values = uploadedValues(labels);
  if (!values) return;
  for (let i = 0; i < values.length; i++) {
    const why = badLabel(values[i], i, classes, op);
    if (why) throw new Error(why);
  }
}

/**
 * Checks that every label is a class index (an integer in [0, classes), or any
 * non-negative integer when `classes` is left out) and uploads them. softmaxCrossEntropy
 * checks them again against its logits' class count, on every backend.
 */
export function labelTensor(backend: Backend, labels: ArrayLike<number>, classes?: number): Tensor {
  if (classes !== undefined && (!Number.isInteger(classes) || classes <= 0)) {
    throw new Error(`softmax_cross_entropy: the class count must be a positive integer, got ${classes}`);
  }
  const values = Float64Array.from(labels);
  for (let i = 0; i < values.length; i++) {
    const why = badLabel(values[i], i, classes);
    if (why) throw new Error(why);
  }
  return tensor(backend, values, [values.length]);
}
