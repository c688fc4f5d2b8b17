import { conv2dGeometry, type Conv2dAttrs, type Conv2dGradFilterAttrs, type Conv2dGradInputAttrs } from '../../../ops/conv2d';
import type { CpuKernel } from '../cpu_backend';

/**
 * y[n,o,oh,ow] = bias[o] + sum_{c,kh,kw} w[o,c,kh,kw] * x[n, g*cg + c, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw]
 * with g = o / og and out-of-range input positions reading zero.
 */
export const conv2d: CpuKernel = ([x, f, bias], attrs) => {
  const g = conv2dGeometry('conv2d', x.shape, f.shape, attrs as Conv2dAttrs);
  const out = new Float64Array(g.n * g.o * g.oh * g.ow);
  let i = 0;
  for (let n = 0; n < g.n; n++) {
    for (let o = 0; o < g.o; o++) {
      const c0 = Math.floor(o / g.og) * g.cg;
      for (let oh = 0; oh < g.oh; oh++) {
        for (let ow = 0; ow < g.ow; ow++) {
          let acc = bias ? bias.storage[o] : 0;
          for (let c = 0; c < g.cg; c++) {
            for (let kh = 0; kh < g.kh; kh++) {
              const ih = oh * g.strideH - g.padT + kh * g.dilH;
              if (ih < 0 || ih >= g.h) continue;
              for (let kw = 0; kw < g.kw; kw++) {
                const iw = ow * g.strideW - g.padL + kw * g.dilW;
                if (iw < 0 || iw >= g.w) continue;
                acc += f.storage[((o * g.cg + c) * g.kh + kh) * g.kw + kw] * x.storage[((n * g.c + c0 + c) * g.h + ih) * g.w + iw];
              }
            }
          }
          out[i++] = acc;
        }
      }
    }
  }
  return out;
};

/** dx[n,c,ih,iw] = sum over (o, kh, kw) whose window covers (ih, iw) of dy[n,o,oh,ow] * w[o, c - g*cg, kh, kw]. */
export const conv2d_grad_input: CpuKernel = ([dy, f], attrs) => {
  const a = attrs as Conv2dGradInputAttrs;
  const g = conv2dGeometry('conv2d_grad_input', a.inputShape, f.shape, a);
  const dx = new Float64Array(g.n * g.c * g.h * g.w);
  // Scatter form: the transpose of the forward loop, obviously right rather than fast.
  for (let n = 0; n < g.n; n++) {
    for (let o = 0; o < g.o; o++) {
      const c0 = Math.floor(o / g.og) * g.cg;
      for (let oh = 0; oh < g.oh; oh++) {
        for (let ow = 0; ow < g.ow; ow++) {
          const d = dy.storage[((n * g.o + o) * g.oh + oh) * g.ow + ow];
          for (let c = 0; c < g.cg; c++) {
            for (let kh = 0; kh < g.kh; kh++) {
              const ih = oh * g.strideH - g.padT + kh * g.dilH;
              if (ih < 0 || ih >= g.h) continue;
              for (let kw = 0; kw < g.kw; kw++) {
                const iw = ow * g.strideW - g.padL + kw * g.dilW;
                if (iw < 0 || iw >= g.w) continue;
                dx[((n * g.c + c0 + c) * g.h + ih) * g.w + iw] += d * f.storage[((o * g.cg + c) * g.kh + kh) * g.kw + kw];
              }
            }
          }
        }
      }
    }
  }
  return dx;
};

/** dw[o,c,kh,kw] = sum_{n,oh,ow} dy[n,o,oh,ow] * x[n, g*cg + c, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw]. */
export const conv2d_grad_filter: CpuKernel = ([x, dy], attrs) => {
  const a = attrs as Conv2dGradFilterAttrs;
  const g = conv2dGeometry('conv2d_grad_filter', x.shape, a.filterShape, a);
  const dw = new Float64Array(g.o * g.cg * g.kh * g.kw);
  for (let n = 0; n < g.n; n++) {
    for (let o = 0; o < g.o; o++) {
      const c0 = Math.floor(o / g.og) * g.cg;
      for (let oh = 0; oh < g.oh; oh++) {
        for (let ow = 0; ow < g.ow; ow++) {
          const d = dy.storage[((n * g.o + o) * g.oh + oh) * g.ow + ow];
          for (let c = 0; c < g.cg; c++) {
            for (let kh = 0; kh < g.kh; kh++) {
              const ih = oh * g.strideH - g.padT + kh * g.dilH;
              if (ih < 0 || ih >= g.h) continue;
              for (let kw = 0; kw < g.kw; kw++) {
                const iw = ow * g.strideW - g.padL + kw * g.dilW;
                if (iw < 0 || iw >= g.w) continue;
                dw[((o * g.cg + c) * g.kh + kh) * g.kw + kw] += d * x.storage[((n * g.c + c0 + c) * g.h + ih) * g.w + iw];
              }
            }
          }
        }
      }
    }
  }
  return dw;
};
