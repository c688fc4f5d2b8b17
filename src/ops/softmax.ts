import { formatShape, type Shape } from '../shape';
import { scope, tensor, type Tensor } from '../tensor';
import type { Backend } from '../backends/backend';
import { mul, sub } from './binary';
import { defineOp, runOp } from './op';
import { sum } from './reduce';
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
 * Labels are class indices stored as floats. Out-of-range labels throw on the CPU and
 * give a NaN loss on the GPU (which cannot throw); `labelTensor` checks them on the host.
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

export const softmax = (x: Tensor) => runOp(softmaxOp, [x], {});
export const logSoftmax = (x: Tensor) => runOp(logSoftmaxOp, [x], {});
export const softmaxCrossEntropy = (logits: Tensor, labels: Tensor) => runOp(softmaxCrossEntropyOp, [logits, labels], {});

/** Checks that every label is an integer class in [0, classes) and uploads them. */
export function labelTensor(backend: Backend, labels: ArrayLike<number>, classes: number): Tensor {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= classes) {
      throw new Error(`softmax_cross_entropy: label ${l} at index ${i} is not a class index in [0, ${classes})`);
    }
  }
  return tensor(backend, labels, [labels.length]);
}
