import { AUGMENT_DEFAULTS } from '../../src/ops/augment';
import type { ParityCase, ParityTable } from '../helpers/parity';

const img = (n: number, c: number, h: number, w: number) => ({ shape: [n, c, h, w], range: [0, 1] as [number, number] });
const step = (s: number) => ({ shape: [1], values: [s] });
const aug = (name: string, shape: number[], s: number, attrs: Record<string, number>, ulpsExtra = 0): ParityCase => ({
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
  ],
};
