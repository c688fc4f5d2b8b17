import { pool2dGeometry, type AvgPool2dGradAttrs, type Pool2dAttrs, type Pool2dGeometry } from '../../../ops/pool2d';
import type { CpuKernel } from '../cpu_backend';

/** In-bounds rows or columns of the window starting at `start` (may be negative). */
function span(start: number, k: number, size: number): [number, number] {
  return [Math.max(start, 0), Math.min(start + k, size)];
}

/** Elements a window divides by: the full window, or only its in-bounds part. */
function windowCount(g: Pool2dGeometry, attrs: Pool2dAttrs, oh: number, ow: number): number {
  if (attrs.countIncludePad) return g.kh * g.kw;
  const [h0, h1] = span(oh * g.strideH - g.padT, g.kh, g.h);
  const [w0, w1] = span(ow * g.strideW - g.padL, g.kw, g.w);
  return (h1 - h0) * (w1 - w0);
}

/** Flat input index of a window's maximum: the first one in row-major order (ties go to the earliest). */
function argmax(x: ArrayLike<number>, g: Pool2dGeometry, plane: number, oh: number, ow: number): number {
  const [h0, h1] = span(oh * g.strideH - g.padT, g.kh, g.h);
  const [w0, w1] = span(ow * g.strideW - g.padL, g.kw, g.w);
  let best = -1;
  for (let ih = h0; ih < h1; ih++) {
    for (let iw = w0; iw < w1; iw++) {
      const i = plane + ih * g.w + iw;
      if (best < 0 || x[i] > x[best]) best = i;
    }
  }
  return best;
}

function forEachWindow(g: Pool2dGeometry, fn: (plane: number, outIndex: number, oh: number, ow: number) => void): void {
  let o = 0;
  for (let p = 0; p < g.n * g.c; p++) {
    for (let oh = 0; oh < g.oh; oh++) for (let ow = 0; ow < g.ow; ow++) fn(p * g.h * g.w, o++, oh, ow);
  }
}

export const maxpool2d: CpuKernel = ([x], attrs) => {
  const g = pool2dGeometry('maxpool2d', x.shape, attrs as Pool2dAttrs);
  const out = new Float64Array(g.n * g.c * g.oh * g.ow);
  forEachWindow(g, (plane, o, oh, ow) => (out[o] = x.storage[argmax(x.storage, g, plane, oh, ow)]));
  return out;
};

export const maxpool2d_grad: CpuKernel = ([x, dy], attrs) => {
  const g = pool2dGeometry('maxpool2d_grad', x.shape, attrs as Pool2dAttrs);
  const dx = new Float64Array(x.storage.length);
  forEachWindow(g, (plane, o, oh, ow) => (dx[argmax(x.storage, g, plane, oh, ow)] += dy.storage[o]));
  return dx;
};

export const avgpool2d: CpuKernel = ([x], rawAttrs) => {
  const attrs = rawAttrs as Pool2dAttrs;
  const g = pool2dGeometry('avgpool2d', x.shape, attrs);
  const out = new Float64Array(g.n * g.c * g.oh * g.ow);
  forEachWindow(g, (plane, o, oh, ow) => {
    const [h0, h1] = span(oh * g.strideH - g.padT, g.kh, g.h);
    const [w0, w1] = span(ow * g.strideW - g.padL, g.kw, g.w);
    let s = 0;
    for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += x.storage[plane + ih * g.w + iw];
    out[o] = s / windowCount(g, attrs, oh, ow);
  });
  return out;
};

export const avgpool2d_grad: CpuKernel = ([dy], rawAttrs) => {
  const attrs = rawAttrs as AvgPool2dGradAttrs;
  const g = pool2dGeometry('avgpool2d_grad', attrs.inputShape, attrs);
  const dx = new Float64Array(g.n * g.c * g.h * g.w);
  forEachWindow(g, (plane, o, oh, ow) => {
    const [h0, h1] = span(oh * g.strideH - g.padT, g.kh, g.h);
    const [w0, w1] = span(ow * g.strideW - g.padL, g.kw, g.w);
    const share = dy.storage[o] / windowCount(g, attrs, oh, ow);
    for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dx[plane + ih * g.w + iw] += share;
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
