import { augmentDraw, below, CROP_TRIES, channelDraw, cropDraw, noiseSeed, sinCosPoly, unit, type AugmentAttrs } from '../../../ops/augment';
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
    zoom: 1 + (unit(cropDraw(seed, n, 42)) * 2 - 1) * a.zoom,
    brightness: (unit(d(5)) * 2 - 1) * a.brightness,
    contrast: 1 + (unit(d(6)) * 2 - 1) * a.contrast,
    saturation: 1 + (unit(cropDraw(seed, n, 43)) * 2 - 1) * a.saturation,
  };
}

/** The part of the input an image's output is cut from: top, left, height, width (input pixels). */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

const f32 = Math.fround;
/** Python's round and WGSL's: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Image n's crop box in an h x w input for an oh x ow output: a random window of the
 * input padded by `padding` (top and left may be negative), or torchvision's
 * RandomResizedCrop box (ten tries, then the centre crop with the ratio clamped).
 */
export function cropBox(a: AugmentAttrs, seed: number, n: number, h: number, w: number, oh: number, ow: number): CropBox {
  const d = (k: number) => cropDraw(seed, n, k);
  if (a.cropScale[1] === 0) {
    const p = a.padding;
    return { top: (d(40) % (h + 2 * p - oh + 1)) - p, left: (d(41) % (w + 2 * p - ow + 1)) - p, height: oh, width: ow };
  }
  // NOTE: the box's size is rounded to whole pixels, so it is computed in float32 steps
  // as the shader takes them (Math.fround); only exp and sqrt may differ by an ulp.
  const u = (h32: number) => f32(h32) / 4294967296;
  const area = f32(h * w);
  const [s0, s1] = [f32(a.cropScale[0]), f32(a.cropScale[1])];
  const [r0, r1] = [f32(a.cropRatio[0]), f32(a.cropRatio[1])];
  const [l0, l1] = [f32(Math.log(a.cropRatio[0])), f32(Math.log(a.cropRatio[1]))];
  for (let t = 0; t < CROP_TRIES; t++) {
    const target = f32(area * f32(s0 + f32(u(d(4 * t)) * f32(s1 - s0))));
    const ratio = f32(Math.exp(f32(l0 + f32(u(d(4 * t + 1)) * f32(l1 - l0)))));
    const width = roundHalfEven(f32(Math.sqrt(f32(target * ratio))));
    const height = roundHalfEven(f32(Math.sqrt(f32(target / ratio))));
    if (width > 0 && width <= w && height > 0 && height <= h) {
      return { top: d(4 * t + 2) % (h - height + 1), left: d(4 * t + 3) % (w - width + 1), height, width };
    }
  }
  const inRatio = f32(w / h);
  let width = w;
  let height = h;
  if (inRatio < r0) height = Math.min(h, Math.max(1, roundHalfEven(f32(w / r0))));
  else if (inRatio > r1) width = Math.min(w, Math.max(1, roundHalfEven(f32(h * r1))));
  return { top: Math.floor((h - height) / 2), left: Math.floor((w - width) / 2), height, width };
}

export const augment: CpuKernel = ([x, step], rawAttrs, outShape) => {
  const a = rawAttrs as AugmentAttrs;
  const [n, c, h, w] = x.shape;
  const [, , oh, ow] = outShape;
  const seed = (a.seed + step.storage[0]) >>> 0;
  const out = new Float64Array(n * c * oh * ow);
  const resized = a.cropScale[1] !== 0;
  const cx = (ow - 1) / 2;
  const cy = (oh - 1) / 2;
  for (let i = 0; i < n; i++) {
    const r = imageDraws(a, seed, i);
    const box = cropBox(a, seed, i, h, w, oh, ow);
    const [s, co] = r.sinCos;
    /** The cropped (and resized) image of plane p at whole pixel (yy, xx), zeros outside it. */
    const canvas = (p: number, yy: number, xx: number) => {
      if (yy < 0 || yy >= oh || xx < 0 || xx >= ow) return 0;
      const at = (iy: number, ix: number) => (iy >= 0 && iy < h && ix >= 0 && ix < w ? x.storage[(p * h + iy) * w + ix] : 0);
      if (!resized) return at(yy + box.top, xx + box.left);
      // torch.nn.functional.interpolate's bilinear (align_corners=False) within the box.
      const sy = Math.max((yy + 0.5) * (box.height / oh) - 0.5, 0);
      const sx = Math.max((xx + 0.5) * (box.width / ow) - 0.5, 0);
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const y1 = Math.min(y0 + 1, box.height - 1);
      const x1 = Math.min(x0 + 1, box.width - 1);
      const fy = sy - y0;
      const fx = sx - x0;
      const t = box.top;
      const l = box.left;
      return (1 - fy) * ((1 - fx) * at(t + y0, l + x0) + fx * at(t + y0, l + x1)) + fy * ((1 - fx) * at(t + y1, l + x0) + fx * at(t + y1, l + x1));
    };
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        // Inverse map: undo the shift, the rotation and zoom about the centre, then the flips.
        const tx = xo - r.dx - cx;
        const ty = y - r.dy - cy;
        let u = (co * tx + s * ty) / r.zoom + cx;
        let v = (-s * tx + co * ty) / r.zoom + cy;
        if (r.flipH) u = ow - 1 - u;
        if (r.flipV) v = oh - 1 - v;
        const u0 = Math.floor(u);
        const v0 = Math.floor(v);
        const fu = u - u0;
        const fv = v - v0;
        const jittered: number[] = [];
        for (let ch = 0; ch < c; ch++) {
          const p = i * c + ch;
          const value =
            (1 - fv) * ((1 - fu) * canvas(p, v0, u0) + fu * canvas(p, v0, u0 + 1)) + fv * ((1 - fu) * canvas(p, v0 + 1, u0) + fu * canvas(p, v0 + 1, u0 + 1));
          const brightness = a.perChannel ? (unit(channelDraw(seed, p, 0)) * 2 - 1) * a.brightness : r.brightness;
          const contrast = a.perChannel ? 1 + (unit(channelDraw(seed, p, 1)) * 2 - 1) * a.contrast : r.contrast;
          jittered.push((value - a.pivot) * contrast + a.pivot + brightness);
        }
        const grey = a.saturation > 0 ? 0.299 * jittered[0] + 0.587 * jittered[1] + 0.114 * jittered[2] : 0;
        for (let ch = 0; ch < c; ch++) {
          let result = a.saturation > 0 ? grey + (jittered[ch] - grey) * r.saturation : jittered[ch];
          const index = ((i * c + ch) * oh + y) * ow + xo;
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
