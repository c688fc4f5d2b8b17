import { AUGMENT_DEFAULTS, type AugmentAttrs } from '../../src/ops/augment';
import type { ParityCase, ParityTable } from '../helpers/parity';

const img = (n: number, c: number, h: number, w: number) => ({ shape: [n, c, h, w], range: [0, 1] as [number, number] });
const step = (s: number) => ({ shape: [1], values: [s] });
const aug = (name: string, shape: number[], s: number, attrs: Partial<AugmentAttrs>, ulpsExtra = 0): ParityCase => ({
  name: `augment ${name} x=${shape.join('x')},step=${s}`,
  op: 'augment',
  inputs: [img(shape[0], shape[1], shape[2], shape[3]), step(s)],
  attrs: { ...AUGMENT_DEFAULTS, seed: 17, ...attrs },
  // Bilinear weights and the rotation's coordinates carry float32 rounding.
  reduction: 4,
  ulpsExtra,
});

/** Each augmentation alone, then all together; same seed and step on both backends. */
export const augmentTable: ParityTable = {
  ops: ['augment'],
  cases: [
    aug('identity (all off)', [2, 1, 5, 7], 0, {}),
    aug('flip-h p=0.5', [8, 1, 6, 6], 3, { flipHorizontal: 0.5 }),
    aug('flip-v p=0.5', [8, 3, 5, 4], 9, { flipVertical: 0.5 }),
    aug('shift<=3', [6, 1, 9, 9], 1, { maxShift: 3 }),
    aug('rotation<=30deg', [4, 1, 28, 28], 2, { maxRotation: 30 }, 20),
    aug('rotation<=90deg odd size', [3, 2, 7, 11], 5, { maxRotation: 90 }, 20),
    aug('brightness 0.2 contrast 0.3 pivot 0.5', [5, 3, 4, 4], 4, { brightness: 0.2, contrast: 0.3, pivot: 0.5 }, 1),
    aug('salt-and-pepper p=0.1', [4, 1, 10, 10], 6, { saltPepper: 0.1, noiseLow: -1, noiseHigh: 2 }),
    aug(
      'everything',
      [16, 1, 28, 28],
      12345,
      { flipHorizontal: 0.5, flipVertical: 0.2, maxShift: 2, maxRotation: 15, brightness: 0.1, contrast: 0.2, saltPepper: 0.02 },
      20,
    ),
    // Crops: a random window of a larger image, the CIFAR recipe (pad, crop, mirror), the resized crop.
    aug('window 7x9 of 10x12', [6, 3, 10, 12], 8, { outputHeight: 7, outputWidth: 9 }),
    aug('pad 2 + crop + flip-h', [8, 3, 8, 8], 21, { padding: 2, flipHorizontal: 0.5 }),
    aug('pad 3 + window 9x9 of 8x10', [5, 1, 8, 10], 4, { padding: 3, outputHeight: 9, outputWidth: 9 }),
    aug('resized crop scale 0.08-1 to 12x12', [8, 3, 20, 16], 3, { cropScale: [0.08, 1], outputHeight: 12, outputWidth: 12 }, 20),
    aug('resized crop scale 0.3-1 ratio 1/2-2 same size', [8, 1, 9, 13], 77, { cropScale: [0.3, 1], cropRatio: [0.5, 2] }, 20),
    aug('resized crop upscale to 20x18', [4, 2, 8, 7], 5, { cropScale: [0.2, 0.6], outputHeight: 20, outputWidth: 18 }, 20),
    aug('resized crop falls back (ratio 3-4 on a square)', [3, 1, 10, 10], 2, { cropScale: [0.9, 1], cropRatio: [3, 4] }, 20),
    aug('resized crop falls back (ratio 1/4-1/3 on a wide image)', [3, 1, 9, 16], 2, { cropScale: [0.9, 1], cropRatio: [0.25, 1 / 3] }, 20),
    aug('zoom 0.3', [6, 1, 12, 12], 9, { zoom: 0.3 }, 20),
    aug('zoom 0.2 rotation<=20deg odd size', [4, 2, 9, 7], 10, { zoom: 0.2, maxRotation: 20 }, 20),
    aug('per-channel brightness 0.3 contrast 0.4', [5, 3, 4, 4], 4, { perChannel: true, brightness: 0.3, contrast: 0.4, pivot: 0.5 }, 1),
    aug('per-channel brightness 2 channels', [3, 2, 3, 5], 6, { perChannel: true, brightness: 0.5 }, 1),
    aug('saturation 0.8', [6, 3, 5, 6], 13, { saturation: 0.8 }, 1),
    aug(
      'everything RGB',
      [8, 3, 24, 20],
      999,
      {
        cropScale: [0.25, 1],
        outputHeight: 16,
        outputWidth: 16,
        flipHorizontal: 0.5,
        flipVertical: 0.2,
        maxShift: 1,
        maxRotation: 10,
        zoom: 0.1,
        perChannel: true,
        brightness: 0.1,
        contrast: 0.2,
        saturation: 0.4,
        pivot: 0.5,
        saltPepper: 0.02,
      },
      20,
    ),
  ],
};
