// The Visualise page: what a trained network looks at. For a Fashion-MNIST classifier (the
// shipped LeNet-5, a weights file, or the model the Train page hands over) it shows the 9
// test patches that excite one unit most beside each one's DeConvNet projection (Zeiler
// and Fergus's figure), and a test image's saliency map with the predicted class; for a
// segmentation run's weights, test scenes as image | truth | prediction.
// window.visualiseDemo tells the end-to-end test what was drawn.
import type { Backend } from '../src/backends/backend';
import { meanStd, normalize, padImages, take, type Dataset } from '../src/data/dataset';
import { FASHION_MNIST_CLASSES, fetchIdxSplit } from '../src/data/fashion_mnist';
import { sceneLabelNames } from '../src/data/segmentation_palette';
import { segmentationScenes } from '../src/data/segmentation_scenes';
import { loadCheckpoint } from '../src/io/checkpoint';
import { parseSafetensors } from '../src/io/safetensors';
import type { Model } from '../src/nn/model';
import { summary } from '../src/nn/summary';
import { topPatches } from '../src/nn/top_patches';
import { deconvLayers, deconvProject, saliency } from '../src/nn/visualize';
import { MODELS, TRAINABLE_HERE } from '../src/nn/zoo';
import { formatShape, sizeOf, type Shape } from '../src/shape';
import { $, backendFor } from './ui/backend_choice';
import { takeHandover } from './ui/handover';
import { divergingCanvas, greyCanvas, grid, heatCanvas, labelCanvas, legend } from './ui/visualise_view';

/** The shipped network (npm run transfer -- --ship writes it). */
const SHIPPED = './pretrained/fashion-mnist-0-4-lenet5.safetensors';
/** The recorded 2-epoch resnet20 run's weights (docs/model-zoo.md): all 10 classes, test accuracy 0.9103. */
const SHIPPED_RESNET20 = './pretrained/fashion-mnist-resnet20.safetensors';
/** The recorded segmentation run's weights (docs/going-back-up.md#the-recorded-run): unet-mini, test mean IoU 0.497. */
const SHIPPED_SEGMENTER = './pretrained/segment-unet-mini.safetensors';
/** Fashion-MNIST's training-split statistics: what npm run train normalises with when a file records none. */
const FASHION_MNIST_MEAN = 0.2860406021898328;
const FASHION_MNIST_STD = 0.35302424955323536;
const SEGMENTERS = ['unet-mini', 'fcn8s-mini'];
/** The test scenes: as npm run train -- --task segment makes them (seed 2, 64x64). */
const SCENE_SEED = 2;
const SCENE_SIZE = 64;
/** Pixels a grid cell is shown at. */
const CELL = 64;

declare global {
  interface Window {
    visualiseDemo: {
      state: 'loading' | 'ready' | 'busy' | 'error';
      error: string | null;
      /** The classifier shown: its zoo key and where its weights came from. */
      model: string | null;
      source: string | null;
      layers: string[];
      /** `inside`: the least share of a projection's magnitude that falls inside the drawn receptive field (1: nothing cut off). */
      unit: { layer: string; channel: number; patches: number; projections: number; values: number[]; inside: number } | null;
      saliency: { image: number; classIndex: number; predicted: string; probability: number } | null;
      segmentation: { model: string; trained: boolean; scenes: number; pixelAccuracy: number } | null;
    };
  }
}
window.visualiseDemo = { state: 'loading', error: null, model: null, source: null, layers: [], unit: null, saliency: null, segmentation: null };

interface Classifier {
  model: Model;
  key: string;
  file: string;
  classNames: string[];
  /** The test split as this model takes it: padded to its input size, normalised as it was trained. */
  test: Dataset;
  /** Black after normalising: what the network saw as padding. */
  black: number;
}

let backend: Backend;
/** The raw Fashion-MNIST test split (pixels in [0, 1]). */
let rawTest: Dataset;
let classifier: Classifier | null = null;
let segmenter: { model: Model; key: string; file: string | null; mean: number; std: number; normalisation: string } | null = null;
/** Every action runs after the one before: one model, one backend, no interleaved passes. */
let queue: Promise<void> = Promise.resolve();

function say(text: string, error = false): void {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

/** Runs `action` after the queued ones; a failure goes to the status line (never silent) and window.visualiseDemo.error. */
function run(action: () => Promise<void>): Promise<void> {
  queue = queue.then(async () => {
    window.visualiseDemo.state = 'busy';
    try {
      await action();
      window.visualiseDemo.state = 'ready';
    } catch (e) {
      const message = (e as Error).message;
      window.visualiseDemo.state = 'error';
      window.visualiseDemo.error = message;
      say(`Error: ${message}`, true);
    }
  });
  return queue;
}

const num = (id: string) => Number($<HTMLInputElement>(id).value);

/** The zoo key a file's metadata names: model_key (the Train page's hand-over), a run's configuration, or the model's name. */
function modelKeyOf(metadata: Record<string, string>, file: string, keys: readonly string[]): string {
  if (metadata.model_key && keys.includes(metadata.model_key)) return metadata.model_key;
  try {
    const config = JSON.parse(metadata.run_config ?? 'null') as { model?: string } | null;
    if (config?.model && keys.includes(config.model)) return config.model;
  } catch {
    // not a run's checkpoint: the model's name below decides
  }
  const name = metadata.model;
  if (!name) throw new Error(`${file}: its metadata names no model; this page reads weights saved by the Train page or written by npm run train`);
  const key = keys.find((k) => k === name || MODELS[k]().name === name);
  if (!key) {
    const other = SEGMENTERS.includes(name)
      ? ' (a segmentation model: load it in section 4)'
      : keys === SEGMENTERS
        ? ' (not a segmentation model: load it in section 1)'
        : '';
    throw new Error(`${file}: its metadata names model '${name}', which this section does not take${other}; it takes ${keys.join(', ')}`);
  }
  return key;
}

/** Each weight's name and shape as a model built for this input and class count would have them. */
function weightShapes(model: Model): Map<string, string> {
  const shapes = new Map<string, string>();
  for (const { layer, inputs } of model.nodes)
    for (const spec of layer.params(inputs.map((i) => i.shape))) shapes.set(`${layer.name}.${spec.name}`, formatShape(spec.shape));
  return shapes;
}

/**
 * The zoo model `key` made for the file's weights: 28x28 input (or 32x32, for a run with
 * --pad 2) and the file's class count, read off the output layer's weights.
 */
function fitModel(key: string, tensors: Map<string, Shape>): { model: Model; pad: number } {
  const named = (m: Model) => [...weightShapes(m)].every(([name, shape]) => tensors.has(name) && formatShape(tensors.get(name)!) === shape);
  for (const [side, pad] of [
    [28, 0],
    [32, 2],
  ]) {
    const inputShape: Shape = [1, side, side];
    let model = MODELS[key](inputShape, 10);
    const out = model.nodes.find((n) => n.output === model.output)!;
    for (const spec of out.layer.params(out.inputs.map((i) => i.shape))) {
      const file = tensors.get(`${out.layer.name}.${spec.name}`);
      const differs = file && file.length === spec.shape.length ? file.findIndex((d, i) => d !== spec.shape[i]) : -1;
      if (differs >= 0 && spec.shape[differs] === 10) {
        model = MODELS[key](inputShape, file![differs]);
        break;
      }
    }
    if (named(model)) return { model, pad };
  }
  // Nothing fits: the 28x28 model, whose loading names the first tensor that does not.
  return { model: MODELS[key]([1, 28, 28], 10), pad: 0 };
}

const numberOr = (text: string | undefined, fallback: number) => (text !== undefined && Number.isFinite(Number(text)) ? Number(text) : fallback);

/** Loads a classifier's weights (checked before anything is replaced) and shows its layers and classes. */
async function loadClassifier(bytes: Uint8Array, file: string, source: string): Promise<void> {
  const parsed = parseSafetensors(bytes, file);
  const metadata = parsed.metadata;
  const key = modelKeyOf(metadata, file, TRAINABLE_HERE);
  const { model: graph, pad } = fitModel(key, new Map(parsed.tensors.map((t) => [t.name, t.shape])));
  if (graph.output.shape.length !== 1) throw new Error(`${file}: ${graph.name} outputs ${formatShape(graph.output.shape)}, not class scores`);
  const model = graph.build(backend, { seed: 1 });
  try {
    loadCheckpoint(model, bytes, file);
  } catch (e) {
    model.dispose();
    throw e;
  }
  const mean = numberOr(metadata.input_mean, FASHION_MNIST_MEAN);
  const std = numberOr(metadata.input_std, FASHION_MNIST_STD);
  const padded = padImages(rawTest, pad);
  const test: Dataset = { ...padded, images: normalize(Float32Array.from(padded.images), mean, std) };
  const classes = model.output.shape[0];
  const picked = metadata.transfer_source_classes?.split(',').map(Number);
  const classNames = Array.from({ length: classes }, (_, k) => {
    const source = picked?.length === classes ? picked[k] : k;
    return FASHION_MNIST_CLASSES[source] ?? `class ${k}`;
  });
  classifier?.model.dispose();
  classifier = { model, key, file, classNames, test, black: -mean / std };
  const layers = deconvLayers(model);
  window.visualiseDemo.model = key;
  window.visualiseDemo.source = source;
  window.visualiseDemo.layers = layers;
  $('model-status').textContent =
    `${file} (${source}): ${key} for ${formatShape(model.input.shape)} inputs, ${classes} classes (${classNames.join(', ')}); inputs normalised with mean ${mean.toFixed(4)}, std ${std.toFixed(4)}${metadata.input_mean === undefined ? " (Fashion-MNIST's; the file records none)" : ''}.`;
  $('layer').replaceChildren(...layers.map((name) => new Option(`${name} (${model.outputOf(name).shape[0]} channels)`, name)));
  // The deepest convolution is the most telling: start there.
  const deepest = [...layers].reverse().find((name) => model.layer(name).kind === 'conv2d');
  if (deepest) $<HTMLSelectElement>('layer').value = deepest;
  syncChannel();
  if (layers.length === 0) $('unit-caption').textContent = `${key} has no layer DeConvNet can go back down from (batch norm or a join right after the input).`;
  const classSelect = $<HTMLSelectElement>('class');
  classSelect.replaceChildren(new Option('the predicted one', 'predicted'), ...classNames.map((name, k) => new Option(`${k}: ${name}`, String(k))));
  drawThumbs();
  $<HTMLButtonElement>('show-unit').disabled = layers.length === 0;
  $<HTMLButtonElement>('show-saliency').disabled = false;
}

/** The channel input's range is the chosen layer's channels; a channel past them goes back to 0. */
function syncChannel(): void {
  const layer = $<HTMLSelectElement>('layer').value;
  if (!classifier || !layer) return;
  const channels = classifier.model.outputOf(layer).shape[0];
  const input = $<HTMLInputElement>('channel');
  input.max = String(channels - 1);
  if (!(Number(input.value) < channels)) input.value = '0';
}

/** A crop of `field` x `field` pixels from a [channels, h, w] image, out-of-image pixels `outside` (channel 0 only). */
function crop(image: Float32Array, h: number, w: number, top: number, left: number, rows: number, cols: number, outside: number): Float32Array {
  const out = new Float32Array(rows * cols).fill(outside);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      const [iy, ix] = [top + y, left + x];
      if (iy >= 0 && iy < h && ix >= 0 && ix < w) out[y * cols + x] = image[iy * w + ix];
    }
  return out;
}

/** The top-9 patches of one unit, and beside them each image's DeConvNet projection cropped to the same receptive field. */
async function showUnit(): Promise<void> {
  const c = classifier;
  if (!c) throw new Error('no classifier loaded');
  const layer = $<HTMLSelectElement>('layer').value;
  if (!layer) return; // the caption says why there is none
  const channels = c.model.outputOf(layer).shape[0];
  const channel = num('channel');
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels)
    throw new Error(`layer ${layer} has channels 0..${channels - 1}, not ${$<HTMLInputElement>('channel').value}`);
  const searched = Math.max(9, Math.min(num('search') || 1000, c.test.count));
  say(`Finding the 9 strongest responses of ${layer} channel ${channel} in ${searched} test images, then projecting each back to pixels…`);
  const patches = await topPatches(c.model, take(c.test, searched), layer, channel, 9);
  const row = summary(c.model).rows.find((r) => r.name === layer)!;
  const [field, fieldW] = row.receptiveField;
  const [, h, w] = c.test.shape;
  const per = sizeOf(c.test.shape);
  const images: HTMLCanvasElement[] = [];
  const projections: HTMLCanvasElement[] = [];
  let inside = 1;
  const magnitude = (xs: Float32Array) => xs.reduce((a, v) => a + Math.abs(v), 0);
  for (const p of patches) {
    const input = c.test.images.subarray(p.image * per, (p.image + 1) * per);
    const projection = await deconvProject(c.model, { layer, channel, input });
    // The unit's full receptive field (as summary() gives it), also where it hangs over the image's edge.
    const top = row.fieldOffset[0] + p.y * row.stride[0];
    const left = row.fieldOffset[1] + p.x * row.stride[1];
    const image = greyCanvas(crop(input, h, w, top, left, field, fieldW, c.black), field, fieldW, CELL);
    const cropped = crop(projection.image, h, w, top, left, field, fieldW, 0);
    inside = Math.min(inside, magnitude(cropped) / (magnitude(projection.image) || 1));
    const projected = divergingCanvas(cropped, field, fieldW, CELL);
    image.title = projected.title = `test image ${p.image}: ${p.value.toFixed(3)} at (${p.y}, ${p.x})`;
    images.push(image);
    projections.push(projected);
  }
  $('patches').replaceChildren(grid(images, `the 9 test patches (${field}x${fieldW} receptive fields) ${layer} channel ${channel} responds to most`));
  $('projections').replaceChildren(grid(projections, 'their DeConvNet projections (red raises the unit, blue lowers it)'));
  $('unit-caption').textContent =
    `${layer}: receptive field ${field}x${fieldW}, stride ${row.stride.join('x')}; strongest responses ${patches.map((p) => p.value.toFixed(2)).join(', ')} (test images ${patches.map((p) => p.image).join(', ')}).`;
  window.visualiseDemo.unit = { layer, channel, patches: images.length, projections: projections.length, values: patches.map((p) => p.value), inside };
  say(`Showing ${layer} channel ${channel} of ${c.key}.`);
}

/** The first test images as small pictures; a click shows that image's saliency. */
function drawThumbs(): void {
  const target = $('thumbs');
  target.replaceChildren();
  for (let i = 0; i < 24; i++) {
    const canvas = greyCanvas(rawTest.images.subarray(i * 784, (i + 1) * 784), 28, 28, 42, [0, 1]);
    canvas.title = `test image ${i}: ${FASHION_MNIST_CLASSES[rawTest.labels[i]]}`;
    canvas.onclick = () => {
      $<HTMLInputElement>('image-index').value = String(i);
      $<HTMLSelectElement>('class').value = 'predicted';
      void run(showSaliency);
    };
    target.append(canvas);
  }
}

/** One test image, its predicted class and probability, and the saliency map of the chosen class (default the predicted one). */
async function showSaliency(): Promise<void> {
  const c = classifier;
  if (!c) throw new Error('no classifier loaded');
  const index = num('image-index');
  if (!Number.isInteger(index) || index < 0 || index >= c.test.count)
    throw new Error(`test image must be 0..${c.test.count - 1}, not ${$<HTMLInputElement>('image-index').value}`);
  const per = sizeOf(c.test.shape);
  const input = c.test.images.slice(index * per, (index + 1) * per);
  const logits = await c.model.predict(input);
  const top = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - top));
  const total = e.reduce((a, b) => a + b, 0);
  const predicted = logits.indexOf(top);
  const choice = $<HTMLSelectElement>('class').value;
  const classIndex = choice === 'predicted' ? predicted : Number(choice);
  const map = await saliency(c.model, input, classIndex);
  const [, h, w] = c.test.shape;
  $('saliency-image').replaceChildren(greyCanvas(input, h, w, 168));
  $('saliency-map').replaceChildren(heatCanvas(map.map, h, w, 168));
  const truth = FASHION_MNIST_CLASSES[rawTest.labels[index]];
  $('prediction').textContent =
    `Test image ${index} (${truth}): predicted ${c.classNames[predicted]} with probability ${(e[predicted] / total).toFixed(3)}. ` +
    `The map is the gradient of ${c.classNames[classIndex]}'s score (${map.score.toFixed(2)}) with respect to the pixels.` +
    (c.classNames.includes(truth) ? '' : ` (${truth} is not among this network's classes.)`);
  window.visualiseDemo.saliency = { image: index, classIndex, predicted: c.classNames[predicted], probability: e[predicted] / total };
  say(`Showing the saliency of test image ${index} for ${c.classNames[classIndex]}.`);
}

/** A segmentation model: untrained (seed 1), or a run's weights; normalised as the file says, else with the scenes' own statistics. */
async function loadSegmenter(bytes: Uint8Array | null, file: string | null): Promise<void> {
  let key = $<HTMLSelectElement>('seg-model').value;
  let metadata: Record<string, string> = {};
  if (bytes && file) {
    const parsed = parseSafetensors(bytes, file);
    metadata = parsed.metadata;
    // A file that names its model picks it; one that names none is loaded into the chosen one.
    if (metadata.model || metadata.model_key || metadata.run_config) key = modelKeyOf(metadata, file, SEGMENTERS);
  }
  const model = MODELS[key]().build(backend, { seed: 1 });
  try {
    if (bytes && file) loadCheckpoint(model, bytes, file);
  } catch (e) {
    model.dispose();
    throw e;
  }
  let mean = numberOr(metadata.input_mean, Number.NaN);
  let std = numberOr(metadata.input_std, Number.NaN);
  let normalisation = `mean ${mean.toFixed(4)}, std ${std.toFixed(4)} (the file's)`;
  if (!Number.isFinite(mean) || !Number.isFinite(std)) {
    ({ mean, std } = meanStd(segmentationScenes(rawTest, { count: 256, size: SCENE_SIZE, seed: SCENE_SEED }).images));
    normalisation = `mean ${mean.toFixed(4)}, std ${std.toFixed(4)} (256 test scenes'; ${file ? 'the file records none' : 'no file'})`;
  }
  segmenter?.model.dispose();
  segmenter = { model, key, file, mean, std, normalisation };
  $<HTMLSelectElement>('seg-model').value = key;
}

/** The first scenes of the test set: image | truth | prediction, with the pixel accuracy of each. */
async function showSegmentation(): Promise<void> {
  const s = segmenter;
  if (!s) throw new Error('no segmentation model loaded');
  const count = num('seg-count');
  if (!Number.isInteger(count) || count < 1 || count > 32) throw new Error(`scenes must be 1..32, not ${$<HTMLInputElement>('seg-count').value}`);
  say(`Labelling ${count} test scenes with ${s.key}…`);
  const scenes = segmentationScenes(rawTest, { count, size: SCENE_SIZE, seed: SCENE_SEED });
  const logits = await s.model.predict(normalize(Float32Array.from(scenes.images), s.mean, s.std));
  const labels = s.model.output.shape[0];
  const plane = SCENE_SIZE * SCENE_SIZE;
  const rows: HTMLElement[] = [];
  let right = 0;
  for (let n = 0; n < count; n++) {
    const predicted = new Uint8Array(plane);
    const base = n * labels * plane;
    for (let i = 0; i < plane; i++) {
      let best = 0;
      for (let k = 1; k < labels; k++) if (logits[base + k * plane + i] > logits[base + best * plane + i]) best = k;
      predicted[i] = best;
    }
    const truth = scenes.targets!.subarray(n * plane, (n + 1) * plane);
    const hits = predicted.reduce((a, p, i) => a + (p === truth[i] ? 1 : 0), 0);
    right += hits;
    const row = document.createElement('figure');
    row.append(
      greyCanvas(scenes.images.subarray(n * plane, (n + 1) * plane), SCENE_SIZE, SCENE_SIZE, 128, [0, 1]),
      labelCanvas(truth, SCENE_SIZE, SCENE_SIZE, 128),
      labelCanvas(predicted, SCENE_SIZE, SCENE_SIZE, 128),
    );
    const caption = document.createElement('figcaption');
    caption.textContent = `scene ${n}: image | truth | prediction, ${((100 * hits) / plane).toFixed(1)}% of pixels right`;
    row.append(caption);
    rows.push(row);
  }
  $('scenes').replaceChildren(...rows);
  $('legend').replaceChildren(legend(sceneLabelNames(FASHION_MNIST_CLASSES)));
  const accuracy = right / (count * plane);
  $('seg-note').textContent = s.file
    ? `${s.file}${s.file === SHIPPED_SEGMENTER.split('/').pop() ? ' (shipped with the demo: the recorded 40-minute run of npm run train -- --task segment, test mean IoU 0.497 on 1,000 scenes)' : ''}: ${s.key}, inputs normalised with ${s.normalisation}; pixel accuracy ${accuracy.toFixed(3)} on these ${count} scenes.`
    : `Untrained: ${s.key} with random weights (seed 1), so the predictions are noise. Load a run's weights.safetensors to see what it learned. Inputs normalised with ${s.normalisation}.`;
  $('seg-note').className = s.file ? '' : 'warn';
  window.visualiseDemo.segmentation = { model: s.key, trained: s.file !== null, scenes: count, pixelAccuracy: accuracy };
  say(`Showing ${count} test scenes labelled by ${s.key}.`);
}

/** Reads a picked file; an unreadable one is an error that names it. */
async function bytesOf(input: HTMLInputElement): Promise<{ bytes: Uint8Array; file: string } | null> {
  const f = input.files?.[0];
  if (!f) return null;
  return { bytes: new Uint8Array(await f.arrayBuffer()), file: f.name };
}

/** A classifier shipped in demo/pretrained: LeNet-5 (the default) or the recorded run's resnet20. */
async function loadShipped(url = SHIPPED): Promise<void> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} (npm run transfer -- --ship, or the recorded resnet20 run, writes it)`);
  await loadClassifier(new Uint8Array(await res.arrayBuffer()), url.split('/').pop()!, 'shipped with the demo');
}

async function start(): Promise<void> {
  backend = await backendFor('webgpu', $('webgpu-warning'));
  say('Loading the Fashion-MNIST test split…');
  rawTest = await fetchIdxSplit('/datasets/fashion-mnist', 'test');
  const handed = new URLSearchParams(location.search).get('from') === 'train' ? await takeHandover() : null;
  if (new URLSearchParams(location.search).get('from') === 'train' && !handed)
    say('The Train page handed over no model (train one there and press Visualise); showing the shipped LeNet-5.', true);
  if (handed) await loadClassifier(handed, 'the Train page\u2019s model', 'trained on the Train page');
  else await loadShipped();
  $<HTMLButtonElement>('show-segmentation').disabled = false;
  await showUnit();
  await showSaliency();
  await loadShippedSegmenter();
  await showSegmentation();
}

/** The shipped unet-mini of the recorded run; without it (a build that left it out), an untrained one, said so. */
async function loadShippedSegmenter(): Promise<void> {
  const res = await fetch(SHIPPED_SEGMENTER);
  if (!res.ok) {
    say(`${SHIPPED_SEGMENTER}: HTTP ${res.status}; showing an untrained unet-mini`, true);
    await loadSegmenter(null, null);
    return;
  }
  await loadSegmenter(new Uint8Array(await res.arrayBuffer()), SHIPPED_SEGMENTER.split('/').pop()!);
}

$('shipped').onclick = () =>
  run(async () => {
    await loadShipped();
    await showUnit();
    await showSaliency();
  });
$('shipped-resnet20').onclick = () =>
  run(async () => {
    await loadShipped(SHIPPED_RESNET20);
    await showUnit();
    await showSaliency();
  });
$<HTMLInputElement>('weights').onchange = (e) =>
  run(async () => {
    const picked = await bytesOf(e.target as HTMLInputElement);
    if (!picked) return;
    try {
      await loadClassifier(picked.bytes, picked.file, 'your file');
    } catch (err) {
      throw new Error(`not loaded: ${(err as Error).message}`);
    }
    await showUnit();
    await showSaliency();
  });
$('layer').onchange = syncChannel;
$('show-unit').onclick = () => run(showUnit);
$('show-saliency').onclick = () => run(showSaliency);
$('image-index').onchange = () => {
  $<HTMLSelectElement>('class').value = 'predicted';
  void run(showSaliency);
};
$('class').onchange = () => run(showSaliency);
$<HTMLInputElement>('seg-weights').onchange = (e) =>
  run(async () => {
    const picked = await bytesOf(e.target as HTMLInputElement);
    if (!picked) return;
    try {
      await loadSegmenter(picked.bytes, picked.file);
    } catch (err) {
      throw new Error(`not loaded: ${(err as Error).message}`);
    }
    await showSegmentation();
  });
// Another model: untrained until its weights are picked (the file input is cleared, so the same file can be picked again).
$('seg-model').onchange = () =>
  run(async () => {
    $<HTMLInputElement>('seg-weights').value = '';
    await loadSegmenter(null, null);
    await showSegmentation();
  });
$('show-segmentation').onclick = () => run(showSegmentation);
void run(start);
