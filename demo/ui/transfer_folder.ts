// The Transfer page's whole folder: an image folder (one subfolder per class, or train/ and
// val/ of them) decoded in the browser by the library's imageFolder (createImageBitmap and
// an OffscreenCanvas), turned into the pretrained LeNet-5's 28x28 grey images. Its training
// split fills the page's class rows; its validation split scores the trained head: a
// confusion matrix and the images it got wrong, with their predicted and true classes.
import { browserImageDecoder, imageFolder } from '../../src/data/image_decode';
import type { BadFile, ImageFolderSource } from '../../src/data/image_folder';
import { readImageHeader } from '../../src/data/image_header';
import { imageCanvas } from './images';
import { type ClassImage, type ClassList, type ClassRow, SIZE } from './transfer_classes';

/** A folder loaded into the page. */
export interface LoadedFolder {
  name: string;
  classNames: string[];
  /** The class row each class filled, by label. */
  rows: ClassRow[];
  /** The held-out images (never trained on), grey in [0, 1], with their labels. */
  validation: { images: ClassImage[]; labels: number[] };
  train: number;
  split: 'folders' | 'seeded';
  bad: BadFile[];
}

/** One image's RGB [3, SIZE, SIZE] in [0, 1] as grey, weighted as greyImage weighs it (and inverted when asked). */
function toGrey(rgb: Float32Array, invert: boolean): Float32Array {
  const plane = SIZE * SIZE;
  const out = new Float32Array(plane);
  for (let p = 0; p < plane; p++) {
    const v = 0.299 * rgb[p] + 0.587 * rgb[plane + p] + 0.114 * rgb[2 * plane + p];
    out[p] = invert ? 1 - v : v;
  }
  return out;
}

/**
 * Reads the folder (a fifth of each class held out, seed 1, unless it has train/ and val/),
 * each image's centred square resized to 28x28, and replaces the page's classes with its
 * classes and training images.
 */
export async function loadFolder(source: ImageFolderSource, classes: ClassList, invert: boolean, progress: (text: string) => void): Promise<LoadedFolder> {
  // The values in [0, 1] (mean 0, deviation 1): the page normalises as the pretrained network's data was.
  const folder = await imageFolder(source, {
    size: SIZE,
    cropMargin: 0,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    seed: 1,
    onProgress: (p) => progress(`Reading ${source.name}: ${p.done}/${p.total} files, ${p.decoded} decoded, ${p.errors} bad…`),
  });
  const per = 3 * SIZE * SIZE;
  const images = (d: typeof folder.train, paths: string[]) =>
    Array.from({ length: d.count }, (_, i) => ({ grey: toGrey(d.images.subarray(i * per, (i + 1) * per), invert), source: paths[i] }));
  const train = images(folder.train, folder.paths.train);
  classes.clear();
  const rows = folder.classNames.map((name) => classes.add(name));
  rows.forEach((row, k) =>
    classes.addImages(
      row,
      train.filter((_, i) => folder.train.labels[i] === k),
    ),
  );
  return {
    name: source.name,
    classNames: folder.classNames,
    rows,
    validation: { images: images(folder.validation, folder.paths.validation), labels: [...folder.validation.labels] },
    train: folder.train.count,
    split: folder.split,
    bad: folder.bad,
  };
}

/** An image file the way a folder's images are read (its centred square at 28x28), grey. */
export async function folderImage(file: File, invert: boolean): Promise<Float32Array> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const rgba = await browserImageDecoder(bytes, readImageHeader(bytes), SIZE);
  const rgb = new Float32Array(3 * SIZE * SIZE);
  for (let p = 0; p < SIZE * SIZE; p++) for (let c = 0; c < 3; c++) rgb[c * SIZE * SIZE + p] = rgba[4 * p + c] / 255;
  return toGrey(rgb, invert);
}

/** How the trained head does on the folder's held-out images. */
export interface FolderScore {
  /** Row = true class, column = predicted, over the trained classes. */
  confusion: number[][];
  accuracy: number;
  count: number;
  misclassified: { file: string; truth: string; label: string }[];
}

/**
 * Predicts the held-out images of the classes the head learnt (`trained`: the rows it was
 * trained on, in its label order) and draws the confusion matrix into `matrix` and the
 * misclassified images, each with its predicted and true class, into `wrong`.
 */
export async function scoreFolder(
  folder: LoadedFolder,
  trained: readonly ClassRow[],
  names: readonly string[],
  predict: (images: Float32Array[]) => Promise<number[]>,
  matrix: HTMLElement,
  wrong: HTMLElement,
): Promise<FolderScore> {
  // A class whose row was emptied before training has no column: its images are left out.
  const keep = folder.validation.labels.map((label, i) => ({ i, truth: trained.indexOf(folder.rows[label]) })).filter((x) => x.truth >= 0);
  const predicted = keep.length ? await predict(keep.map((x) => folder.validation.images[x.i].grey)) : [];
  const k = names.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  keep.forEach((x, j) => confusion[x.truth][predicted[j]]++);
  const misses = keep.flatMap((x, j) =>
    predicted[j] === x.truth ? [] : [{ image: folder.validation.images[x.i], truth: names[x.truth], label: names[predicted[j]] }],
  );

  const table = document.createElement('table');
  table.className = 'confusion';
  const head = table.createTHead().insertRow();
  head.append(
    Object.assign(document.createElement('th'), { textContent: 'true \\ predicted' }),
    ...names.map((n) => Object.assign(document.createElement('th'), { textContent: n })),
  );
  const body = table.createTBody();
  confusion.forEach((row, t) => {
    const tr = body.insertRow();
    tr.append(Object.assign(document.createElement('th'), { textContent: names[t] }));
    row.forEach((n, p) => {
      const td = tr.insertCell();
      td.textContent = String(n);
      if (n > 0) td.className = p === t ? 'right' : 'wrong';
    });
  });
  matrix.replaceChildren(table);
  wrong.replaceChildren(
    ...misses.map((m) => {
      const cell = document.createElement('div');
      cell.className = 'wrong';
      cell.title = m.image.source;
      cell.append(imageCanvas(m.image.grey, 1, SIZE, SIZE, 2, [0, 1]), document.createElement('br'), `${m.label} (true: ${m.truth})`);
      return cell;
    }),
  );
  const right = keep.length - misses.length;
  return {
    confusion,
    accuracy: keep.length ? right / keep.length : Number.NaN,
    count: keep.length,
    misclassified: misses.map((m) => ({ file: m.image.source, truth: m.truth, label: m.label })),
  };
}

/** What the page says of a folder it read: classes, split and the bad files by path and reason. */
export function folderSummary(f: LoadedFolder): string {
  const bad = f.bad.length ? `: ${f.bad.map((b) => `${b.path} (${b.reason})`).join('; ')}` : '';
  return `${f.name}: ${f.classNames.length} classes (${f.classNames.join(', ')}), ${f.train} training and ${f.validation.labels.length} validation images (${f.split === 'folders' ? 'its train/ and val/ folders' : 'a fifth of each class held out'}); ${f.bad.length} bad file(s) skipped${bad}.`;
}

/** What the page says of a score. */
export function scoreSummary(f: LoadedFolder, s: FolderScore): string {
  if (s.count === 0) return `None of ${f.name}'s validation images is of a class the head learnt.`;
  const wrong = s.misclassified.length;
  return `${s.count - wrong} of ${s.count} validation images of ${f.name} right (accuracy ${s.accuracy.toFixed(3)}); ${wrong} misclassified, below with what the head said and what they are.`;
}
