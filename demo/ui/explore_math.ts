// The Explore page's arithmetic, apart from the page so Node tests can pin it: the
// hand-made filters of the lecture decks, typed kernels, the output-size formula with
// its numbers filled in, and the decks' toy 5x5 example.
import { windowOutputSize } from '../../src/ops/conv2d';

/** A kernel as rows of numbers (height x width, row-major). */
export interface Kernel {
  height: number;
  width: number;
  values: number[];
}

const kernel = (rows: number[][], divide = 1): Kernel => ({ height: rows.length, width: rows[0].length, values: rows.flat().map((v) => v / divide) });

/**
 * The decks' filters (seeds 001 and 002): sharpen, the Sobel pair, blurs and the
 * Laplacian. The page's conv2d is a cross-correlation, as in every CNN layer (the kernel
 * is not flipped), so Sobel x is positive where the image gets brighter to the right.
 */
export const FILTERS: Readonly<Record<string, { label: string; kernel: Kernel }>> = {
  sharpen: {
    label: 'sharpen',
    kernel: kernel([
      [0, -1, 0],
      [-1, 5, -1],
      [0, -1, 0],
    ]),
  },
  'sobel-x': {
    label: 'Sobel x (vertical edges)',
    kernel: kernel([
      [-1, 0, 1],
      [-2, 0, 2],
      [-1, 0, 1],
    ]),
  },
  'sobel-y': {
    label: 'Sobel y (horizontal edges)',
    kernel: kernel([
      [-1, -2, -1],
      [0, 0, 0],
      [1, 2, 1],
    ]),
  },
  'box-blur': {
    label: 'box blur 3x3',
    kernel: kernel(
      [
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
      9,
    ),
  },
  'gaussian-blur': {
    label: 'Gaussian blur 5x5',
    kernel: kernel(
      [
        [1, 4, 6, 4, 1],
        [4, 16, 24, 16, 4],
        [6, 24, 36, 24, 6],
        [4, 16, 24, 16, 4],
        [1, 4, 6, 4, 1],
      ],
      256,
    ),
  },
  laplacian: {
    label: 'Laplacian',
    kernel: kernel([
      [0, -1, 0],
      [-1, 4, -1],
      [0, -1, 0],
    ]),
  },
  toy: {
    label: "the 5x5 example's kernel",
    kernel: kernel([
      [1, 0, 1],
      [0, 1, 0],
      [1, 0, 1],
    ]),
  },
};

/**
 * The decks' toy example (seed 001, "Convolved Feature"): a binary 5x5 image, the 3x3
 * kernel [[1,0,1],[0,1,0],[1,0,1]] (its x1/x0 subscripts), and the 3x3 feature map it
 * makes at stride 1 without padding. The deck shows its first value, 4; the rest are the
 * same sums over the other eight windows.
 */
export const TOY = {
  input: [
    [1, 1, 1, 0, 0],
    [0, 1, 1, 1, 0],
    [0, 0, 1, 1, 1],
    [0, 0, 1, 1, 0],
    [0, 1, 1, 0, 0],
  ],
  kernel: [
    [1, 0, 1],
    [0, 1, 0],
    [1, 0, 1],
  ],
  output: [
    [4, 3, 4],
    [2, 4, 3],
    [2, 3, 4],
  ],
} as const;

/** Writes a kernel as the page's text box shows it: one row a line, numbers separated by spaces. */
export function formatKernel(k: Kernel): string {
  const rows: string[] = [];
  for (let r = 0; r < k.height; r++)
    rows.push(
      k.values
        .slice(r * k.width, (r + 1) * k.width)
        .map((v) => String(Number(v.toPrecision(6))))
        .join(' '),
    );
  return rows.join('\n');
}

/**
 * Reads a typed kernel: one row a line, numbers separated by spaces, commas or tabs;
 * fractions like 1/9 allowed. Throws a message for the page when rows differ in length,
 * a value is not a number, or the kernel is empty or over 15x15.
 */
export function parseKernel(text: string): Kernel {
  const rows = text
    .trim()
    .split(/\n|;/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line, r) =>
      line
        .replace(/[[\]]/g, ' ')
        .split(/[\s,]+/)
        .filter((s) => s.length > 0)
        .map((s) => {
          const [num, den] = s.split('/');
          const v = den === undefined ? Number(num) : Number(num) / Number(den);
          if (!Number.isFinite(v)) throw new Error(`row ${r + 1}: "${s}" is not a number`);
          return v;
        }),
    )
    .filter((row) => row.length > 0);
  if (rows.length === 0) throw new Error('type a kernel: one row a line, e.g. "0 -1 0"');
  const width = rows[0].length;
  const bad = rows.findIndex((row) => row.length !== width);
  if (bad >= 0) throw new Error(`row ${bad + 1} has ${rows[bad].length} numbers, row 1 has ${width}: every row needs the same count`);
  if (rows.length > 15 || width > 15) throw new Error(`a ${rows.length}x${width} kernel is over 15x15`);
  return { height: rows.length, width, values: rows.flat() };
}

/** One axis of a convolution: input size, kernel size, stride, padding (each side), dilation. */
export interface Axis {
  input: number;
  kernel: number;
  stride: number;
  padding: number;
  dilation: number;
}

/** The axis's output size by the engine's own rule (windowOutputSize), 0 or less when no window fits. */
export const outputSize = (a: Axis) => windowOutputSize(a.input, a.kernel, a.stride, a.padding, a.padding, a.dilation);

/**
 * The output-size formula with this axis's numbers in it, as the decks write it:
 * "⌊(28 + 2·1 − 1·(3 − 1) − 1) / 1⌋ + 1 = ⌊27 / 1⌋ + 1 = 28" (⌊⌋: rounded down).
 */
export function formulaText(a: Axis): string {
  const top = a.input + 2 * a.padding - a.dilation * (a.kernel - 1) - 1;
  return `⌊(${a.input} + 2·${a.padding} − ${a.dilation}·(${a.kernel} − 1) − 1) / ${a.stride}⌋ + 1 = ⌊${top} / ${a.stride}⌋ + 1 = ${outputSize(a)}`;
}

/** Checks stride, padding and dilation as the page's fields give them: whole numbers, stride and dilation at least 1. */
export function checkSettings(s: { stride: number; padding: number; dilation: number }): string | null {
  if (!Number.isInteger(s.stride) || s.stride < 1 || s.stride > 16) return 'stride is a whole number from 1 to 16';
  if (!Number.isInteger(s.padding) || s.padding < 0 || s.padding > 16) return 'padding is a whole number from 0 to 16';
  if (!Number.isInteger(s.dilation) || s.dilation < 1 || s.dilation > 8) return 'dilation is a whole number from 1 to 8';
  return null;
}
