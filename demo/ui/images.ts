// Draws tensors as pictures: dataset images, first-layer filters, activation maps.

/** Grey (1 channel) or RGB (3 channels, CHW) pixels of one image, scaled to its own range, on a new canvas. */
export function imageCanvas(
  data: ArrayLike<number>,
  channels: number,
  height: number,
  width: number,
  scale: number,
  range?: readonly [number, number],
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width * scale;
  canvas.height = height * scale;
  const ctx = canvas.getContext('2d')!;
  const plane = height * width;
  // The image's own range unless the caller shares one across several images.
  let [lo, hi] = range ?? [Infinity, -Infinity];
  for (let i = 0; !range && i < channels * plane; i++) {
    lo = Math.min(lo, data[i]);
    hi = Math.max(hi, data[i]);
  }
  const span = hi - lo || 1;
  const pixels = ctx.createImageData(width, height);
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < 3; k++) {
      const c = channels === 3 ? k : 0;
      pixels.data[p * 4 + k] = Math.round(((data[c * plane + p] - lo) / span) * 255);
    }
    pixels.data[p * 4 + 3] = 255;
  }
  // Draw at 1:1, then scale up without smoothing so pixels stay square.
  const small = document.createElement('canvas');
  small.width = width;
  small.height = height;
  small.getContext('2d')!.putImageData(pixels, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, width * scale, height * scale);
  return canvas;
}

/**
 * Every channel of a [C, H, W] tensor (one image's activations, or a filter bank
 * [O, I, KH, KW] shown by its first input channel) as a row of small images.
 */
export function channelGrid(target: HTMLElement, data: Float32Array, shape: readonly number[], scale: number, caption: string): void {
  target.replaceChildren();
  const [count, inner, h, w] = shape.length === 4 ? shape : [shape[0], 1, shape[1], shape[2]];
  const per = inner * h * w;
  const figure = document.createElement('figure');
  for (let i = 0; i < count; i++) {
    const c = imageCanvas(data.subarray(i * per, i * per + h * w), 1, h, w, scale);
    c.title = `${caption} ${i}`;
    figure.append(c);
  }
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  figure.append(cap);
  target.append(figure);
}
