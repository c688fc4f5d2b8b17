import type { ParityCase, ParityTable } from '../helpers/parity';

const crop = (x: number[], height: number, width: number, padding: number, views: number): ParityCase => ({
  name: `ten_crop x=${x.join('x')},crop=${height}x${width},pad=${padding},views=${views}`,
  op: 'ten_crop',
  inputs: [{ shape: x }],
  attrs: { height, width, padding, views },
});

/** Larger images (torchvision's TenCrop), padded images of the crop's size (the CIFAR form), odd margins, every view count. */
export const tenCropTable: ParityTable = {
  ops: ['ten_crop'],
  cases: [
    crop([2, 3, 8, 10], 5, 6, 0, 10),
    crop([3, 1, 7, 7], 4, 4, 0, 10),
    crop([2, 2, 6, 6], 6, 6, 2, 10),
    crop([2, 3, 5, 4], 5, 4, 1, 5),
    crop([3, 1, 9, 6], 4, 5, 0, 2),
    crop([2, 3, 9, 8], 6, 5, 0, 1),
    crop([1, 1, 1, 1], 1, 1, 0, 10),
    crop([4, 3, 6, 6], 6, 6, 0, 2),
  ],
};
