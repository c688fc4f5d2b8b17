import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { dropoutHash } from './dropout';
import { defineOp, runOp } from './op';

/**
 * Random augmentation of an NCHW batch, one dispatch for all of it. Every image draws
 * its own crop, flips, shift, angle, zoom and colour from a counter-based hash of
 * (seed + step, image, draw), so the GPU and the CPU reference make the same draws
 * and a compiled training step draws new ones every step from its step counter.
 * A value of 0 switches an augmentation off.
 *
 * In the order applied: a crop of the input (the random resized crop with `cropScale`,
 * else a random window of the output size from the input padded by `padding`); the
 * flips; rotation and zoom about the centre; the shift; brightness and contrast (per
 * image, or per channel with `perChannel`); saturation (RGB only); salt and pepper.
 */
export interface AugmentAttrs {
  [key: string]: unknown;
  readonly seed: number;
  /** Output height and width (0: the input's). Smaller than the input (or padded input): a random window of that size, or the resized crop. */
  readonly outputHeight: number;
  readonly outputWidth: number;
  /** Zero pixels added on each side before the random window is cut (torchvision's RandomCrop(size, padding)). */
  readonly padding: number;
  /**
   * Random resized crop (torchvision's RandomResizedCrop): a box of this share of the
   * input's area and an aspect ratio drawn log-uniformly from `cropRatio`, resized
   * bilinearly (no antialiasing) to the output size. Off while the upper bound is 0.
   */
  readonly cropScale: readonly [number, number];
  /** Width / height range of the resized crop's box (torchvision's default [3/4, 4/3]). */
  readonly cropRatio: readonly [number, number];
  /** Probability of mirroring left-right. */
  readonly flipHorizontal: number;
  /** Probability of mirroring top-bottom. */
  readonly flipVertical: number;
  /** Whole-pixel translation drawn uniformly in [-maxShift, maxShift] per axis (zeros fill). */
  readonly maxShift: number;
  /** Rotation about the centre drawn uniformly in [-maxRotation, maxRotation] degrees (<= 90), bilinear. */
  readonly maxRotation: number;
  /** Scale factor drawn uniformly in [1 - zoom, 1 + zoom] about the centre (> 1 enlarges), bilinear, zeros fill. */
  readonly zoom: number;
  /** Added value drawn uniformly in [-brightness, brightness]. */
  readonly brightness: number;
  /** Contrast factor drawn uniformly in [1 - contrast, 1 + contrast], applied around `pivot`. */
  readonly contrast: number;
  /** Brightness and contrast draw one value per channel (colour casts) instead of one per image. */
  readonly perChannel: boolean;
  /**
   * Saturation factor s drawn uniformly in [1 - saturation, 1 + saturation] per image:
   * each value moves to g + (v - g) * s, g = 0.299 R + 0.587 G + 0.114 B of its pixel
   * (torchvision's grey). Input with 3 channels only.
   */
  readonly saturation: number;
  /** Probability per value of being replaced by noiseLow (pepper) or noiseHigh (salt). */
  readonly saltPepper: number;
  readonly pivot: number;
  readonly noiseLow: number;
  readonly noiseHigh: number;
}

export const AUGMENT_DEFAULTS: AugmentAttrs = {
  seed: 0,
  outputHeight: 0,
  outputWidth: 0,
  padding: 0,
  cropScale: [0, 0],
  cropRatio: [3 / 4, 4 / 3],
  flipHorizontal: 0,
  flipVertical: 0,
  maxShift: 0,
  maxRotation: 0,
  zoom: 0,
  brightness: 0,
  contrast: 0,
  perChannel: false,
  saturation: 0,
  saltPepper: 0,
  pivot: 0,
  noiseLow: 0,
  noiseHigh: 1,
};

/** Draw k of image n: the k-th u32 of the image's stream. */
export const augmentDraw = (seed: number, n: number, k: number) => dropoutHash(seed, n * 8 + k);
/** Seed of the per-value salt-and-pepper stream, apart from the per-image one. */
export const noiseSeed = (seed: number) => (seed + 0x68e31da4) >>> 0;
/**
 * Draw k (< 64) of image n's second stream: the crop (k = 0..39 the resized crop's ten
 * tries, 40 and 41 the window's top and left), 42 the zoom, 43 the saturation.
 */
export const cropDraw = (seed: number, n: number, k: number) => dropoutHash((seed + 0x3c6ef372) >>> 0, n * 64 + k);
/** Draw k (0 brightness, 1 contrast) of a plane (image n's channel ch: n * channels + ch), with perChannel. */
export const channelDraw = (seed: number, plane: number, k: number) => dropoutHash((seed + 0xa54ff53a) >>> 0, plane * 2 + k);
/** Tries of the resized crop before it falls back to the centre (torchvision's 10). */
export const CROP_TRIES = 10;
/** A u32 draw as a number in [0, 1). */
export const unit = (h: number) => h / 4294967296;
/** Whether a u32 draw falls under probability p. */
export const below = (h: number, p: number) => h < augmentThreshold(p);
/** floor(p * 2^32) capped to the u32 range, as the shader's uniform holds it. */
export const augmentThreshold = (p: number) => Math.min(Math.floor(p * 4294967296), 4294967295);

/** sin and cos by their Taylor series to the a^13 / a^12 terms: error < 1e-8 for |a| <= pi/2 on both backends. */
export function sinCosPoly(a: number): [number, number] {
  const a2 = a * a;
  const s = a * (1 - (a2 / 6) * (1 - (a2 / 20) * (1 - (a2 / 42) * (1 - (a2 / 72) * (1 - (a2 / 110) * (1 - a2 / 156))))));
  const c = 1 - (a2 / 2) * (1 - (a2 / 12) * (1 - (a2 / 30) * (1 - (a2 / 56) * (1 - (a2 / 90) * (1 - a2 / 132)))));
  return [s, c];
}

export const augmentOp = defineOp<AugmentAttrs>({
  name: 'augment',
  inputs: 2,
  inferShape([x, step], a) {
    if (x.length !== 4) throw new Error(`augment: input must be NCHW (rank 4), got ${formatShape(x)}`);
    if (step.length !== 1 || step[0] !== 1) throw new Error(`augment: the step counter must have shape [1], got ${formatShape(step)}`);
    const [n, c, h, w] = x;
    for (const k of ['outputHeight', 'outputWidth', 'padding'] as const) {
      if (!Number.isInteger(a[k]) || a[k] < 0) throw new Error(`augment: ${k} must be a whole number >= 0, got ${a[k]}`);
    }
    const oh = a.outputHeight || h;
    const ow = a.outputWidth || w;
    const [s0, s1] = a.cropScale;
    const [r0, r1] = a.cropRatio;
    if (s1 !== 0 && !(s0 > 0 && s0 <= s1 && s1 <= 1))
      throw new Error(`augment: cropScale must be [min, max] with 0 < min <= max <= 1 (or [0, 0]: off), got [${s0}, ${s1}]`);
    if (!(r0 > 0 && r0 <= r1 && Number.isFinite(r1))) throw new Error(`augment: cropRatio must be [min, max] with 0 < min <= max, got [${r0}, ${r1}]`);
    if (s1 !== 0 && a.padding > 0) throw new Error('augment: padding goes with the random window, not the resized crop (cropScale); use one of them');
    if (s1 === 0 && (oh > h + 2 * a.padding || ow > w + 2 * a.padding)) {
      throw new Error(
        `augment: the output ${oh}x${ow} is larger than the input ${h}x${w}${a.padding ? ` padded by ${a.padding}` : ''}; a random window cannot grow it (the resized crop, cropScale, can)`,
      );
    }
    if (!(a.zoom >= 0 && a.zoom < 1)) throw new Error(`augment: zoom must be in [0, 1), got ${a.zoom}`);
    if (!(a.saturation >= 0 && a.saturation <= 1)) throw new Error(`augment: saturation must be in [0, 1], got ${a.saturation}`);
    if (a.saturation > 0 && c !== 3) throw new Error(`augment: saturation needs RGB images (3 channels), got ${c} channel${c === 1 ? '' : 's'}`);
    for (const k of ['flipHorizontal', 'flipVertical', 'saltPepper'] as const) {
      if (!(a[k] >= 0 && a[k] <= 1)) throw new Error(`augment: ${k} is a probability in [0, 1], got ${a[k]}`);
    }
    if (!Number.isInteger(a.maxShift) || a.maxShift < 0) throw new Error(`augment: maxShift must be a whole number of pixels >= 0, got ${a.maxShift}`);
    if (!(a.maxRotation >= 0 && a.maxRotation <= 90)) throw new Error(`augment: maxRotation must be in [0, 90] degrees, got ${a.maxRotation}`);
    if (!(a.brightness >= 0) || !(a.contrast >= 0 && a.contrast < 1))
      throw new Error(`augment: brightness must be >= 0 and contrast in [0, 1), got ${a.brightness} and ${a.contrast}`);
    return [n, c, oh, ow];
  },
});

/** Augments a batch with the options given (others off); `step` is the [1] step counter. */
export function augment(x: Tensor, step: Tensor, options: Partial<AugmentAttrs>): Tensor {
  return runOp(augmentOp, [x, step], { ...AUGMENT_DEFAULTS, ...options });
}
