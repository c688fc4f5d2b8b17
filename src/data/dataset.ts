import { formatShape, sizeOf, type Shape } from '../shape';
import { Random } from '../random';

/**
 * Images (float32, NCHW, already normalised) with integer class labels, and for losses
 * of per-value targets (regression, multi-label, per-pixel maps) `targets` of
 * `targetShape` per example (then `labels` may be empty).
 */
export interface Dataset {
  readonly images: Float32Array;
  readonly labels: Uint8Array;
  /** Shape of one example, e.g. [1, 28, 28]. */
  readonly shape: Shape;
  readonly classes: number;
  readonly count: number;
  /** count x sizeOf(targetShape) values, row-major: what mse, l1 and binary cross-entropy learn. */
  readonly targets?: Float32Array;
  readonly targetShape?: Shape;
}

/** Checks sizes and labels, naming the dataset and the offending index. */
export function checkDataset(name: string, d: Dataset): Dataset {
  const per = sizeOf(d.shape);
  if (d.images.length !== d.count * per)
    throw new Error(`${name}: ${d.images.length} values for ${d.count} images of ${formatShape(d.shape)} (need ${d.count * per})`);
  if (d.labels.length !== d.count && !(d.targets && d.labels.length === 0)) throw new Error(`${name}: ${d.labels.length} labels for ${d.count} images`);
  for (let i = 0; i < d.labels.length; i++) {
    if (d.labels[i] >= d.classes) throw new Error(`${name}: label ${d.labels[i]} at index ${i} is not a class in [0, ${d.classes})`);
  }
  checkFinite(name, 'image', d.images, per);
  if (d.targets) checkFinite(name, 'target', d.targets, sizeOf(d.targetShape ?? []));
  return d;
}

/** Arrays already found finite: a dataset is scanned once, not at every fit. */
const finiteArrays = new WeakSet<Float32Array>();

/**
 * Refuses NaN and infinities on the host, before a step runs: on the GPU they would
 * only show up as a NaN loss (or, through a max, not at all).
 */
function checkFinite(name: string, what: string, values: Float32Array, per: number): void {
  if (finiteArrays.has(values)) return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) {
      const example = Math.floor(i / Math.max(per, 1));
      throw new Error(
        `${name}: ${what} ${example} holds ${v} at value ${i - example * per} (of ${per}); the data must be finite numbers (check the file or the normalisation)`,
      );
    }
  }
  finiteArrays.add(values);
}

/** The first `count` examples (a view, no copy). */
export function take(d: Dataset, count: number): Dataset {
  const n = Math.min(count, d.count);
  const per = sizeOf(d.shape);
  const targets = d.targets?.subarray(0, n * sizeOf(d.targetShape ?? []));
  return { ...d, images: d.images.subarray(0, n * per), labels: d.labels.subarray(0, n), count: n, ...(targets ? { targets } : {}) };
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
    labels[i] = d.labels.length > 0 ? d.labels[k] : 0;
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

/** The examples at `indices`, in that order, with their labels mapped by `relabel` (a copy). */
function gather(d: Dataset, indices: ArrayLike<number>, classes: number, relabel: (label: number) => number = (l) => l): Dataset {
  const per = sizeOf(d.shape);
  const images = new Float32Array(indices.length * per);
  const labels = new Uint8Array(d.labels.length > 0 ? indices.length : 0);
  const tPer = sizeOf(d.targetShape ?? []);
  const targets = d.targets ? new Float32Array(indices.length * tPer) : undefined;
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    images.set(d.images.subarray(k * per, (k + 1) * per), i * per);
    if (labels.length > 0) labels[i] = relabel(d.labels[k]);
    targets?.set(d.targets!.subarray(k * tPer, (k + 1) * tPer), i * tPer);
  }
  return { images, labels, shape: d.shape, classes, count: indices.length, ...(targets ? { targets, targetShape: d.targetShape } : {}) };
}

/**
 * The examples of the given classes, relabelled 0..classes.length-1 in the order given
 * (Fashion-MNIST's 5-9 become 0-4): a copy. A transfer experiment's source and target tasks.
 */
export function selectClasses(d: Dataset, classes: readonly number[]): Dataset {
  const map = new Map(classes.map((c, i) => [c, i]));
  if (map.size !== classes.length) throw new Error(`selectClasses: classes ${classes.join(', ')} repeat one`);
  for (const c of classes)
    if (!Number.isInteger(c) || c < 0 || c >= d.classes) throw new Error(`selectClasses: ${c} is not a class of the dataset (0..${d.classes - 1})`);
  const indices: number[] = [];
  for (let i = 0; i < d.count; i++) if (map.has(d.labels[i])) indices.push(i);
  return gather(d, indices, classes.length, (l) => map.get(l)!);
}

/**
 * `count` examples (all of them when there are fewer) drawn by a seeded shuffle, a copy:
 * a sample of a data set whatever its order (an image folder's comes class by class).
 */
export function sampleExamples(d: Dataset, count: number, seed: number): Dataset {
  return gather(d, shuffledIndices(d.count, seed).subarray(0, Math.min(count, d.count)), d.classes);
}

/**
 * `perClass` examples of every class, drawn by a seeded shuffle and interleaved class by
 * class (a copy): the few labelled images of a transfer experiment. Throws naming the
 * class when it has fewer.
 */
export function samplePerClass(d: Dataset, perClass: number, seed: number): Dataset {
  if (!Number.isInteger(perClass) || perClass <= 0) throw new Error(`samplePerClass: perClass must be a positive integer, got ${perClass}`);
  const byClass: number[][] = Array.from({ length: d.classes }, () => []);
  for (const i of shuffledIndices(d.count, seed)) if (byClass[d.labels[i]].length < perClass) byClass[d.labels[i]].push(i);
  const short = byClass.findIndex((list) => list.length < perClass);
  if (short >= 0) throw new Error(`samplePerClass: class ${short} has ${byClass[short].length} examples, fewer than ${perClass}`);
  const indices = Array.from({ length: perClass * d.classes }, (_, i) => byClass[i % d.classes][Math.floor(i / d.classes)]);
  return gather(d, indices, d.classes);
}

/**
 * A held-out validation set: `fraction` of the examples, drawn by a seeded shuffle; the
 * rest train. Both are copies, so the split is the same on every run with the seed.
 */
export function splitValidation(d: Dataset, fraction: number, seed: number): { train: Dataset; validation: Dataset } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`splitValidation: fraction must be in (0, 1), got ${fraction}`);
  const order = shuffledIndices(d.count, seed);
  const held = Math.round(d.count * fraction);
  if (held === 0 || held === d.count) throw new Error(`splitValidation: ${fraction} of ${d.count} examples leaves an empty side`);
  return { train: gather(d, order.subarray(held), d.classes), validation: gather(d, order.subarray(0, held), d.classes) };
}
