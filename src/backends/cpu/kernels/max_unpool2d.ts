import { pool2dGeometry, type Pool2dAttrs, type Pool2dGeometry } from '../../../ops/pool2d';
import { argmax, forEachWindow } from './pool2d';
import type { MaxUnpool2dAttrs } from '../../../ops/max_unpool2d';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** Each window's first maximum (the pool's own argmax and tie rule), as its index within the plane. */
export const maxpool2d_indices: CpuKernel = ([x], attrs) => {
  const g = pool2dGeometry('maxpool2d_indices', x.shape, attrs as Pool2dAttrs);
  const out = new Float64Array(g.n * g.c * g.oh * g.ow);
  forEachWindow(g, (o, win) => (out[o] = argmax(x.storage, g, win) - win.plane));
  return out;
};

/**
 * For each pooled value, the unpooled position it is written to, or -1: its switch, when
 * the switch lies in its own window and no later window (row-major) names the same place.
 */
function winners(g: Pool2dGeometry, indices: ArrayLike<number>): Int32Array {
  const target = new Int32Array(indices.length).fill(-1);
  const writer = new Map<number, number>();
  forEachWindow(g, (o, win) => {
    const k = indices[o];
    const ih = Math.floor(k / g.w);
    const iw = k - ih * g.w;
    if (!Number.isInteger(k) || ih < win.h0 || ih >= win.h1 || iw < win.w0 || iw >= win.w1) return;
    const at = win.plane + k;
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
