// A folder of images with one subfolder per class (`cats/001.jpg`, `dogs/...`), as the
// two data sets the engine trains on: RGB images at a square size, normalised per
// channel. The folder is decoded once; training takes random crops of the cached
// decodes each epoch (`randomCrops()`), validation their centres. Files are listed by
// the caller (the browser's picked files, Node's disk: src/node_image_folder.ts) and
// decoded by the platform (image_decode.ts): this module only organises and checks.
import { Random } from '../random';
import type { Dataset } from './dataset';
import { BadImageError, type ImageHeader, MIN_IMAGE_SIDE, readImageHeader } from './image_header';
import { organiseFolder } from './image_folder_files';

/** The files of a folder: relative '/'-separated paths, and a reader. */
export interface ImageFolderSource {
  /** What messages call the folder (its path). */
  name: string;
  /** Every file under it, relative to it. */
  files: readonly string[];
  /** Its sub-folders, relative (so a class folder with no files is seen); optional. */
  folders?: readonly string[];
  read(path: string): Promise<Uint8Array>;
}

/**
 * Decodes one image and returns RGBA bytes of `size` x `size` pixels: the image's centred
 * square (as long as its shorter side) resized to `size`. Throws when the bytes do not decode.
 */
export type ImageDecoder = (bytes: Uint8Array, header: ImageHeader, size: number) => Promise<Uint8Array | Uint8ClampedArray>;

export interface ImageFolderProgress {
  /** Files read so far (decoded or bad), of `total`. */
  done: number;
  total: number;
  decoded: number;
  errors: number;
  perSecond: number;
  /** The last file read. */
  path: string;
}

export interface ImageFolderOptions {
  /** Side of the square images the model takes (its input's height and width). */
  size: number;
  /**
   * Pixels of margin around the centre crop: each image is resized so its shorter side is
   * `size + 2 * cropMargin` and cached; validation takes its centre, training random
   * `size` x `size` crops of it. Default 0: the whole centred square, resized to `size`
   * (nothing of a tightly framed object is cut off, and square images get no random crops;
   * the trainer's `augment` adds them on the GPU). round(size / 14) is ImageNet's recipe
   * (224 from 256), which cut 0.03 off two-epoch validation accuracy on Fashion-MNIST folders.
   */
  cropMargin?: number;
  /** Share of each class held out for validation when the folder has no train/ and val/ (default 0.2). */
  validation?: number;
  /** The seeded split and the random crops (default 1). */
  seed?: number;
  /** Per-channel mean and standard deviation of the 0..1 values (default: the training images'). */
  mean?: readonly number[];
  std?: readonly number[];
  /** Any bad file is an error, not a skip (default false). */
  strict?: boolean;
  /** Smallest width and height taken (default 8). */
  minSide?: number;
  /** Called as files are read (at most every 100 ms, and at the end). */
  onProgress?: (p: ImageFolderProgress) => void;
  /** Decodes one file (default: the platform's: createImageBitmap in the browser, Skia in Node). */
  decoder?: ImageDecoder;
  /** Files read at once (default 8). */
  concurrency?: number;
}

/** A file or folder skipped, and why. */
export interface BadFile {
  path: string;
  reason: string;
}

export interface ImageFolder {
  /** Images [3, size, size], normalised; `images` is rewritten by each epoch's random crops. */
  train: Dataset;
  /** Centre crops, normalised with the training statistics. */
  validation: Dataset;
  /** The class folders' names, in label order (sorted). */
  classNames: string[];
  /** Each example's file, relative to the folder, in the order of `train` and `validation` (to name a misclassified image). */
  paths: { train: string[]; validation: string[] };
  mean: [number, number, number];
  std: [number, number, number];
  /** Whether the split came from train/ and val/ folders or from the seed. */
  split: 'folders' | 'seeded';
  /** Unusable files (and class folders without a usable image), skipped. */
  bad: BadFile[];
  /** Files that are not images by their name (README.txt), and files outside a class folder. */
  ignored: BadFile[];
  /** Decodes done: every image once, however many epochs follow. */
  decodes: number;
  seconds: number;
  /** Writes epoch `epoch`'s random crops (seeded by the seed and epoch alone) into train.images. */
  cropTrain(epoch: number): void;
  /** A fit callback (Trainer.fit's `callbacks`) that takes new random crops before every epoch. */
  randomCrops(): { onEpochBegin(epoch: number): void };
}

/** A mulberry32 seed from several numbers. */
const mix = (...xs: number[]) => xs.reduce((h, x) => Math.imul(h ^ (x >>> 0), 0x9e3779b1) >>> 0, 0x85ebca6b);

/**
 * Reads an image folder: one subfolder per class, or `train/` and `val/` each holding one
 * per class. Bad files are listed in `bad` and skipped (with `strict`, the first is an
 * error); fewer than two classes with usable images is an error.
 */
export async function loadImageFolder(source: ImageFolderSource, options: ImageFolderOptions): Promise<ImageFolder> {
  const o = checkOptions(options);
  if (!o.decoder) throw new Error('imageFolder: no image decoder (pass options.decoder)');
  const started = performance.now();
  const { entries, classNames: listed, split, empty, ignored } = organiseFolder(source);
  const stored = o.size + 2 * o.cropMargin;
  const per = 3 * stored * stored;
  const pixels: Uint8Array[] = [];
  const labels: number[] = [];
  const sides: ('train' | 'val' | undefined)[] = [];
  const bad: BadFile[] = empty.map((folder) => ({ path: `${source.name}/${folder}`, reason: 'a class folder with no image files (class left out)' }));
  let decodes = 0;
  let done = 0;
  let lastReport = 0;
  const report = (path: string, force = false) => {
    const now = performance.now();
    if (!o.onProgress || (!force && now - lastReport < 100)) return;
    lastReport = now;
    const seconds = Math.max((now - started) / 1000, 1e-3);
    o.onProgress({ done, total: entries.length, decoded: pixels.filter(Boolean).length, errors: bad.length, perSecond: done / seconds, path });
  };
  const decodeOne = async (i: number) => {
    const e = entries[i];
    const path = `${source.name}/${e.path}`;
    try {
      const bytes = await source.read(e.path);
      const header = readImageHeader(bytes, o.minSide);
      let rgba: Uint8Array | Uint8ClampedArray;
      try {
        decodes++;
        rgba = await o.decoder!(bytes, header, stored);
      } catch (err) {
        throw new BadImageError(`does not decode as ${header.format.toUpperCase()} (${(err as Error).message || String(err)})`);
      }
      if (rgba.length !== 4 * stored * stored) throw new Error(`imageFolder: the decoder returned ${rgba.length} bytes for ${stored}x${stored} RGBA`);
      const rgb = new Uint8Array(per);
      const plane = stored * stored;
      for (let p = 0; p < plane; p++) {
        rgb[p] = rgba[4 * p];
        rgb[plane + p] = rgba[4 * p + 1];
        rgb[2 * plane + p] = rgba[4 * p + 2];
      }
      pixels[i] = rgb;
    } catch (err) {
      if (!(err instanceof BadImageError)) throw err;
      bad.push({ path, reason: err.message });
    }
    done++;
    report(path);
  };
  let next = 0;
  const worker = async () => {
    while (next < entries.length) await decodeOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, entries.length) }, worker));
  report(entries.at(-1)?.path ?? '', true);
  // Classes whose every file was bad go too.
  const counts = new Map<string, number>();
  entries.forEach((e, i) => pixels[i] && counts.set(e.className, (counts.get(e.className) ?? 0) + 1));
  for (const name of listed)
    if (!counts.has(name))
      bad.push({ path: `${source.name}/${split === 'folders' ? '*/' : ''}${name}`, reason: 'a class folder with no usable image (class left out)' });
  bad.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (o.strict && bad.length > 0)
    throw new Error(`imageFolder: ${source.name}: ${bad.length} bad file(s) (strict): ${bad.map((b) => `${b.path}: ${b.reason}`).join('; ')}`);
  const classNames = listed.filter((name) => counts.has(name));
  if (classNames.length < 2)
    throw new Error(
      `imageFolder: ${source.name} has ${classNames.length === 0 ? 'no class folder' : `one class folder (${classNames[0]})`} with usable images; a data set needs at least two classes: one subfolder per class, like ${source.name}/cats/001.jpg and ${source.name}/dogs/001.jpg${bad.length ? ` (${bad.length} file(s) were bad: ${bad[0].path}: ${bad[0].reason}${bad.length > 1 ? ', ...' : ''})` : ''}`,
    );
  if (classNames.length > 256) throw new Error(`imageFolder: ${source.name} has ${classNames.length} classes; at most 256 are supported`);
  const label = new Map(classNames.map((name, k) => [name, k]));
  const kept: number[] = [];
  entries.forEach((e, i) => {
    if (!pixels[i]) return;
    kept.push(i);
    labels[i] = label.get(e.className)!;
    sides[i] = e.split;
  });
  const { trainIdx, valIdx } = split === 'folders' ? splitByFolder(kept, sides) : splitSeeded(kept, labels, classNames.length, o.validation, o.seed);
  if (trainIdx.length === 0) throw new Error(`imageFolder: ${source.name}: no usable training images`);
  const mean = (o.mean ?? channelMeans(trainIdx, pixels, stored, o.size, o.cropMargin)) as [number, number, number];
  const std = (o.std ?? channelStds(trainIdx, pixels, stored, o.size, o.cropMargin, mean)) as [number, number, number];
  const shape = [3, o.size, o.size];
  const make = (idx: number[]): Dataset => ({
    images: new Float32Array(idx.length * 3 * o.size * o.size),
    labels: Uint8Array.from(idx, (i) => labels[i]),
    shape,
    classes: classNames.length,
    count: idx.length,
  });
  const train = make(trainIdx);
  const validation = make(valIdx);
  const crop = (d: Dataset, idx: number[], offset: (n: number) => [number, number]) => {
    for (let n = 0; n < idx.length; n++) writeCrop(pixels[idx[n]], stored, o.size, offset(n), mean, std, d.images, n);
  };
  const centre: [number, number] = [o.cropMargin, o.cropMargin];
  crop(train, trainIdx, () => centre);
  crop(validation, valIdx, () => centre);
  const cropTrain = (epoch: number) => {
    const rng = new Random(mix(o.seed, epoch, 0x0c7a));
    const span = 2 * o.cropMargin + 1;
    crop(train, trainIdx, () => [Math.floor(rng.next() * span), Math.floor(rng.next() * span)]);
  };
  return {
    train,
    validation,
    classNames,
    paths: { train: trainIdx.map((i) => entries[i].path), validation: valIdx.map((i) => entries[i].path) },
    mean,
    std,
    split,
    bad,
    ignored: ignored.map((f) => ({ path: `${source.name}/${f.path}`, reason: f.reason })),
    decodes,
    seconds: (performance.now() - started) / 1000,
    cropTrain,
    // onEpochBegin counts epochs from 1; the crops of a resumed epoch are the same as the first time.
    randomCrops: () => ({ onEpochBegin: (epoch: number) => cropTrain(epoch) }),
  };
}

type Checked = Required<Omit<ImageFolderOptions, 'mean' | 'std' | 'onProgress' | 'decoder'>> &
  Pick<ImageFolderOptions, 'mean' | 'std' | 'onProgress' | 'decoder'>;

function checkOptions(o: ImageFolderOptions): Checked {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new Error(`imageFolder: ${name} must be an integer of at least ${min}, got ${v}`);
    return v;
  };
  const size = int('size', o.size, 2);
  const validation = o.validation ?? 0.2;
  if (!(validation >= 0 && validation < 1)) throw new Error(`imageFolder: validation must be a share in [0, 1), got ${validation}`);
  for (const [name, v] of [
    ['mean', o.mean],
    ['std', o.std],
  ] as const) {
    if (v && (v.length !== 3 || !v.every((x) => Number.isFinite(x) && (name === 'mean' || x > 0))))
      throw new Error(`imageFolder: ${name} must be 3 numbers (red, green, blue)${name === 'std' ? ' above 0' : ''}, got [${v.join(', ')}]`);
  }
  return {
    ...o,
    size,
    cropMargin: int('cropMargin', o.cropMargin ?? 0, 0),
    validation,
    seed: o.seed ?? 1,
    strict: o.strict ?? false,
    minSide: int('minSide', o.minSide ?? MIN_IMAGE_SIDE, 1),
    concurrency: int('concurrency', o.concurrency ?? 8, 1),
  };
}

/** Copies the size x size crop at `offset` (x, y) of a stored RGB image into `out` as example `n`, normalised. */
function writeCrop(rgb: Uint8Array, stored: number, size: number, [ox, oy]: [number, number], mean: number[], std: number[], out: Float32Array, n: number) {
  const plane = size * size;
  for (let c = 0; c < 3; c++) {
    const scale = 1 / (255 * std[c]);
    const shift = mean[c] / std[c];
    const base = (n * 3 + c) * plane;
    for (let y = 0; y < size; y++) {
      const from = c * stored * stored + (y + oy) * stored + ox;
      const to = base + y * size;
      for (let x = 0; x < size; x++) out[to + x] = rgb[from + x] * scale - shift;
    }
  }
}

function channelMeans(idx: number[], pixels: Uint8Array[], stored: number, size: number, m: number): number[] {
  return [0, 1, 2].map((c) => channelSum(idx, pixels, stored, size, m, c, (v) => v) / (idx.length * size * size));
}

function channelStds(idx: number[], pixels: Uint8Array[], stored: number, size: number, m: number, mean: number[]): number[] {
  return [0, 1, 2].map((c) => {
    const variance = channelSum(idx, pixels, stored, size, m, c, (v) => (v - mean[c]) ** 2) / (idx.length * size * size);
    return Math.sqrt(Math.max(variance, 1e-12));
  });
}

/** Sum of f(value / 255) over the centre crops of channel c. */
function channelSum(idx: number[], pixels: Uint8Array[], stored: number, size: number, m: number, c: number, f: (v: number) => number): number {
  let s = 0;
  for (const i of idx) {
    for (let y = 0; y < size; y++) {
      const from = c * stored * stored + (y + m) * stored + m;
      for (let x = 0; x < size; x++) s += f(pixels[i][from + x] / 255);
    }
  }
  return s;
}

function splitByFolder(kept: number[], sides: ('train' | 'val' | undefined)[]) {
  return { trainIdx: kept.filter((i) => sides[i] === 'train'), valIdx: kept.filter((i) => sides[i] === 'val') };
}

/** Holds out round(share x count) of every class (at least one where the class has two or more), by a seeded shuffle. */
function splitSeeded(kept: number[], labels: number[], classes: number, share: number, seed: number) {
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  for (let k = 0; k < classes; k++) {
    const of = kept.filter((i) => labels[i] === k);
    const rng = new Random(mix(seed, k, 0x5b1d));
    for (let i = of.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [of[i], of[j]] = [of[j], of[i]];
    }
    const held = share === 0 ? 0 : Math.min(of.length - 1, Math.max(1, Math.round(of.length * share)));
    valIdx.push(...of.slice(0, held));
    trainIdx.push(...of.slice(held));
  }
  // Folder order within each side (class by class, names sorted), whatever the shuffle.
  return { trainIdx: trainIdx.sort((a, b) => a - b), valIdx: valIdx.sort((a, b) => a - b) };
}
