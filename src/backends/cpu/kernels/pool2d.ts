import { pool2dGeometry, type AvgPool2dGradAttrs, type MaxPool2dGradAttrs, type Pool2dAttrs, type Pool2dGeometry } from '../../../ops/pool2d';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** A window's in-bounds rows [h0, h1) and columns [w0, w1), and the offset of its (n, c) plane. */
export interface Window {
  plane: number;
  h0: number;
  h1: number;
  w0: number;
  w1: number;
}

/** Calls fn for every output element with its flat index and its window's in-bounds part. */
export function forEachWindow(g: Pool2dGeometry, fn: (outIndex: number, win: Window) => void): void {
  let o = 0;
  for (let p = 0; p < g.n * g.c; p++) {
    for (let oh = 0; oh < g.oh; oh++) {
      const hs = oh * g.strideH - g.padT;
      for (let ow = 0; ow < g.ow; ow++) {
        const ws = ow * g.strideW - g.padL;
        fn(o++, { plane: p * g.h * g.w, h0: Math.max(hs, 0), h1: Math.min(hs + g.kh, g.h), w0: Math.max(ws, 0), w1: Math.min(ws + g.kw, g.w) });
      }
    }
  }
}

/** Elements a window divides by: the full window, or only its in-bounds part. */
function windowCount(g: Pool2dGeometry, attrs: Pool2dAttrs, win: Window): number {
  return attrs.countIncludePad ? g.kh * g.kw : (win.h1 - win.h0) * (win.w1 - win.w0);
}

/** Flat indices of a window's in-bounds elements, in row-major order. */
function* windowIndices(g: Pool2dGeometry, win: Window): Generator<number> {
  for (let ih = win.h0; ih < win.h1; ih++) for (let iw = win.w0; iw < win.w1; iw++) yield win.plane + ih * g.w + iw;
}

/** Flat input index of a window's maximum: the first one in row-major order (ties go to the earliest). */
export function argmax(x: ArrayLike<number>, g: Pool2dGeometry, win: Window): number {
  let best = -1;
  for (const i of windowIndices(g, win)) if (best < 0 || x[i] > x[best]) best = i;
  return best;
}

export const maxpool2d: CpuKernel = ([x], attrs) => {
  const g = pool2dGeometry('maxpool2d', x.shape, attrs as Pool2dAttrs);
  const out = new Float64Array(g.n * g.c * g.oh * g.ow);
  forEachWindow(g, (o, win) => (out[o] = x.storage[argmax(x.storage, g, win)]));
  return out;
};

export const maxpool2d_grad: CpuKernel = ([x, dy], attrs) => {
  const g = pool2dGeometry('maxpool2d_grad', x.shape, attrs as Pool2dAttrs);
  const dx = new Float64Array(x.storage.length);
  forEachWindow(g, (o, win) => (dx[argmax(x.storage, g, win)] += dy.storage[o]));
  if ((attrs as MaxPool2dGradAttrs).relu) for (let i = 0; i < dx.length; i++) if (!(x.storage[i] > 0)) dx[i] = 0;
  return dx;
};

export const avgpool2d: CpuKernel = ([x], rawAttrs) => {
  const attrs = rawAttrs as Pool2dAttrs;
  const g = pool2dGeometry('avgpool2d', x.shape, attrs);
  const out = new Float64Array(g.n * g.c * g.oh * g.ow);
  forEachWindow(g, (o, win) => {
    let s = 0;
    for (const i of windowIndices(g, win)) s += x.storage[i];
    out[o] = s / windowCount(g, attrs, win);
  });
  return out;
};

export const avgpool2d_grad: CpuKernel = ([dy], rawAttrs) => {
  const attrs = rawAttrs as AvgPool2dGradAttrs;
  const g = pool2dGeometry('avgpool2d_grad', attrs.inputShape, attrs);
  const dx = new Float64Array(g.n * g.c * g.h * g.w);
  forEachWindow(g, (o, win) => {
    const share = dy.storage[o] / windowCount(g, attrs, win);
    for (const i of windowIndices(g, win)) dx[i] += share;
  });
  return dx;
};

export const global_avg_pool: CpuKernel = ([x]) => {
  const [n, c, h, w] = x.shape;
  const out = new Float64Array(n * c);
  for (let p = 0; p < n * c; p++) {
    let s = 0;
    for (let i = 0; i < h * w; i++) s += x.storage[p * h * w + i];
    out[p] = s / (h * w);
  }
  return out;
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { avgpool2d, avgpool2d_grad, global_avg_pool, maxpool2d, maxpool2d_grad };
