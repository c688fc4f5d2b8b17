// PNG files for the end-to-end tests: what a visitor's image files would be, made from
// dataset pixels (the writer is the reports', tools/cli/png.mjs).
import { encodePng } from '../../tools/cli/png.mjs';

/** `pixels` are width x height grey bytes, row by row. */
export function greyPng(pixels: Uint8Array, width: number, height: number): Buffer {
  return encodePng(pixels, width, height, 1);
}
