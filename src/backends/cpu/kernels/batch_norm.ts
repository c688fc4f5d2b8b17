import type { BatchNormAttrs } from '../../../ops/batch_norm';
import type { CpuKernel, CpuKernels, CpuStorage } from '../cpu_kernel';

/** Channel count, values per channel M, and the channel of flat index i, for [N,C] or [N,C,H,W]. */
function layout(shape: readonly number[]) {
  const c = shape[1];
  const hw = shape.length === 4 ? shape[2] * shape[3] : 1;
  const m = shape[0] * hw;
  return { c, hw, m, channel: (i: number) => Math.floor(i / hw) % c };
}

/** The given [mean; variance] rows, or per-channel mean and biased variance computed two-pass. */
function statsOf(x: CpuStorage, shape: readonly number[], given?: CpuStorage): { mean: Float64Array; variance: Float64Array } {
  if (!given) return stats(x, shape);
  const c = shape[1];
  return { mean: Float64Array.from(given.subarray(0, c)), variance: Float64Array.from(given.subarray(c, 2 * c)) };
}

/** Per-channel mean and biased variance, two-pass. */
function stats(x: CpuStorage, shape: readonly number[]): { mean: Float64Array; variance: Float64Array } {
  const { c, m, channel } = layout(shape);
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let i = 0; i < x.length; i++) mean[channel(i)] += x[i];
  for (let k = 0; k < c; k++) mean[k] /= m;
  for (let i = 0; i < x.length; i++) variance[channel(i)] += (x[i] - mean[channel(i)]) ** 2;
  for (let k = 0; k < c; k++) variance[k] /= m;
  return { mean, variance };
}

export const batch_norm_stats: CpuKernel = ([x]) => {
  const { mean, variance } = stats(x.storage, x.shape);
  return Float64Array.from([...mean, ...variance]);
};

export const batch_norm_train: CpuKernel = ([x, gamma, beta, given], attrs) => {
  const { mean, variance } = statsOf(x.storage, x.shape, given?.storage);
  const { channel } = layout(x.shape);
  const eps = (attrs as BatchNormAttrs).eps;
  return Float64Array.from(x.storage, (v, i) => {
    const k = channel(i);
    return (gamma.storage[k] * (v - mean[k])) / Math.sqrt(variance[k] + eps) + beta.storage[k];
  });
};

/** [sum dy; sum dy * xhat] per channel. */
export const batch_norm_grad_sums: CpuKernel = ([x, dy, given], attrs) => {
  const { mean, variance } = statsOf(x.storage, x.shape, given?.storage);
  const { c, channel } = layout(x.shape);
  const eps = (attrs as BatchNormAttrs).eps;
  const sums = new Float64Array(2 * c);
  for (let i = 0; i < x.storage.length; i++) {
    const k = channel(i);
    sums[k] += dy.storage[i];
    sums[c + k] += (dy.storage[i] * (x.storage[i] - mean[k])) / Math.sqrt(variance[k] + eps);
  }
  return sums;
};

export const batch_norm_train_grad: CpuKernel = ([x, dy, gamma, sums, given], attrs) => {
  const { mean, variance } = statsOf(x.storage, x.shape, given?.storage);
  const { c, m, channel } = layout(x.shape);
  const eps = (attrs as BatchNormAttrs).eps;
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  return Float64Array.from(x.storage, (v, i) => {
    const k = channel(i);
    const xhat = (v - mean[k]) * invStd[k];
    return ((gamma.storage[k] * invStd[k]) / m) * (m * dy.storage[i] - sums.storage[k] - xhat * sums.storage[c + k]);
  });
};

export const batch_norm_infer: CpuKernel = ([x, mean, variance, gamma, beta], attrs) => {
  const { channel } = layout(x.shape);
  const eps = (attrs as BatchNormAttrs).eps;
  return Float64Array.from(x.storage, (v, i) => {
    const k = channel(i);
    return (gamma.storage[k] * (v - mean.storage[k])) / Math.sqrt(variance.storage[k] + eps) + beta.storage[k];
  });
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { batch_norm_grad_sums, batch_norm_infer, batch_norm_stats, batch_norm_train, batch_norm_train_grad };
