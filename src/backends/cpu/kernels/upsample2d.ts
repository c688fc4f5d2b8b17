import { upsample2dSource, type Upsample2dAttrs, type Upsample2dGradAttrs } from '../../../ops/upsample2d';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** The (source index, weight) pairs each output row or column reads, per axis. */
function taps(a: Upsample2dAttrs, axis: 0 | 1, input: number): { i0: number; i1: number; w0: number; w1: number }[] {
  return Array.from({ length: a.size[axis] }, (_, o) => upsample2dSource(a.mode, o, a.ratio[axis], input, a.alignCorners));
}

/** y[n,c,oh,ow] = sum over the source rows and columns of wh * ww * x: PyTorch's nearest and bilinear. */
export const upsample2d: CpuKernel = ([x], attrs) => {
  const a = attrs as Upsample2dAttrs;
  const [n, c, h, w] = x.shape;
  const [oh, ow] = a.size;
  const rows = taps(a, 0, h);
  const cols = taps(a, 1, w);
  const y = new Float64Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++) {
    for (let i = 0; i < oh; i++) {
      const r = rows[i];
      for (let j = 0; j < ow; j++) {
        const q = cols[j];
        const at = (hi: number, wi: number) => x.storage[(p * h + hi) * w + wi];
        // Nearest copies (an infinity stays one); bilinear weighs the four neighbours.
        y[(p * oh + i) * ow + j] =
          a.mode === 'nearest'
            ? at(r.i0, q.i0)
            : r.w0 * (q.w0 * at(r.i0, q.i0) + q.w1 * at(r.i0, q.i1)) + r.w1 * (q.w0 * at(r.i1, q.i0) + q.w1 * at(r.i1, q.i1));
      }
    }
  }
  return y;
};

/** dx: the forward's weights scattered back (the transpose of the sum above). */
export const upsample2d_grad: CpuKernel = ([dy], attrs) => {
  const a = attrs as Upsample2dGradAttrs;
  const [n, c, h, w] = a.inputShape;
  const [oh, ow] = a.size;
  const rows = taps(a, 0, h);
  const cols = taps(a, 1, w);
  const dx = new Float64Array(n * c * h * w);
  for (let p = 0; p < n * c; p++) {
    for (let i = 0; i < oh; i++) {
      const r = rows[i];
      for (let j = 0; j < ow; j++) {
        const q = cols[j];
        const g = dy.storage[(p * oh + i) * ow + j];
        const add = (hi: number, wi: number, weight: number) => (dx[(p * h + hi) * w + wi] += weight * g);
        add(r.i0, q.i0, r.w0 * q.w0);
        add(r.i0, q.i1, r.w0 * q.w1);
        add(r.i1, q.i0, r.w1 * q.w0);
        add(r.i1, q.i1, r.w1 * q.w1);
      }
    }
  }
  return dx;
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { upsample2d, upsample2d_grad };
