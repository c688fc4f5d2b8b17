import { augmentDraw, below, noiseSeed, sinCosPoly, unit, type AugmentAttrs } from '../../../ops/augment';
import { dropoutHash } from '../../../ops/dropout';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** Per-image draws, in the order the shader makes them. */
export function imageDraws(a: AugmentAttrs, seed: number, n: number) {
  const d = (k: number) => augmentDraw(seed, n, k);
  const span = 2 * a.maxShift + 1;
  const angle = (unit(d(4)) * 2 - 1) * a.maxRotation * (Math.PI / 180);
  return {
    flipH: below(d(0), a.flipHorizontal),
    flipV: below(d(1), a.flipVertical),
    dx: (d(2) % span) - a.maxShift,
    dy: (d(3) % span) - a.maxShift,
    sinCos: sinCosPoly(angle),
    brightness: (unit(d(5)) * 2 - 1) * a.brightness,
    contrast: 1 + (unit(d(6)) * 2 - 1) * a.contrast,
  };
}

export const augment: CpuKernel = ([x, step], rawAttrs) => {
  const a = rawAttrs as AugmentAttrs;
  const [n, c, h, w] = x.shape;
  const seed = (a.seed + step.storage[0]) >>> 0;
  const out = new Float64Array(x.storage.length);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let i = 0; i < n; i++) {
    const r = imageDraws(a, seed, i);
    const [s, co] = r.sinCos;
    for (let ch = 0; ch < c; ch++) {
      const plane = (i * c + ch) * h * w;
      const at = (yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? x.storage[plane + yy * w + xx] : 0);
      for (let y = 0; y < h; y++) {
        for (let xo = 0; xo < w; xo++) {
          // Inverse map: undo the shift, the rotation about the centre, then the flips.
          const tx = xo - r.dx - cx;
          const ty = y - r.dy - cy;
          let u = co * tx + s * ty + cx;
          let v = -s * tx + co * ty + cy;
          if (r.flipH) u = w - 1 - u;
          if (r.flipV) v = h - 1 - v;
          const u0 = Math.floor(u);
          const v0 = Math.floor(v);
          const fu = u - u0;
          const fv = v - v0;
          const value = (1 - fv) * ((1 - fu) * at(v0, u0) + fu * at(v0, u0 + 1)) + fv * ((1 - fu) * at(v0 + 1, u0) + fu * at(v0 + 1, u0 + 1));
          let result = (value - a.pivot) * r.contrast + a.pivot + r.brightness;
          const index = plane + y * w + xo;
          const noise = dropoutHash(noiseSeed(seed), index);
          if (below(noise, a.saltPepper)) result = (noise & 1) === 1 ? a.noiseHigh : a.noiseLow;
          out[index] = result;
        }
      }
    }
  }
  return out;
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { augment };
