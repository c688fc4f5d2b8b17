// The Transfer page, the Teachable-Machine flow of the lecture decks: a network pretrained
// on Fashion-MNIST 0-4 (shipped by npm run transfer -- --ship) keeps its convolutional
// body; a new head learns the visitor's classes from a few images each, in the browser in
// seconds; new images are predicted, and the training images' features are drawn in 2-D
// by a PCA the engine computes. window.transferDemo tells the end-to-end test what happened.
import type { WebGPUBackend } from '../src/backends/webgpu/webgpu_backend';
import type { Dataset } from '../src/data/dataset';
import { loadCheckpoint } from '../src/io/checkpoint';
import { newHead } from '../tools/jobs/transfer';
import type { Model } from '../src/nn/model';
import { pca } from '../src/nn/pca';
import { Trainer } from '../src/training/trainer';
import { lenet5 } from '../src/nn/zoo';
import { $, requireWebGPU } from './ui/backend_choice';
import { imageCanvas } from './ui/images';

/** The layer whose output the new head reads: LeNet-5's convolutional features. */
const CUT = 'flatten_1';
const SIZE = 28;
const COLOURS = ['#1f5fbf', '#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#0b7285', '#c2255c', '#5c940d'];

interface Prediction {
  file: string;
  label: string;
  probability: number;
}

declare global {
  interface Window {
    transferDemo: {
      state: 'loading' | 'ready' | 'training' | 'trained' | 'error';
      error: string | null;
      classes: string[];
      trainAccuracy: number | null;
      predictions: Prediction[];
      pcaPoints: number;
    };
  }
}
window.transferDemo = { state: 'loading', error: null, classes: [], trainAccuracy: null, predictions: [], pcaPoints: 0 };

let gpu: WebGPUBackend;
let body: Model | null = null;
let normalisation = { mean: 0, std: 1 };
let head: { model: Model; classes: string[] } | null = null;

const fail = (e: unknown) => {
  const message = (e as Error).message;
  window.transferDemo.state = 'error';
  window.transferDemo.error = message;
  $('status').textContent = message;
  $('status').className = 'error';
};

/** Loads a LeNet-5 checkpoint (5 classes, as npm run transfer writes it) as the body, with its input normalisation. */
async function loadBody(bytes: Uint8Array, file: string): Promise<void> {
  const model = lenet5([1, SIZE, SIZE], 5).build(gpu, { seed: 1 });
  const { metadata } = loadCheckpoint(model, bytes, file);
  body?.dispose();
  body = model;
  head = null;
  normalisation = { mean: Number(metadata.input_mean ?? 0), std: Number(metadata.input_std ?? 1) };
  $('body-status').textContent = `${file}: LeNet-5 pretrained on classes ${metadata.transfer_source_classes ?? '?'}; the new head reads ${CUT}.`;
  window.transferDemo.state = 'ready';
  updateTrainButton();
}

/** An image file as a 28x28 grey image in [0, 1] (fitted into the square, centred), optionally inverted. */
async function decode(file: File): Promise<Float32Array> {
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(SIZE, SIZE);
  const ctx = canvas.getContext('2d')!;
  const invert = $<HTMLInputElement>('invert').checked;
  // Fashion-MNIST is light objects on black: the background is black unless inverted.
  ctx.fillStyle = invert ? '#fff' : '#000';
  ctx.fillRect(0, 0, SIZE, SIZE);
  const s = SIZE / Math.max(bitmap.width, bitmap.height);
  ctx.drawImage(bitmap, (SIZE - bitmap.width * s) / 2, (SIZE - bitmap.height * s) / 2, bitmap.width * s, bitmap.height * s);
  const rgba = ctx.getImageData(0, 0, SIZE, SIZE).data;
  const grey = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < grey.length; i++) {
    const v = (0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2]) / 255;
    grey[i] = invert ? 1 - v : v;
  }
  return grey;
}

const normalised = (grey: Float32Array) => grey.map((v) => (v - normalisation.mean) / normalisation.std);

function addClass(name = `class ${$('classes').children.length + 1}`): void {
  const row = document.createElement('div');
  row.className = 'class-row';
  row.innerHTML = `<label>name <input class="class-name" value="${name}" /></label> <input class="class-files" type="file" accept="image/*" multiple /> <span class="class-count">no images</span>`;
  row.querySelector<HTMLInputElement>('.class-files')!.onchange = (e) => {
    const n = (e.target as HTMLInputElement).files?.length ?? 0;
    row.querySelector('.class-count')!.textContent = `${n} image${n === 1 ? '' : 's'}`;
    updateTrainButton();
  };
  $('classes').append(row);
}

/** The classes with at least one image: names and files. */
function givenClasses(): { name: string; files: File[] }[] {
  return [...$('classes').querySelectorAll('.class-row')]
    .map((row) => ({
      name: row.querySelector<HTMLInputElement>('.class-name')!.value.trim() || 'unnamed',
      files: [...(row.querySelector<HTMLInputElement>('.class-files')!.files ?? [])],
    }))
    .filter((c) => c.files.length > 0);
}

function updateTrainButton(): void {
  $<HTMLButtonElement>('train').disabled = !body || givenClasses().length < 2;
}

async function train(): Promise<void> {
  const classes = givenClasses();
  if (!body) throw new Error('no pretrained network loaded');
  if (classes.length < 2) throw new Error('give at least two classes a few images each');
  window.transferDemo.state = 'training';
  $('status').className = '';
  const per = SIZE * SIZE;
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (const [k, c] of classes.entries()) {
    for (const f of c.files) {
      images.push(normalised(await decode(f)));
      labels.push(k);
    }
  }
  const count = images.length;
  const data: Dataset = { images: new Float32Array(count * per), labels: Uint8Array.from(labels), shape: [1, SIZE, SIZE], classes: classes.length, count };
  images.forEach((img, i) => data.images.set(img, i * per));
  head?.model.dispose();
  const model = newHead(body, CUT, classes.length, $<HTMLInputElement>('finetune').checked ? 'finetune' : 'frozen', { name: 'lenet5-transfer', seed: 2 });
  head = { model, classes: classes.map((c) => c.name) };
  const batch = Math.min(16, count);
  const epochs = Number($<HTMLInputElement>('epochs').value);
  const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: batch, seed: 1 });
  const start = performance.now();
  await trainer.fit(data, {
    epochs,
    onEpoch: (r) => void ($('status').textContent = `epoch ${r.epoch}/${epochs}: loss ${r.loss.toFixed(4)}, training accuracy ${r.accuracy.toFixed(3)}`),
  });
  const fitted = await trainer.evaluate(data);
  const seconds = (performance.now() - start) / 1000;
  $('status').textContent =
    `Trained the head on ${count} images of ${classes.length} classes in ${seconds.toFixed(1)} s: training accuracy ${fitted.accuracy.toFixed(3)}. Predict new images below.`;
  window.transferDemo.classes = head.classes;
  window.transferDemo.trainAccuracy = fitted.accuracy;
  $<HTMLInputElement>('query').disabled = false;
  await drawFeatures(data, head.classes);
  window.transferDemo.state = 'trained';
}

/** The training images' features in the plane of their first two principal components, coloured by class. */
async function drawFeatures(data: Dataset, classes: string[]): Promise<void> {
  const features = await body!.features(data.images, CUT);
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

async function predict(files: File[]): Promise<void> {
  if (!head) throw new Error('train the head first');
  const per = SIZE * SIZE;
  const greys = await Promise.all(files.map(decode));
  const x = new Float32Array(files.length * per);
  greys.forEach((g, i) => x.set(normalised(g), i * per));
  const logits = await head.model.predict(x);
  const k = head.classes.length;
  const out: Prediction[] = files.map((f, i) => {
    const row = Array.from(logits.subarray(i * k, (i + 1) * k));
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const best = row.indexOf(m);
    return { file: f.name, label: head!.classes[best], probability: e[best] / e.reduce((a, b) => a + b, 0) };
  });
  const target = $('predictions');
  target.replaceChildren();
  out.forEach((p, i) => {
    const cell = document.createElement('div');
    cell.append(imageCanvas(greys[i], 1, SIZE, SIZE, 2), document.createElement('br'), `${p.label} (${(100 * p.probability).toFixed(0)}%)`);
    cell.title = p.file;
    target.append(cell);
  });
  window.transferDemo.predictions = out;
}

async function start(): Promise<void> {
  gpu = await requireWebGPU($('webgpu-warning'), 'The Transfer page trains on WebGPU.');
  for (let i = 0; i < 3; i++) addClass();
  $('add-class').onclick = () => addClass();
  $('train').onclick = () => void train().catch(fail);
  $<HTMLInputElement>('query').onchange = (e) => void predict([...((e.target as HTMLInputElement).files ?? [])]).catch(fail);
  $<HTMLInputElement>('own').onchange = async (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) await loadBody(new Uint8Array(await f.arrayBuffer()), f.name).catch(fail);
  };
  const url = $<HTMLSelectElement>('pretrained').value;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} (npm run transfer -- --ship writes it)`);
  await loadBody(new Uint8Array(await res.arrayBuffer()), url.split('/').pop()!);
}

start().catch(fail);
