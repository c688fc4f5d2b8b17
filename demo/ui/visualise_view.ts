// The Visualise page's pictures: grey images, DeConvNet projections on a diverging map,
// saliency as a heat map, label maps in the segmentation palette, and 3x3 grids of them.
// Canvases are drawn at their data's own size and enlarged by CSS without smoothing.
import { labelColour } from '../../src/data/segmentation_palette';

/** A canvas of `height` x `width` pixels from [r, g, b] per pixel, shown `px` wide (pixelated). */
function rgbCanvas(height: number, width: number, px: number, colour: (i: number) => readonly [number, number, number]): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const pixels = ctx.createImageData(width, height);
  for (let i = 0; i < height * width; i++) {
    const [r, g, b] = colour(i);
    pixels.data.set([r, g, b, 255], i * 4);
  }
  ctx.putImageData(pixels, 0, 0);
  canvas.style.width = `${px}px`;
  canvas.style.height = `${Math.round((px * height) / width)}px`;
  canvas.style.imageRendering = 'pixelated';
  return canvas;
}

/** Grey pixels scaled to `range` (default: the image's own range), black low, white high. */
export function greyCanvas(data: ArrayLike<number>, height: number, width: number, px: number, range?: readonly [number, number]): HTMLCanvasElement {
  let [lo, hi] = range ?? [Infinity, -Infinity];
  for (let i = 0; !range && i < height * width; i++) [lo, hi] = [Math.min(lo, data[i]), Math.max(hi, data[i])];
  const span = hi - lo || 1;
  return rgbCanvas(height, width, px, (i) => {
    const v = Math.round(Math.min(1, Math.max(0, (data[i] - lo) / span)) * 255);
    return [v, v, v];
  });
}

/**
 * Signed values on a diverging map scaled to the largest magnitude: white at zero, red
 * positive, blue negative (a projection's sign says which way it pushes the unit).
 */
export function divergingCanvas(data: ArrayLike<number>, height: number, width: number, px: number): HTMLCanvasElement {
  let m = 0;
  for (let i = 0; i < height * width; i++) m = Math.max(m, Math.abs(data[i]));
  return rgbCanvas(height, width, px, (i) => {
    const t = m > 0 ? data[i] / m : 0;
    const fade = Math.round(255 * (1 - Math.abs(t)));
    return t >= 0 ? [255, fade, fade] : [fade, fade, 255];
  });
}

/** Magnitudes as heat: white at zero through orange to dark red at the largest. */
export function heatCanvas(data: ArrayLike<number>, height: number, width: number, px: number): HTMLCanvasElement {
  let m = 0;
  for (let i = 0; i < height * width; i++) m = Math.max(m, data[i]);
  return rgbCanvas(height, width, px, (i) => {
    const t = m > 0 ? Math.min(1, data[i] / m) : 0;
    return [Math.round(255 - 115 * t), Math.round(255 * (1 - t) ** 1.5), Math.round(255 * (1 - t) ** 3)];
  });
}

/** A label map in the segmentation palette. */
export const labelCanvas = (labels: ArrayLike<number>, height: number, width: number, px: number) =>
  rgbCanvas(height, width, px, (i) => labelColour(labels[i]));

/** A figure of canvases in a 3-column grid, with a caption. */
export function grid(canvases: HTMLElement[], caption: string, className = 'grid3'): HTMLElement {
  const figure = document.createElement('figure');
  const cells = document.createElement('div');
  cells.className = className;
  cells.append(...canvases);
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  figure.append(cells, cap);
  return figure;
}

/** One swatch and name per label, background first. */
export function legend(names: readonly string[]): HTMLElement {
  const list = document.createElement('div');
  list.className = 'legend';
  names.forEach((name, k) => {
    const item = document.createElement('span');
    const swatch = document.createElement('i');
    const [r, g, b] = labelColour(k);
    swatch.style.background = `rgb(${r},${g},${b})`;
    item.append(swatch, `${k}: ${name}`);
    list.append(item);
  });
  return list;
}
