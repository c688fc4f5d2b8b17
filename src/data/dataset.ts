import { formatShape, sizeOf, type Shape } from '../shape';
import { Random } from '../random';

/** Images (float32, NCHW, already normalised) with integer class labels. */
export interface Dataset {
  readonly images: Float32Array;
  readonly labels: Uint8Array;
  /** Shape of one example, e.g. [1, 28, 28]. */
  readonly shape: Shape;
  readonly classes: number;
  readonly count: number;
}

/** Checks sizes and labels, naming the dataset and the offending index. */
export function checkDataset(name: string, d: Dataset): Dataset {
  const per = sizeOf(d.shape);
  if (d.images.length !== d.count * per) throw new Error(`${name}: ${d.images.length} values for ${d.count} images of ${formatShape(d.shape)} (need ${d.count * per})`);
  if (d.labels.length !== d.count) throw new Error(`${name}: ${d.labels.length} labels for ${d.count} images`);
  for (let i = 0; i < d.count; i++) {
    if (d.labels[i] >= d.classes) throw new Error(`${name}: label ${d.labels[i]} at index ${i} is not a class in [0, ${d.classes})`);
  }
  return d;
}

/** The first `count` examples (a view, no copy). */
export function take(d: Dataset, count: number): Dataset {
  const n = Math.min(count, d.count);
  const per = sizeOf(d.shape);
  return { ...d, images: d.images.subarray(0, n * per), labels: d.labels.subarray(0, n), count: n };
}

/** Per-dataset mean and standard deviation of all values. */
export function meanStd(images: Float32Array): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  for (const v of images) {
    s += v;
    s2 += v * v;
  }
  const mean = s / images.length;
  return { mean, std: Math.sqrt(Math.max(s2 / images.length - mean * mean, 1e-12)) };
}

/** (x - mean) / std in place; returns the array. */
export function normalize(images: Float32Array, mean: number, std: number): Float32Array {
  for (let i = 0; i < images.length; i++) images[i] = (images[i] - mean) / std;
  return images;
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
export function shuffledIndices(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Random(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * Copies the examples `order[start .. start + size)` into reusable batch buffers.
 * Returns how many were real (the rest, past the end, are zero padding).
 */
export function fillBatch(d: Dataset, order: ArrayLike<number>, start: number, x: Float32Array, labels: Float32Array): number {
  const per = sizeOf(d.shape);
  const size = labels.length;
  const real = Math.max(0, Math.min(size, order.length - start));
  for (let i = 0; i < real; i++) {
    const k = order[start + i];
    x.set(d.images.subarray(k * per, (k + 1) * per), i * per);
    labels[i] = d.labels[k];
  }
  x.fill(0, real * per);
  labels.fill(0, real);
  return real;
}

/**
 * The images with `pad` pixels of `value` on every side (a 28x28 set as 32x32, for
 * networks made for CIFAR-sized inputs). Returns a new dataset; labels are shared.
 */
export function padImages(d: Dataset, pad: number, value = 0): Dataset {
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`padImages: pad must be a non-negative integer, got ${pad}`);
  if (pad === 0) return d;
  const [c, h, w] = d.shape;
  const [ph, pw] = [h + 2 * pad, w + 2 * pad];
  const images = new Float32Array(d.count * c * ph * pw).fill(value);
  for (let n = 0; n < d.count; n++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        const from = ((n * c + ch) * h + y) * w;
        images.set(d.images.subarray(from, from + w), ((n * c + ch) * ph + y + pad) * pw + pad);
      }
    }
  }
  return { ...d, images, shape: [c, ph, pw] };
}
