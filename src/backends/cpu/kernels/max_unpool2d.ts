import { pool2dGeometry, type Pool2dAttrs, type Pool2dGeometry } from '../../../ops/pool2d';
import type { MaxUnpool2dAttrs } from '../../../ops/max_unpool2d';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** Calls fn(pooled flat index, plane, window rows [h0, h1), columns [w0, w1)) in row-major order. */
function forEachWindow(g: Pool2dGeometry, fn: (o: number, plane: number, h0: number, h1: number, w0: number, w1: number) => void): void {
  let o = 0;
  for (let p = 0; p < g.n * g.c; p++) {
    for (let oh = 0; oh < g.oh; oh++) {
      const hs = oh * g.strideH - g.padT;
      for (let ow = 0; ow < g.ow; ow++, o++) {
        const ws = ow * g.strideW - g.padL;
        fn(o, p, Math.max(hs, 0), Math.min(hs + g.kh, g.h), Math.max(ws, 0), Math.min(ws + g.kw, g.w));
      }
    }
  }
}

/** Each window's first maximum (strict >, row-major: the pool's own tie rule), as its index within the plane. */
export const maxpool2d_indices: CpuKernel = ([x], attrs) => {
  const g = pool2dGeometry('maxpool2d_indices', x.shape, attrs as Pool2dAttrs);
  const out = new Float64Array(g.n * g.c * g.oh * g.ow);
  forEachWindow(g, (o, p, h0, h1, w0, w1) => {
    let best = h0 * g.w + w0;
    for (let ih = h0; ih < h1; ih++)
      for (let iw = w0; iw < w1; iw++) if (x.storage[p * g.h * g.w + ih * g.w + iw] > x.storage[p * g.h * g.w + best]) best = ih * g.w + iw;
    out[o] = best;
  });
  return out;
};

/**
 * For each pooled value, the unpooled position it is written to, or -1: its switch, when
 * the switch lies in its own window and no later window (row-major) names the same place.
 */
function winners(g: Pool2dGeometry, indices: ArrayLike<number>): Int32Array {
  const target = new Int32Array(indices.length).fill(-1);
  const writer = new Map<number, number>();
  forEachWindow(g, (o, p, h0, h1, w0, w1) => {
    const k = indices[o];
    const ih = Math.floor(k / g.w);
    const iw = k - ih * g.w;
    if (!Number.isInteger(k) || ih < h0 || ih >= h1 || iw < w0 || iw >= w1) return;
    const at = p * g.h * g.w + k;
    const before = writer.get(at);
    if (before !== undefined) target[before] = -1;
    writer.set(at, o);
    target[o] = at;
  });
  return target;
}

export const max_unpool2d: CpuKernel = ([x, indices], attrs) => {
  const a = attrs as MaxUnpool2dAttrs;
  const g = pool2dGeometry('max_unpool2d', [x.shape[0], x.shape[1], a.outputSize[0], a.outputSize[1]], a);
  const out = new Float64Array(g.n * g.c * g.h * g.w);
  winners(g, indices.storage).forEach((at, o) => {
    if (at >= 0) out[at] = x.storage[o];
  });
  return out;
};

export const max_unpool2d_grad: CpuKernel = ([dy, indices], attrs) => {
  const a = attrs as MaxUnpool2dAttrs;
  const g = pool2dGeometry('max_unpool2d_grad', [indices.shape[0], indices.shape[1], a.outputSize[0], a.outputSize[1]], a);
  return Float64Array.from(winners(g, indices.storage), (at) => (at >= 0 ? dy.storage[at] : 0));
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { max_unpool2d, max_unpool2d_grad, maxpool2d_indices };
