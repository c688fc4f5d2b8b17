// What the Explore page draws: value maps (grey, or blue-white-red where values have both
// signs), tables of numbers, and captioned figures.

/** A map's colouring: 'grey' over its own range, 'signed' with white at 0, or a fixed [lo, hi] grey range. */
export type MapRange = 'auto' | 'signed' | readonly [number, number];

/** The extent of a map's values. */
export function extent(data: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    lo = Math.min(lo, data[i]);
    hi = Math.max(hi, data[i]);
  }
  return [lo, hi];
}

/**
 * A height x width map drawn `scale` pixels a value. 'auto' is grey over the map's own
 * range unless it holds values of both signs; then, as 'signed', negative values are blue,
 * positive red and zero white, each side scaled by the largest magnitude.
 */
export function mapCanvas(data: ArrayLike<number>, height: number, width: number, scale: number, range: MapRange = 'auto'): HTMLCanvasElement {
  const [lo, hi] = extent(data);
  const signed = range === 'signed' || (range === 'auto' && lo < -1e-6 && hi > 1e-6);
  const pixels = new ImageData(width, height);
  const [glo, ghi] = Array.isArray(range) ? range : [lo, hi];
  const span = ghi - glo || 1;
  const big = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  for (let p = 0; p < height * width; p++) {
    const v = data[p];
    let rgb: [number, number, number];
    if (signed) {
      const t = Math.min(1, Math.abs(v) / big);
      const fade = Math.round(255 * (1 - t));
      rgb = v >= 0 ? [255, fade, fade] : [fade, fade, 255];
    } else {
      const g = Math.round(Math.min(1, Math.max(0, (v - glo) / span)) * 255);
      rgb = [g, g, g];
    }
    pixels.data.set([...rgb, 255], p * 4);
  }
  const small = document.createElement('canvas');
  small.width = width;
  small.height = height;
  small.getContext('2d')!.putImageData(pixels, 0, 0);
  const canvas = document.createElement('canvas');
  canvas.width = width * scale;
  canvas.height = height * scale;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/** Pixels a value so a map is about `target` pixels on its longer side (at least 1). */
export const scaleFor = (height: number, width: number, target = 196) => Math.max(1, Math.floor(target / Math.max(height, width)));

/** A short number for a table cell or caption: integers as they are, others to 3 significant digits. */
export const short = (v: number) => (Number.isInteger(v) ? String(v) : Number(v.toPrecision(3)).toString());

/** Rows of numbers as a small table (class "numbers"); `mark` gives a cell a class. */
export function numberTable(rows: readonly (readonly number[])[], mark?: (r: number, c: number) => string | undefined): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'numbers';
  rows.forEach((row, r) => {
    const tr = table.insertRow();
    row.forEach((v, c) => {
      const td = tr.insertCell();
      td.textContent = short(v);
      const cls = mark?.(r, c);
      if (cls) td.className = cls;
    });
  });
  return table;
}

/** A figure of `content` over a caption. */
export function figure(content: HTMLElement, caption: string): HTMLElement {
  const f = document.createElement('figure');
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  f.append(content, cap);
  return f;
}

/** A flat row-major array as rows of `width`. */
export function rowsOf(values: ArrayLike<number>, height: number, width: number): number[][] {
  return Array.from({ length: height }, (_, r) => Array.from({ length: width }, (_, c) => values[r * width + c]));
}
