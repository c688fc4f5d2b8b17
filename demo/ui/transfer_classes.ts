// The Transfer page's classes: a name and a few 28x28 grey images each, from three places:
// built-in examples (Fashion-MNIST test images, fetched from the server's dataset folder as
// the other pages do), the visitor's files, and drawings (or a whole folder: transfer_folder.ts).
// Each class row shows its first images as thumbnails; clicking one removes it.
import { FASHION_MNIST_CLASSES, fetchIdxSplit } from '../../src/data/fashion_mnist';
import type { Dataset } from '../../src/data/dataset';
import { greyImage } from './grey_image';
import { imageCanvas } from './images';

export const SIZE = 28;
/** Built-in examples a class gets, and the held-out ones predicted after training. */
export const EXAMPLES_PER_CLASS = 8;
export const HELD_OUT_PER_CLASS = 10;
/** Thumbnails a class row shows; the rest are counted. */
export const THUMBNAILS_PER_CLASS = 12;

/** One image of a class and where it came from ("sandal-21.png", "test image 21", "drawing 2"). */
export interface ClassImage {
  grey: Float32Array;
  source: string;
}

export interface ClassRow {
  readonly element: HTMLElement;
  name(): string;
  images: ClassImage[];
  /** The Fashion-MNIST class its built-in examples came from, if any: held-out ones can be predicted. */
  datasetClass: number | null;
}

let testSet: Promise<Dataset> | null = null;

/** The Fashion-MNIST test split, fetched once (from /datasets/fashion-mnist, as the other pages). */
export function fashionTest(): Promise<Dataset> {
  testSet ??= fetchIdxSplit('/datasets/fashion-mnist', 'test').catch((e) => {
    testSet = null;
    throw e;
  });
  return testSet;
}

/** Test images of a class after skipping `skip` of them: the first EXAMPLES_PER_CLASS teach, the next are held out. */
export async function datasetImages(label: number, skip: number, count: number): Promise<ClassImage[]> {
  const data = await fashionTest();
  const per = SIZE * SIZE;
  const out: ClassImage[] = [];
  let seen = 0;
  for (let i = 0; i < data.count && out.length < count; i++) {
    if (data.labels[i] !== label || seen++ < skip) continue;
    out.push({ grey: data.images.slice(i * per, (i + 1) * per), source: `test image ${i}` });
  }
  return out;
}

/**
 * The list of class rows in `container`; `changed` runs whenever a class gains or loses
 * images or is renamed, `failed` with a message when images cannot be had.
 */
export class ClassList {
  readonly rows: ClassRow[] = [];
  /** Images being decoded or fetched; training waits for them. */
  private pending = new Set<Promise<void>>();

  private readonly container: HTMLElement;
  private readonly changed: () => void;
  private readonly failed: (message: string) => void;
  private readonly invert: () => boolean;

  constructor(container: HTMLElement, changed: () => void, failed: (message: string) => void, invert: () => boolean) {
    this.container = container;
    this.changed = changed;
    this.failed = failed;
    this.invert = invert;
  }

  /** Adds an empty class row named `name`. */
  add(name = `class ${this.rows.length + 1}`): ClassRow {
    const element = document.createElement('div');
    element.className = 'class-row';
    element.innerHTML =
      '<label>name <input class="class-name" /></label> ' +
      '<label>examples of <select class="class-examples"><option value="">a data set class…</option></select></label> ' +
      '<label>files <input class="class-files" type="file" accept="image/*" multiple /></label> ' +
      '<span class="class-count">no images</span><div class="thumbs class-thumbs"></div>';
    const nameInput = element.querySelector<HTMLInputElement>('.class-name')!;
    nameInput.value = name;
    const row: ClassRow = { element, name: () => nameInput.value.trim() || 'unnamed', images: [], datasetClass: null };
    const examples = element.querySelector<HTMLSelectElement>('.class-examples')!;
    FASHION_MNIST_CLASSES.forEach((c, k) => examples.append(new Option(`${c}${k < 5 ? ' (seen in pretraining)' : ''}`, String(k))));
    examples.onchange = () => {
      const picked = examples.value;
      examples.value = '';
      if (picked !== '') this.track(this.useExamples(row, Number(picked)));
    };
    nameInput.oninput = () => this.changed();
    element.querySelector<HTMLInputElement>('.class-files')!.onchange = (e) => {
      const files = [...((e.target as HTMLInputElement).files ?? [])];
      const read = Promise.all(files.map((f) => greyImage(f, { square: SIZE, invert: this.invert() }))).then((greys) =>
        this.addImages(
          row,
          greys.map((g, i) => ({ grey: g.data, source: files[i].name })),
        ),
      );
      this.track(read.catch((err: Error) => Promise.reject(new Error(`could not read an image file: ${err.message}`))));
    };
    this.rows.push(row);
    this.container.append(element);
    this.changed();
    return row;
  }

  /** Removes every class row (a dropped folder brings its own classes). */
  clear(): void {
    for (const r of this.rows) r.element.remove();
    this.rows.length = 0;
    this.changed();
  }

  /** Gives `row` the built-in examples of Fashion-MNIST class `label` (replacing its data set images) and that class's name. */
  async useExamples(row: ClassRow, label: number): Promise<void> {
    const images = await datasetImages(label, 0, EXAMPLES_PER_CLASS);
    row.images = row.images.filter((im) => !im.source.startsWith('test image'));
    row.datasetClass = label;
    row.element.querySelector<HTMLInputElement>('.class-name')!.value = FASHION_MNIST_CLASSES[label].toLowerCase();
    this.addImages(row, images);
  }

  addImages(row: ClassRow, images: ClassImage[]): void {
    row.images.push(...images);
    this.draw(row);
    this.changed();
  }

  /** Runs `work`, reporting its failure; `settled()` waits for it. */
  track(work: Promise<void>): void {
    const p = work.catch((e: Error) => this.failed(e.message)).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves when every image being read or fetched has arrived. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all(this.pending);
  }

  /** The classes with at least one image. */
  given(): ClassRow[] {
    return this.rows.filter((r) => r.images.length > 0);
  }

  private draw(row: ClassRow): void {
    const thumbs = row.element.querySelector('.class-thumbs')!;
    const more = row.images.length - THUMBNAILS_PER_CLASS;
    thumbs.replaceChildren(
      ...row.images.slice(0, THUMBNAILS_PER_CLASS).map((im, i) => {
        const c = imageCanvas(im.grey, 1, SIZE, SIZE, 1, [0, 1]);
        c.title = `${im.source} (click to remove)`;
        c.onclick = () => {
          row.images.splice(i, 1);
          if (!row.images.some((x) => x.source.startsWith('test image'))) row.datasetClass = null;
          this.draw(row);
          this.changed();
        };
        return c;
      }),
      ...(more > 0 ? [Object.assign(document.createElement('span'), { className: 'more', textContent: `and ${more} more` })] : []),
    );
    const n = row.images.length;
    row.element.querySelector('.class-count')!.textContent = n ? `${n} image${n === 1 ? '' : 's'}` : 'no images';
  }
}
