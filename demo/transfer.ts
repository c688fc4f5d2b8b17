// The Transfer page, the Teachable-Machine flow of the lecture decks: a network pretrained
// on Fashion-MNIST (LeNet-5 on classes 0-4, shipped by npm run transfer -- --ship, or the
// residual resnet20 of the recorded run on all ten) keeps its convolutional body; a new head learns the visitor's classes from a few images each (built-in examples
// from the data set, files, or drawings: demo/ui/transfer_classes.ts; or a whole folder,
// dropped or picked, one subfolder per class: demo/ui/transfer_folder.ts), in the browser in
// seconds, the status line following each epoch; new images are predicted (held-out
// examples, files, a drawing), a folder's validation images are scored (confusion matrix,
// the misclassified ones), and the training images' features are drawn in 2-D by a PCA
// the engine computes. window.transferDemo tells the end-to-end tests what happened.
import type { WebGPUBackend } from '../src/backends/webgpu/webgpu_backend';
import type { Dataset } from '../src/data/dataset';
import { loadCheckpoint } from '../src/io/checkpoint';
import { newHead } from '../tools/jobs/transfer';
import type { Model } from '../src/nn/model';
import { pca } from '../src/nn/pca';
import { Trainer } from '../src/training/trainer';
import { lenet5, resnet20 } from '../src/nn/zoo';
import { safetensorsMetadata } from '../src/io/safetensors';
import { $, requireWebGPU } from './ui/backend_choice';
import { drawPad } from './ui/draw_pad';
import { greyImage } from './ui/grey_image';
import { imageCanvas } from './ui/images';
import { type ClassImage, ClassList, datasetImages, EXAMPLES_PER_CLASS, HELD_OUT_PER_CLASS, SIZE } from './ui/transfer_classes';
import { acceptFolders } from './ui/folder_drop';
import { folderImage, type FolderScore, folderSummary, type LoadedFolder, loadFolder, scoreFolder, scoreSummary } from './ui/transfer_folder';
import type { ImageFolderSource } from '../src/data/image_folder';

/**
 * The bodies the page can start from, by the zoo key a checkpoint's metadata names: the
 * network to build for its weights, and the layer whose output the new head reads.
 */
const BODIES = {
  /** LeNet-5 of npm run transfer -- --ship: 5 classes; the head reads its convolutional features. */
  lenet5: { build: () => lenet5([1, SIZE, SIZE], 5), cut: 'flatten_1', name: 'LeNet-5' },
  /** resnet20 of the recorded 2-epoch run: 10 classes; the head reads the 64 pooled channels. */
  resnet20: { build: () => resnet20([1, SIZE, SIZE], 10), cut: 'avgpool', name: 'resnet20 (residual)' },
} as const;
type BodyKey = keyof typeof BODIES;
/** The built-in examples' classes: sandal, sneaker, bag, none among the pretraining classes 0-4. */
const BUILT_IN = [5, 7, 8];
const COLOURS = ['#1f5fbf', '#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#0b7285', '#c2255c', '#5c940d'];

interface Prediction {
  /** The image's name: its file's, "<class>-test<i>" for a held-out example, "drawing <n>". */
  file: string;
  label: string;
  probability: number;
  /** The class it belongs to, when known (held-out examples). */
  truth?: string;
}

declare global {
  interface Window {
    transferDemo: {
      state: 'loading' | 'ready' | 'training' | 'trained' | 'error';
      /** The pretrained body's zoo key (lenet5, resnet20). */
      body: string | null;
      error: string | null;
      classes: string[];
      trainAccuracy: number | null;
      predictions: Prediction[];
      pcaPoints: number;
      /** Every status line the training showed, in order (one per epoch, then the result). */
      statusLog: string[];
      /** A dropped or picked folder, once read: its classes, split sizes and bad files. */
      folder: { name: string; classes: string[]; train: number; validation: number; bad: string[] } | null;
      /** The trained head on the folder's validation images. */
      validation: FolderScore | null;
    };
  }
}
window.transferDemo = {
  state: 'loading',
  body: null,
  error: null,
  classes: [],
  trainAccuracy: null,
  predictions: [],
  pcaPoints: 0,
  statusLog: [],
  folder: null,
  validation: null,
};

let gpu: WebGPUBackend;
let body: Model | null = null;
/** The layer of the body the head reads. */
let cut: string = BODIES.lenet5.cut;
let normalisation = { mean: 0, std: 1 };
let head: { model: Model; classes: string[] } | null = null;
let drawings = 0;
/** The folder whose classes fill the rows, if one was given. */
let folder: LoadedFolder | null = null;

const fail = (e: unknown) => {
  const message = (e as Error).message;
  window.transferDemo.state = 'error';
  window.transferDemo.error = message;
  setStatus(message, 'error');
};

/** A folder that cannot be used: said beside the folder and in the status; the page goes on as it was. */
const folderFailed = (e: unknown) => {
  const message = `The folder cannot be used: ${(e as Error).message}`;
  $('folder-status').textContent = message;
  setStatus(message, 'error');
};

function setStatus(text: string, className = ''): void {
  $('status').textContent = text;
  $('status').className = className;
  if (window.transferDemo.state === 'training') window.transferDemo.statusLog.push(text);
}

const classes = new ClassList(
  $('classes'),
  () => classesChanged(),
  (m) => setStatus(m, 'error'),
  () => $<HTMLInputElement>('invert').checked,
);
const pad = drawPad(168, 14, () => {});

/**
 * Loads a body checkpoint with its input normalisation: a LeNet-5 of 5 classes (as npm run
 * transfer writes it) or a resnet20 of 10 (as npm run train writes it); the metadata's
 * model_key (or model) says which, and a file of neither is refused by name.
 */
async function loadBody(bytes: Uint8Array, file: string): Promise<void> {
  // The head being trained shares the body's weights: they must outlive the training.
  if (window.transferDemo.state === 'training') throw new Error('wait for the training to end before changing the network');
  const named = safetensorsMetadata(bytes, file);
  const key = (named.model_key ?? named.model ?? 'lenet5') as string;
  if (!(key in BODIES)) throw new Error(`${file}: its metadata names the model ${key}; the Transfer page takes a lenet5 or a resnet20 checkpoint`);
  const kind = BODIES[key as BodyKey];
  const model = kind.build().build(gpu, { seed: 1 });
  let metadata: Record<string, string>;
  try {
    metadata = loadCheckpoint(model, bytes, file).metadata;
  } catch (e) {
    model.dispose();
    throw e;
  }
  body?.dispose();
  head?.model.dispose();
  body = model;
  cut = kind.cut;
  head = null;
  forgetHead();
  normalisation = { mean: Number(metadata.input_mean ?? 0), std: Number(metadata.input_std ?? 1) };
  const source = metadata.transfer_source_classes ? `classes ${metadata.transfer_source_classes}` : 'all 10 classes (the built-in examples among them)';
  $('body-status').textContent = `${file}: ${kind.name} pretrained on ${source} of Fashion-MNIST; the new head reads ${cut}.`;
  window.transferDemo.body = key;
  window.transferDemo.state = 'ready';
  classesChanged();
}

/** A new body has no trained head: its controls are off, and what the old head showed is cleared. */
function forgetHead(): void {
  for (const id of ['query', 'draw-predict', 'predict-held-out']) $<HTMLInputElement>(id).disabled = true;
  $('predictions').replaceChildren();
  $('predict-status').textContent = '';
  $('folder-results').hidden = true;
  $('pca-caption').textContent = '';
  const pcaCanvas = $<HTMLCanvasElement>('pca');
  pcaCanvas.getContext('2d')!.clearRect(0, 0, pcaCanvas.width, pcaCanvas.height);
  Object.assign(window.transferDemo, { classes: [], trainAccuracy: null, predictions: [], pcaPoints: 0, validation: null });
}

/** The network list's entry of the body loaded last, to go back to when another cannot be loaded. */
let loadedUrl = '';

/** A body that cannot be loaded (a refused file, a failed fetch, or during training): said, and the page goes on with the body it had. */
const bodyFailed = (e: unknown) => {
  if (!body) return fail(e);
  $<HTMLSelectElement>('pretrained').value = loadedUrl;
  setStatus(`The network was not changed: ${(e as Error).message}`, 'error');
};

const normalised = (grey: Float32Array) => grey.map((v) => (v - normalisation.mean) / normalisation.std);

/** After any change to the classes: the Train button, the drawing's class choices, and a status that says what to do next. */
function classesChanged(): void {
  const given = classes.given();
  const state = window.transferDemo.state;
  $<HTMLButtonElement>('train').disabled = !body || given.length < 2 || state === 'training';
  const select = $<HTMLSelectElement>('draw-class');
  const picked = select.selectedIndex;
  select.replaceChildren(...classes.rows.map((r, i) => new Option(r.name(), String(i))));
  select.selectedIndex = Math.min(Math.max(picked, 0), classes.rows.length - 1);
  if (!body || state === 'training' || state === 'error') return;
  const counts = classes.rows.map((r) => `${r.name()} ${r.images.length}`).join(', ');
  if (given.length < 2) setStatus(`Give at least two classes a few images each (now: ${counts}), then train.`);
  else setStatus(head ? `The classes are ${counts}: train again to teach the head these.` : `Ready to train on ${counts}.`);
}

async function train(): Promise<void> {
  await classes.settled();
  const given = classes.given();
  if (!body) throw new Error('no pretrained network loaded');
  if (given.length < 2) throw new Error('give at least two classes a few images each');
  window.transferDemo.state = 'training';
  window.transferDemo.statusLog = [];
  $<HTMLButtonElement>('train').disabled = true;
  const per = SIZE * SIZE;
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (const [k, c] of given.entries()) {
    for (const im of c.images) {
      images.push(normalised(im.grey));
      labels.push(k);
    }
  }
  const count = images.length;
  const data: Dataset = { images: new Float32Array(count * per), labels: Uint8Array.from(labels), shape: [1, SIZE, SIZE], classes: given.length, count };
  images.forEach((img, i) => data.images.set(img, i * per));
  head?.model.dispose();
  head = null;
  // The body frozen, or trained at a tenth or a hundredth of the head's rate (npm run train's --freeze-body, --body-lr-scale).
  const bodyScale = Number($<HTMLSelectElement>('body-rate').value);
  const model = newHead(body, cut, given.length, bodyScale > 0 ? 'finetune' : 'frozen', { name: 'lenet5-transfer', seed: 2, bodyScale });
  const names = given.map((c) => c.name());
  const batch = Math.min(16, count);
  const epochs = Math.max(1, Math.floor(Number($<HTMLInputElement>('epochs').value) || 1));
  const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: batch, seed: 1 });
  const progress = $<HTMLProgressElement>('progress');
  progress.value = 0;
  setStatus(`Training a new head on ${count} images of ${given.length} classes (${names.join(', ')}): epoch 1/${epochs}…`);
  const start = performance.now();
  await trainer.fit(data, {
    epochs,
    onEpoch: async (r) => {
      progress.value = r.epoch / epochs;
      setStatus(
        `Training: epoch ${r.epoch}/${epochs}, loss ${r.loss.toFixed(4)}, training accuracy ${r.accuracy.toFixed(3)}, ${((performance.now() - start) / 1000).toFixed(1)} s`,
      );
      // Let the page show the line before the next epoch runs.
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  });
  const fitted = await trainer.evaluate(data);
  const seconds = (performance.now() - start) / 1000;
  head = { model, classes: names };
  setStatus(
    `Trained the head on ${count} images of ${given.length} classes in ${seconds.toFixed(1)} s: training accuracy ${fitted.accuracy.toFixed(3)}. Predict new images below.`,
    'ok',
  );
  window.transferDemo.classes = head.classes;
  window.transferDemo.trainAccuracy = fitted.accuracy;
  $<HTMLInputElement>('query').disabled = false;
  $<HTMLButtonElement>('draw-predict').disabled = false;
  $<HTMLButtonElement>('predict-held-out').disabled = !given.some((c) => c.datasetClass !== null);
  await scoreValidation(given);
  await drawFeatures(data, head.classes);
  window.transferDemo.state = 'trained';
  $<HTMLButtonElement>('train').disabled = false;
}

/** Arg-max classes of grey images by the trained head. */
async function classify(greys: Float32Array[]): Promise<number[]> {
  const per = SIZE * SIZE;
  const x = new Float32Array(greys.length * per);
  greys.forEach((g, i) => x.set(normalised(g), i * per));
  const logits = await head!.model.predict(x);
  const k = head!.classes.length;
  return greys.map((_, i) => {
    const row = Array.from(logits.subarray(i * k, (i + 1) * k));
    return row.indexOf(Math.max(...row));
  });
}

/** With a folder: its validation images scored by the new head (confusion matrix, the misclassified ones). */
async function scoreValidation(given: ReturnType<ClassList['given']>): Promise<void> {
  $('folder-results').hidden = !folder;
  window.transferDemo.validation = null;
  if (!folder || !head) return;
  const score = await scoreFolder(folder, given, head.classes, classify, $('confusion'), $('misclassified'));
  $('folder-score').textContent = scoreSummary(folder, score);
  window.transferDemo.validation = score;
}

/** Reads a dropped or picked folder into the class rows. */
async function useFolder(source: Promise<ImageFolderSource>): Promise<void> {
  if (!body || window.transferDemo.state === 'training') throw new Error('wait for the pretrained network (or the training) before giving a folder');
  const loaded = await loadFolder(await source, classes, $<HTMLInputElement>('invert').checked, (t) => ($('folder-status').textContent = t));
  folder = loaded;
  head?.model.dispose();
  head = null;
  const validation = loaded.validation.labels.length;
  $('folder-status').textContent = folderSummary(loaded);
  // About 400 steps of 16 images, within 3 to 40 epochs.
  $<HTMLInputElement>('epochs').value = String(Math.min(40, Math.max(3, Math.ceil(400 / Math.ceil(loaded.train / 16)))));
  window.transferDemo.folder = { name: loaded.name, classes: loaded.classNames, train: loaded.train, validation, bad: loaded.bad.map((b) => b.path) };
  window.transferDemo.validation = null;
  $('folder-results').hidden = true;
  classesChanged();
}

/** The training images' features in the plane of their first two principal components, coloured by class. */
async function drawFeatures(data: Dataset, classes: string[]): Promise<void> {
  const features = await body!.features(data.images, cut);
  const d = features.length / data.count;
  const { projection, explained } = await pca(gpu, features, data.count, d, 2);
  const canvas = $<HTMLCanvasElement>('pca');
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const xs = Array.from({ length: data.count }, (_, i) => projection[i * 2]);
  const ys = Array.from({ length: data.count }, (_, i) => projection[i * 2 + 1]);
  const fit = (v: number, lo: number, hi: number, size: number) => 20 + ((v - lo) / (hi - lo || 1)) * (size - 40);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  for (let i = 0; i < data.count; i++) {
    ctx.fillStyle = COLOURS[data.labels[i] % COLOURS.length];
    ctx.beginPath();
    ctx.arc(fit(xs[i], x0, x1, canvas.width), canvas.height - fit(ys[i], y0, y1, canvas.height), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  classes.forEach((c, k) => {
    ctx.fillStyle = COLOURS[k % COLOURS.length];
    ctx.fillText(c, 8, 14 + 14 * k);
  });
  $('pca-caption').textContent =
    `${data.count} images; the two components hold ${(100 * (explained[0] + explained[1])).toFixed(1)}% of the features' variance.`;
  window.transferDemo.pcaPoints = data.count;
}

/** Predicts named grey images with the trained head and shows each with its class and probability. */
async function predict(queries: (ClassImage & { truth?: string })[]): Promise<void> {
  if (!head) throw new Error('train the head first');
  const per = SIZE * SIZE;
  const x = new Float32Array(queries.length * per);
  queries.forEach((q, i) => x.set(normalised(q.grey), i * per));
  const logits = await head.model.predict(x);
  const k = head.classes.length;
  const out: Prediction[] = queries.map((q, i) => {
    const row = Array.from(logits.subarray(i * k, (i + 1) * k));
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const best = row.indexOf(m);
    return { file: q.source, label: head!.classes[best], probability: e[best] / e.reduce((a, b) => a + b, 0), ...(q.truth ? { truth: q.truth } : {}) };
  });
  const target = $('predictions');
  target.replaceChildren();
  out.forEach((p, i) => {
    const cell = document.createElement('div');
    if (p.truth) cell.className = p.truth === p.label ? 'right' : 'wrong';
    cell.append(imageCanvas(queries[i].grey, 1, SIZE, SIZE, 2, [0, 1]), document.createElement('br'), `${p.label} (${(100 * p.probability).toFixed(0)}%)`);
    cell.title = p.truth ? `${p.file}: a ${p.truth}` : p.file;
    target.append(cell);
  });
  const known = out.filter((p) => p.truth);
  $('predict-status').textContent = known.length
    ? `${known.filter((p) => p.truth === p.label).length} of ${known.length} held-out images right (green right, red wrong).`
    : `${out.length} image${out.length === 1 ? '' : 's'} predicted.`;
  window.transferDemo.predictions = out;
}

/** The next HELD_OUT_PER_CLASS test images of each trained class that came from the data set (never trained on). */
async function predictHeldOut(): Promise<void> {
  const queries: (ClassImage & { truth: string })[] = [];
  for (const c of classes.given())
    if (c.datasetClass !== null && head?.classes.includes(c.name()))
      for (const im of await datasetImages(c.datasetClass, EXAMPLES_PER_CLASS, HELD_OUT_PER_CLASS))
        queries.push({ grey: im.grey, source: `${c.name()}-${im.source.replace('test image ', 'test')}`, truth: c.name() });
  await predict(queries);
}

/** Fills the first three class rows with the built-in examples (sandal, sneaker, bag). */
async function useBuiltIn(): Promise<void> {
  while (classes.rows.length < BUILT_IN.length) classes.add();
  await Promise.all(BUILT_IN.map((label, i) => classes.useExamples(classes.rows[i], label)));
}

async function start(): Promise<void> {
  gpu = await requireWebGPU($('webgpu-warning'), 'The Transfer page trains on WebGPU.');
  for (let i = 0; i < 3; i++) classes.add();
  $('pad').append(pad.canvas);
  $('add-class').onclick = () => classes.add();
  $('examples').onclick = () => {
    // The built-in examples take the first rows: a folder given before no longer describes them.
    folder = null;
    window.transferDemo.folder = null;
    $('folder-status').textContent = '';
    classes.track(useBuiltIn());
  };
  $('train').onclick = () => void train().catch(fail);
  $('predict-held-out').onclick = () => void predictHeldOut().catch(fail);
  $('draw-clear').onclick = () => pad.clear();
  $('draw-add').onclick = () => {
    const row = classes.rows[Number($<HTMLSelectElement>('draw-class').value)];
    if (!pad.drawn || !row) return setStatus('Draw something first (light strokes on the black square).');
    classes.addImages(row, [{ grey: pad.read(SIZE), source: `drawing ${++drawings}` }]);
    pad.clear();
  };
  $('draw-predict').onclick = () => {
    if (!pad.drawn) return void ($('predict-status').textContent = 'Draw something first.');
    void predict([{ grey: pad.read(SIZE), source: `drawing ${++drawings}` }]).catch(fail);
  };
  $<HTMLInputElement>('query').onchange = async (e) => {
    const files = [...((e.target as HTMLInputElement).files ?? [])];
    const invert = $<HTMLInputElement>('invert').checked;
    // Read as the training images were: a folder's centred squares, or the files fitted into the square.
    const greys = await Promise.all(files.map((f) => (folder ? folderImage(f, invert) : greyImage(f, { square: SIZE, invert }).then((g) => g.data))));
    await predict(greys.map((g, i) => ({ grey: g, source: files[i].name }))).catch(fail);
  };
  acceptFolders($('folder-drop'), $<HTMLInputElement>('folder'), (source) => void useFolder(source).catch(folderFailed));
  $<HTMLInputElement>('own').onchange = async (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) await loadBody(new Uint8Array(await f.arrayBuffer()), f.name).catch(bodyFailed);
  };
  $<HTMLSelectElement>('pretrained').onchange = () => void fetchBody().catch(bodyFailed);
  await fetchBody();
}

/** Loads the body the network list names, from the demo's pretrained folder. */
async function fetchBody(): Promise<void> {
  if (window.transferDemo.state === 'training') throw new Error('wait for the training to end before changing the network');
  const url = $<HTMLSelectElement>('pretrained').value;
  setStatus(`Loading ${url.split('/').pop()}…`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} (npm run transfer -- --ship, or the recorded resnet20 run, writes it)`);
  await loadBody(new Uint8Array(await res.arrayBuffer()), url.split('/').pop()!);
  loadedUrl = url;
}

start().catch(fail);
