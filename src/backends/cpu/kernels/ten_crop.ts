import { tenCropView, type TenCropAttrs } from '../../../ops/ten_crop';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** out[n * views + k, c, y, x] = image n at view k's (top + y, left + x), mirrored x for the mirrored views; zeros in the padding. */
export const ten_crop: CpuKernel = ([x], rawAttrs, outShape) => {
  const a = rawAttrs as TenCropAttrs;
  const [n, c, h, w] = x.shape;
  const [, , oh, ow] = outShape;
  const out = new Float64Array(n * a.views * c * oh * ow);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < a.views; k++) {
      const view = tenCropView(a, k, h, w);
      for (let ch = 0; ch < c; ch++) {
        for (let y = 0; y < oh; y++) {
          for (let xo = 0; xo < ow; xo++) {
            const iy = view.top + y;
            const ix = view.left + (view.mirrored ? ow - 1 - xo : xo);
            const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
            out[(((i * a.views + k) * c + ch) * oh + y) * ow + xo] = inside ? x.storage[((i * c + ch) * h + iy) * w + ix] : 0;
          }
        }
      }
    }
  }
  return out;
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { ten_crop };
