import { badLabel } from '../../../ops/labels';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** Calls fn(row offset) for each row of the last axis. */
function rows(shape: readonly number[], fn: (offset: number, k: number) => void): void {
  const k = shape.at(-1)!;
  const n = shape.reduce((a, b) => a * b, 1) / k;
  for (let r = 0; r < n; r++) fn(r * k, k);
}

/** max and log(sum(exp(x - max))) of one row. */
function rowStats(x: ArrayLike<number>, off: number, k: number): { max: number; logSum: number } {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, x[off + j]);
  let s = 0;
  for (let j = 0; j < k; j++) s += Math.exp(x[off + j] - max);
  return { max, logSum: Math.log(s) };
}

function checkLabel(op: string, label: number, row: number, classes: number): void {
  const why = badLabel(label, row, classes, op);
  if (why) throw new Error(why);
}

export const softmax: CpuKernel = ([x]) => {
  const out = new Float64Array(x.storage.length);
  rows(x.shape, (off, k) => {
    const { max, logSum } = rowStats(x.storage, off, k);
    for (let j = 0; j < k; j++) out[off + j] = Math.exp(x.storage[off + j] - max - logSum);
  });
  return out;
};

export const log_softmax: CpuKernel = ([x]) => {
  const out = new Float64Array(x.storage.length);
  rows(x.shape, (off, k) => {
    const { max, logSum } = rowStats(x.storage, off, k);
    for (let j = 0; j < k; j++) out[off + j] = x.storage[off + j] - max - logSum;
  });
  return out;
};

export const softmax_cross_entropy: CpuKernel = ([logits, labels]) => {
  const [n, k] = logits.shape;
  let total = 0;
  for (let r = 0; r < n; r++) {
    const label = labels.storage[r];
    checkLabel('softmax_cross_entropy', label, r, k);
    const { max, logSum } = rowStats(logits.storage, r * k, k);
    total += max + logSum - logits.storage[r * k + label];
  }
  return Float64Array.of(total / n);
};

export const softmax_cross_entropy_grad: CpuKernel = ([logits, labels, dy]) => {
  const [n, k] = logits.shape;
  const scale = dy.storage[0] / n;
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    const label = labels.storage[r];
    checkLabel('softmax_cross_entropy_grad', label, r, k);
    const { max, logSum } = rowStats(logits.storage, r * k, k);
    for (let j = 0; j < k; j++) {
      out[r * k + j] = (Math.exp(logits.storage[r * k + j] - max - logSum) - (j === label ? 1 : 0)) * scale;
    }
  }
  return out;
};

/** log softmax over axis 1 of NCHW: each pixel's channels, strided by H*W. */
export const log_softmax_channels: CpuKernel = ([x]) => {
  const [n, c, h, w] = x.shape;
  const hw = h * w;
  const out = new Float64Array(x.storage.length);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < hw; p++) {
      const at = (j: number) => (b * c + j) * hw + p;
      let max = -Infinity;
      for (let j = 0; j < c; j++) max = Math.max(max, x.storage[at(j)]);
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(x.storage[at(j)] - max);
      const logSum = Math.log(s);
      for (let j = 0; j < c; j++) out[at(j)] = x.storage[at(j)] - max - logSum;
    }
  }
  return out;
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { log_softmax, log_softmax_channels, softmax, softmax_cross_entropy, softmax_cross_entropy_grad };
