import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { defineOp, runOp } from './op';

/** How many views of each image: 10 (corners, centre and their mirrors), 5 (no mirrors), 2 (centre and its mirror), 1 (centre). */
export type TenCropViews = 1 | 2 | 5 | 10;

/**
 * The fixed crops of test-time augmentation (Zeiler and Fergus's "10 crops", torchvision's
 * TenCrop): from each image, padded by `padding` zeros on each side, crops of
 * height x width at the top-left, top-right, bottom-left and bottom-right corners and the
 * centre (offset floor((H + 2p - height) / 2)), then the same five mirrored left-right.
 */
export interface TenCropAttrs {
  [key: string]: unknown;
  readonly height: number;
  readonly width: number;
  readonly padding: number;
  readonly views: TenCropViews;
}

export const TEN_CROP_VIEWS: readonly TenCropViews[] = [1, 2, 5, 10];

/** Where view k of `views` is cut from an h x w image (padded coordinates minus the padding) and whether it is mirrored. */
export function tenCropView(a: TenCropAttrs, k: number, h: number, w: number): { top: number; left: number; mirrored: boolean } {
  const position = a.views === 10 ? k % 5 : a.views === 5 ? k : 4;
  const mirrored = a.views === 10 ? k >= 5 : a.views === 2 && k === 1;
  const dy = h + 2 * a.padding - a.height;
  const dx = w + 2 * a.padding - a.width;
  const top = [0, 0, dy, dy, Math.floor(dy / 2)][position] - a.padding;
  const left = [0, dx, 0, dx, Math.floor(dx / 2)][position] - a.padding;
  return { top, left, mirrored };
}

/** [N, C, H, W] -> [N * views, C, height, width]: image n's view k is row n * views + k. */
export const tenCropOp = defineOp<TenCropAttrs>({
  name: 'ten_crop',
  inputs: 1,
  inferShape([x], a) {
    if (x.length !== 4) throw new Error(`ten_crop: input must be NCHW (rank 4), got ${formatShape(x)}`);
    if (!TEN_CROP_VIEWS.includes(a.views)) throw new Error(`ten_crop: views must be 1, 2, 5 or 10, got ${a.views}`);
    if (!Number.isInteger(a.padding) || a.padding < 0) throw new Error(`ten_crop: padding must be a whole number >= 0, got ${a.padding}`);
    for (const [k, size] of [
      ['height', x[2]],
      ['width', x[3]],
    ] as const) {
      if (!Number.isInteger(a[k]) || a[k] < 1 || a[k] > size + 2 * a.padding) {
        throw new Error(
          `ten_crop: ${k} must be a whole number from 1 to the padded image's ${size + 2 * a.padding}, got ${a[k]} (input ${formatShape(x)}, padding ${a.padding})`,
        );
      }
    }
    return [x[0] * a.views, x[1], a.height, a.width];
  },
});

/** The views of every image of an NCHW batch (see TenCropAttrs); options default to 10 views, no padding. */
export function tenCrop(x: Tensor, options: { height: number; width: number; padding?: number; views?: TenCropViews }): Tensor {
  return runOp(tenCropOp, [x], { padding: 0, views: 10, ...options });
}
