import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { dropoutHash } from './dropout';
import { defineOp, runOp } from './op';

/**
 * Random augmentation of an NCHW batch, one dispatch for all of it. Every image draws
 * its own flips, shift, angle, brightness and contrast from a counter-based hash of
 * (seed + step, image, draw), so the GPU and the CPU reference make the same draws
 * and a compiled training step draws new ones every step from its step counter.
 * A value of 0 switches an augmentation off.
 */
export interface AugmentAttrs {
  [key: string]: unknown;
  readonly seed: number;
  /** Probability of mirroring left-right. */
  readonly flipHorizontal: number;
  /** Probability of mirroring top-bottom. */
  readonly flipVertical: number;
  /** Whole-pixel translation drawn uniformly in [-maxShift, maxShift] per axis (zeros fill). */
  readonly maxShift: number;
  /** Rotation about the centre drawn uniformly in [-maxRotation, maxRotation] degrees (<= 90), bilinear. */
  readonly maxRotation: number;
  /** Added value drawn uniformly in [-brightness, brightness]. */
  readonly brightness: number;
  /** Contrast factor drawn uniformly in [1 - contrast, 1 + contrast], applied around `pivot`. */
  readonly contrast: number;
  /** Probability per value of being replaced by noiseLow (pepper) or noiseHigh (salt). */
  readonly saltPepper: number;
  readonly pivot: number;
  readonly noiseLow: number;
  readonly noiseHigh: number;
}

export const AUGMENT_DEFAULTS: AugmentAttrs = {
  seed: 0,
  flipHorizontal: 0,
  flipVertical: 0,
  maxShift: 0,
  maxRotation: 0,
  brightness: 0,
  contrast: 0,
  saltPepper: 0,
  pivot: 0,
  noiseLow: 0,
  noiseHigh: 1,
};

/** Draw k of image n: the k-th u32 of the image's stream. */
export const augmentDraw = (seed: number, n: number, k: number) => dropoutHash(seed, n * 8 + k);
/** Seed of the per-value salt-and-pepper stream, apart from the per-image one. */
export const noiseSeed = (seed: number) => (seed + 0x68e31da4) >>> 0;
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
    for (const k of ['flipHorizontal', 'flipVertical', 'saltPepper'] as const) {
      if (!(a[k] >= 0 && a[k] <= 1)) throw new Error(`augment: ${k} is a probability in [0, 1], got ${a[k]}`);
    }
    if (!Number.isInteger(a.maxShift) || a.maxShift < 0) throw new Error(`augment: maxShift must be a whole number of pixels >= 0, got ${a.maxShift}`);
    if (!(a.maxRotation >= 0 && a.maxRotation <= 90)) throw new Error(`augment: maxRotation must be in [0, 90] degrees, got ${a.maxRotation}`);
    if (!(a.brightness >= 0) || !(a.contrast >= 0 && a.contrast < 1))
      throw new Error(`augment: brightness must be >= 0 and contrast in [0, 1), got ${a.brightness} and ${a.contrast}`);
    return x;
  },
});

/** Augments a batch with the options given (others off); `step` is the [1] step counter. */
export function augment(x: Tensor, step: Tensor, options: Partial<AugmentAttrs>): Tensor {
  return runOp(augmentOp, [x, step], { ...AUGMENT_DEFAULTS, ...options });
}
