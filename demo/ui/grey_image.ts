// Image files as small grey images in [0, 1], the form the demo's networks and filters take.

export interface GreyImage {
  height: number;
  width: number;
  /** height x width values in [0, 1], row by row. */
  data: Float32Array;
}

/**
 * Decodes an image file (PNG, JPEG, WebP, GIF, BMP) to grey. `square`: fitted into a
 * square of that size, centred on black (Fashion-MNIST's light objects on black);
 * `max`: scaled so its longer side is at most that, keeping its shape. `invert` turns
 * dark-on-light images into light-on-dark.
 */
export async function greyImage(file: Blob, options: { square?: number; max?: number; invert?: boolean }): Promise<GreyImage> {
  const bitmap = await createImageBitmap(file);
  let width: number;
  let height: number;
  if (options.square) {
    width = height = options.square;
  } else {
    const s = Math.min(1, (options.max ?? 96) / Math.max(bitmap.width, bitmap.height));
    width = Math.max(1, Math.round(bitmap.width * s));
    height = Math.max(1, Math.round(bitmap.height * s));
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = options.invert ? '#fff' : '#000';
  ctx.fillRect(0, 0, width, height);
  const s = Math.min(width / bitmap.width, height / bitmap.height);
  ctx.drawImage(bitmap, (width - bitmap.width * s) / 2, (height - bitmap.height * s) / 2, bitmap.width * s, bitmap.height * s);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const v = (0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2]) / 255;
    data[i] = options.invert ? 1 - v : v;
  }
  return { height, width, data };
}
