import { conv2dGeometry, type Conv2dAttrs, type Conv2dGeometry, type Conv2dGradFilterAttrs, type Conv2dGradInputAttrs } from '../../../ops/conv2d';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/**
 * Visits every (output element, filter tap) pair of a convolution whose input position
 * is in bounds, with the flat indices of y[n,o,oh,ow], w[o,c,kh,kw] and
 * x[n, g*cg + c, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw] (g = o / og). The forward pass
 * and both gradients are the same sum read three ways, so they share this one loop.
 */
function forEachTap(g: Conv2dGeometry, visit: (yi: number, wi: number, xi: number) => void): void {
  let yi = 0;
  for (let n = 0; n < g.n; n++) {
    for (let o = 0; o < g.o; o++) {
      const c0 = Math.floor(o / g.og) * g.cg;
      for (let oh = 0; oh < g.oh; oh++) {
        for (let ow = 0; ow < g.ow; ow++, yi++) {
          for (let c = 0; c < g.cg; c++) {
            for (let kh = 0; kh < g.kh; kh++) {
              const ih = oh * g.strideH - g.padT + kh * g.dilH;
              if (ih < 0 || ih >= g.h) continue;
              for (let kw = 0; kw < g.kw; kw++) {
                const iw = ow * g.strideW - g.padL + kw * g.dilW;
                if (iw < 0 || iw >= g.w) continue;
                visit(yi, ((o * g.cg + c) * g.kh + kh) * g.kw + kw, ((n * g.c + c0 + c) * g.h + ih) * g.w + iw);
              }
            }
          }
        }
      }
    }
  }
}

/** y = bias[o] + sum over taps of w * x, then max(y, 0) when the ReLU is fused. */
export const conv2d: CpuKernel = ([x, f, bias], attrs) => {
  const g = conv2dGeometry('conv2d', x.shape, f.shape, attrs as Conv2dAttrs);
  const y = new Float64Array(g.n * g.o * g.oh * g.ow);
  if (bias) for (let i = 0; i < y.length; i++) y[i] = bias.storage[Math.floor(i / (g.oh * g.ow)) % g.o];
  forEachTap(g, (yi, wi, xi) => (y[yi] += f.storage[wi] * x.storage[xi]));
  if ((attrs as Conv2dAttrs).relu) for (let i = 0; i < y.length; i++) y[i] = Math.max(y[i], 0);
  return y;
};

/** dx[x] = sum over the taps that read x of dy * w: the transpose of the forward sum. */
export const conv2d_grad_input: CpuKernel = ([dy, f], attrs) => {
  const a = attrs as Conv2dGradInputAttrs;
  const g = conv2dGeometry('conv2d_grad_input', a.inputShape, f.shape, a);
  const dx = new Float64Array(g.n * g.c * g.h * g.w);
  forEachTap(g, (yi, wi, xi) => (dx[xi] += dy.storage[yi] * f.storage[wi]));
  return dx;
};

/** dw[w] = sum over the batch and output positions of dy * x. */
export const conv2d_grad_filter: CpuKernel = ([x, dy], attrs) => {
  const a = attrs as Conv2dGradFilterAttrs;
  const g = conv2dGeometry('conv2d_grad_filter', x.shape, a.filterShape, a);
  const dw = new Float64Array(g.o * g.cg * g.kh * g.kw);
  forEachTap(g, (yi, wi, xi) => (dw[wi] += dy.storage[yi] * x.storage[xi]));
  return dw;
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { conv2d, conv2d_grad_filter, conv2d_grad_input };
