import type { LrnAttrs } from '../../../ops/lrn';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** Calls fn with (flat index of (n, c, p), channel c, plane size, channel count) for every element. */
function setup(shape: readonly number[], a: LrnAttrs) {
  const [, c, h, w] = shape;
  const hw = h * w;
  const lo = Math.floor(a.size / 2);
  const hi = Math.floor((a.size - 1) / 2);
  const channel = (i: number) => Math.floor(i / hw) % c;
  /** d at flat index i: k + alpha/size * sum of squares over the channel window. */
  const d = (x: ArrayLike<number>, i: number) => {
    const ch = channel(i);
    let s = 0;
    for (let j = Math.max(0, ch - lo); j <= Math.min(c - 1, ch + hi); j++) s += x[i + (j - ch) * hw] ** 2;
    return a.k + (a.alpha / a.size) * s;
  };
  return { c, hw, lo, hi, channel, d };
}

export const lrn: CpuKernel = ([x], attrs) => {
  const a = attrs as LrnAttrs;
  const { d } = setup(x.shape, a);
  return Float64Array.from(x.storage, (v, i) => v * d(x.storage, i) ** -a.beta);
};

export const lrn_grad: CpuKernel = ([x, dy], attrs) => {
  const a = attrs as LrnAttrs;
  const { c, hw, lo, hi, channel, d } = setup(x.shape, a);
  return Float64Array.from(x.storage, (v, i) => {
    const ch = channel(i);
    let s = 0;
    // Channels j whose window contains ch: j - lo <= ch <= j + hi.
    for (let j = Math.max(0, ch - hi); j <= Math.min(c - 1, ch + lo); j++) {
      const k = i + (j - ch) * hw;
      s += dy.storage[k] * x.storage[k] * d(x.storage, k) ** (-a.beta - 1);
    }
    return dy.storage[i] * d(x.storage, i) ** -a.beta - ((2 * a.alpha * a.beta) / a.size) * v * s;
  });
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { lrn, lrn_grad };
