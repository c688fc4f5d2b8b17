// The Train page: pick data, model and optimizer; start, pause, resume, reset; watch the
// curves, filters, confusion matrix, test predictions and activation maps; save and
// load weights. `window.trainDemo` exposes the page's state to the end-to-end tests.
import { sizeOf } from '../src/shape';
import { jobModel, optimizerConfig, TRAIN_AUGMENTATION } from '../tools/jobs/train_job';
import { exportOnnx } from '../src/io/onnx/onnx_export';
import { exportStateDict } from '../src/io/state_dict';
import { runFileDisagreement } from '../src/io/checkpoint_metadata';
import { safetensorsMetadata } from '../src/io/safetensors';
import type { Backend } from '../src/backends/backend';
import { meanStd, normalize, take, type Dataset } from '../src/data/dataset';
import { FASHION_MNIST_CLASSES, fetchIdxSplit } from '../src/data/fashion_mnist';
import { datasetsFromFiles, type SplitDatasets } from '../src/data/files';
import type { Model } from '../src/nn/model';
import { Trainer } from '../src/training/trainer';
import { summary } from '../src/nn/summary';
import { topPatches } from '../src/nn/top_patches';
import { MODELS, TRAINABLE_HERE } from '../src/nn/zoo';
import { tensor } from '../src/tensor';
import { saveCheckpoint } from '../src/io/checkpoint';
import { putHandover } from './ui/handover';
import { $, backendFor } from './ui/backend_choice';
import { imageCanvas } from './ui/images';
import { drawCurves, emptyCurves, renderActivations, renderConfusion, renderFilters, renderSamples, type Curves } from './ui/train_view';

type State = 'idle' | 'running' | 'paused' | 'done' | 'error';

declare global {
  interface Window {
    trainDemo: { state: State; losses: number[]; epochsDone: number; testAccuracy: number | null; error: string | null };
  }
}

const num = (id: string) => Number($<HTMLInputElement>(id).value);

interface Session {
  backend: Backend;
  model: Model;
  trainer: Trainer;
  data: SplitDatasets & { mean: number; std: number };
  curves: Curves;
  step: number;
  abort: AbortController;
  /** The running fit, if any: Reset disposes the session's GPU memory only after it has settled. */
  fitting: Promise<void> | null;
}

let session: Session | null = null;
/** What the last session's initial weights came from, for the status line. */
let initReport = '';
let resume: (() => void) | null = null;
let serverData: SplitDatasets | null = null;
window.trainDemo = { state: 'idle', losses: [], epochsDone: 0, testAccuracy: null, error: null };

function setState(state: State, message?: string): void {
  window.trainDemo.state = state;
  if (message !== undefined) $('status').textContent = message;
  const active = state === 'running' || state === 'paused';
  $<HTMLButtonElement>('start').disabled = active;
  $<HTMLButtonElement>('pause').disabled = state !== 'running';
  $<HTMLButtonElement>('resume').disabled = state !== 'paused';
  $<HTMLButtonElement>('reset').disabled = session === null;
  for (const id of ['save', 'export-onnx', 'export-torch', 'visualise']) $<HTMLButtonElement>(id).disabled = session === null || active;
  $<HTMLButtonElement>('show-activations').disabled = session === null;
  $<HTMLButtonElement>('show-patches').disabled = session === null || active;
}

/** The picked data, limited and normalised with the training split's statistics (copies; the cache stays raw). */
async function loadData(): Promise<SplitDatasets & { pivot: number; mean: number; std: number }> {
  let raw: SplitDatasets;
  if (document.querySelector<HTMLInputElement>('input[name=source]:checked')!.value === 'files') {
    const files = [...($<HTMLInputElement>('files').files ?? [])];
    raw = await datasetsFromFiles(await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }))));
  } else {
    serverData ??= {
      train: await fetchIdxSplit('/datasets/fashion-mnist', 'train'),
      test: await fetchIdxSplit('/datasets/fashion-mnist', 'test'),
      classes: FASHION_MNIST_CLASSES,
      source: 'Fashion-MNIST',
    };
    raw = serverData;
  }
  const train = take(raw.train, Math.min(num('limit'), raw.train.count));
  const test = take(raw.test, Math.min(num('test-limit'), raw.test.count));
  const { mean, std } = meanStd(train.images);
  const normalized = (d: Dataset): Dataset => ({ ...d, images: normalize(Float32Array.from(d.images), mean, std) });
  // pivot: where black lands after normalising (augmentation's contrast pivots around it).
  return { ...raw, train: normalized(train), test: normalized(test), pivot: -mean / std, mean, std };
}

/** Builds the model and trainer for the current choices (data loaded once per session). */
async function ensureSession(): Promise<Session> {
  if (session) return session;
  const data = await loadData();
  const backend = await backendFor($<HTMLSelectElement>('backend').value as 'webgpu' | 'cpu', $('webgpu-warning'), $<HTMLSelectElement>('backend'));
  // The model of the picker, or the network of a .onnx file, or the picker's with a state dict's weights.
  const initFile = $<HTMLInputElement>('init').files?.[0];
  const init = initFile ? new Uint8Array(await initFile.arrayBuffer()) : undefined;
  const picked = { model: $<HTMLSelectElement>('model').value, dataset: 'fashion-mnist' as const, seed: 1, init: initFile?.name };
  const { model, init: loaded } = jobModel(picked, init, data.train, backend);
  if (loaded)
    initReport = `${loaded.file} (${loaded.kind}): ${loaded.loaded} tensors loaded${loaded.skipped.length ? `, ${loaded.skipped.length} skipped` : ''}${loaded.missing.length ? `, ${loaded.missing.length} kept fresh` : ''}`;
  const batch = num('batch');
  const epochs = num('epochs');
  const config = { optimizer: $<HTMLSelectElement>('optimizer').value as 'adam', lr: num('lr'), schedule: 'cosine' as const, epochs };
  const trainer = new Trainer(model, {
    optimizer: optimizerConfig(config, Math.floor(data.train.count / batch)),
    batchSize: batch,
    seed: 1,
    augment: $<HTMLInputElement>('augment').checked ? { ...TRAIN_AUGMENTATION, pivot: data.pivot } : undefined,
  });
  session = { backend, model, trainer, data, curves: emptyCurves(), step: 0, abort: new AbortController(), fitting: null };
  $('patch-layer').replaceChildren(...mapLayers(model).map((name) => Object.assign(document.createElement('option'), { value: name, textContent: name })));
  return session;
}

async function showFilters(s: Session): Promise<void> {
  const first = s.model.params().find((p) => p.layer.kind === 'conv2d' && p.spec.name === 'weight');
  if (first) renderFilters($('filters'), await first.tensor.read(), first.tensor.shape);
}

/** The layers whose outputs are maps ([channels, height, width]): what activations and patches can show. */
const mapLayers = (model: Model) => model.nodes.filter((n) => n.output.shape.length === 3).map((n) => n.layer.name);

/** Runs the model eagerly (inference mode) on one test image and shows the maps every layer outputs. */
async function showActivations(s: Session): Promise<void> {
  const test = s.data.test;
  const index = Math.max(0, Math.min(num('image-index'), test.count - 1));
  const per = sizeOf(test.shape);
  const x = tensor(s.backend, test.images.slice(index * per, (index + 1) * per), [1, ...test.shape]);
  const values = s.model.forwardAll({ training: false, use: (t) => t }, x);
  const maps = [];
  for (const node of s.model.nodes) {
    if (node.output.shape.length !== 3) continue;
    const out = values.get(node.output.id)!;
    maps.push({ layer: node.layer.name, data: await out.read(), shape: out.shape.slice(1) });
  }
  for (const t of new Set(values.values())) t.dispose();
  renderActivations($('activations'), maps);
}

/** The 9 crops of the first 1,000 test images that excite the chosen filter most, each its receptive field. */
async function showPatches(s: Session): Promise<void> {
  const layer = $<HTMLSelectElement>('patch-layer').value;
  const patches = await topPatches(s.model, take(s.data.test, 1000), layer, num('patch-channel'), 9);
  const row = summary(s.model).rows.find((r) => r.name === layer)!;
  $('patch-field').textContent = `receptive field ${row.receptiveField.join('x')}, stride ${row.stride.join('x')}`;
  const target = $('patches');
  target.replaceChildren();
  const [channels] = s.data.test.shape;
  for (const p of patches) {
    const cell = document.createElement('div');
    cell.append(
      imageCanvas(p.pixels, channels, p.height, p.width, Math.max(2, Math.floor(56 / Math.max(p.height, p.width)))),
      document.createElement('br'),
      `#${p.image}: ${p.value.toFixed(2)}`,
    );
    target.append(cell);
  }
}

async function train(): Promise<void> {
  setState('running', 'Loading data…');
  const s = await ensureSession();
  setState(
    'running',
    `Training ${s.model.name} on ${s.data.source} (${s.data.train.count} examples) with ${s.backend.name}${initReport ? `, starting from ${initReport}` : ''}…`,
  );
  let lastDraw = 0;
  const fitting = s.trainer.fit(s.data.train, {
    epochs: num('epochs'),
    signal: s.abort.signal,
    onBatch: async (b) => {
      s.step++;
      window.trainDemo.losses.push(b.loss);
      s.curves.trainLoss.push([s.step, b.loss]);
      s.curves.trainAccuracy.push([s.step, b.accuracy]);
      const progress = $<HTMLProgressElement>('progress');
      progress.value = (b.epoch - 1 + b.batch / b.batches) / num('epochs');
      const now = performance.now();
      if (now - lastDraw > 1000 || b.batch === b.batches) {
        lastDraw = now;
        drawCurves($('loss-chart'), $('accuracy-chart'), s.curves);
        $('status').textContent =
          `epoch ${b.epoch}, step ${b.batch}/${b.batches}: loss ${b.loss.toFixed(4)}, accuracy ${b.accuracy.toFixed(3)}, ${b.imagesPerSecond.toFixed(1)} images/s, ETA ${Math.round(b.etaSeconds)} s`;
        await showFilters(s);
      }
      if (window.trainDemo.state === 'paused') await new Promise<void>((r) => (resume = r));
    },
    onEpoch: async (e) => {
      const r = await s.trainer.evaluate(s.data.test);
      s.curves.testLoss.push([s.step, r.loss]);
      s.curves.testAccuracy.push([s.step, r.accuracy]);
      drawCurves($('loss-chart'), $('accuracy-chart'), s.curves);
      renderConfusion($('confusion'), r.confusion, s.data.classes);
      renderSamples($('samples'), s.data.test, r.predictions, s.data.classes);
      await showActivations(s);
      window.trainDemo.epochsDone = e.epoch;
      window.trainDemo.testAccuracy = r.accuracy;
      $('status').textContent = `epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, test accuracy ${r.accuracy.toFixed(4)}, ${e.imagesPerSecond.toFixed(1)} images/s`;
    },
  });
  s.fitting = fitting.then(
    () => undefined,
    () => undefined,
  );
  await fitting;
  setState('done', `${$('status').textContent} — done. Start trains further; Reset starts over.`);
}

function fail(e: unknown): void {
  if ((e as Error).name === 'AbortError') return;
  window.trainDemo.error = (e as Error).message;
  // A diverged fit is not a crash: the weights are back to the last good ones, and the message says what to change.
  const rule = (e as { rule?: string }).rule;
  setState(
    'error',
    (e as Error).name === 'DivergenceError' ? `Stopped: training diverged (rule ${rule}). ${(e as Error).message}` : `Error: ${(e as Error).message}`,
  );
}

function reset(): void {
  const s = session;
  session = null;
  initReport = '';
  window.trainDemo = { state: 'idle', losses: [], epochsDone: 0, testAccuracy: null, error: null };
  if (s) {
    s.abort.abort();
    resume?.();
    // The aborted fit finishes its queued steps first; then the session's GPU memory goes.
    void (s.fitting ?? Promise.resolve()).then(() => {
      s.trainer.dispose();
      s.model.dispose();
    });
  }
  for (const id of ['filters', 'confusion', 'samples', 'activations', 'patches']) $(id).replaceChildren();
  drawCurves($('loss-chart'), $('accuracy-chart'), emptyCurves());
  $<HTMLProgressElement>('progress').value = 0;
  setState('idle', 'Reset. Pick data and a model, then Start.');
}

function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

for (const name of TRAINABLE_HERE) $('model').append(new Option(name, name, name === 'conv-bn', name === 'conv-bn'));
$('start').onclick = () => train().catch(fail);
$('pause').onclick = () => setState('paused', 'Paused.');
$('resume').onclick = () => {
  setState('running', 'Resumed.');
  resume?.();
  resume = null;
};
$('reset').onclick = reset;
$('save').onclick = async () => {
  if (session) download(await session.trainer.saveCheckpoint(), `${session.model.name}.safetensors`);
};
// The Visualise page opens (in a new tab) with these weights, handed over in IndexedDB with what it needs to rebuild the model.
async function handOver(): Promise<void> {
  if (!session) return;
  const key = $<HTMLSelectElement>('model').value;
  if ($<HTMLInputElement>('init').files?.[0]?.name.toLowerCase().endsWith('.onnx') || session.model.name !== MODELS[key]().name) {
    $('status').textContent = `Not handed over: the Visualise page rebuilds zoo models, and ${session.model.name} is not the picker's ${key}.`;
    return;
  }
  const metadata = { model_key: key, input_mean: String(session.data.mean), input_std: String(session.data.std) };
  await putHandover(await saveCheckpoint(session.model, undefined, { metadata }));
  if (!window.open('./visualise.html?from=train', '_blank'))
    $('status').textContent = 'Handed over: open visualise.html?from=train (the browser blocked the new tab).';
}
$('visualise').onclick = () => handOver().catch((e) => ($('status').textContent = `Not handed over: ${(e as Error).message}`));
$('export-onnx').onclick = async () => {
  if (session) download(await exportOnnx(session.model), `${session.model.name}.onnx`);
};
$('export-torch').onclick = async () => {
  if (session) download(await exportStateDict(session.model), `${session.model.name}.torch.safetensors`);
};
/**
 * Why a weights file of `npm run train` and the run's metrics.json picked with it are not
 * files of one run (another run's, or an older or newer file than metrics.json names), or null.
 */
async function runFilesProblem(file: File, bytes: Uint8Array<ArrayBuffer>, metricsFile: File | undefined): Promise<string | null> {
  if (!metricsFile) return null;
  let metrics: unknown;
  try {
    metrics = JSON.parse(await metricsFile.text());
  } catch (e) {
    return `${metricsFile.name} is not JSON (${(e as Error).message})`;
  }
  const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
  return runFileDisagreement(file.name, safetensorsMetadata(bytes, file.name), digest, metrics);
}

$<HTMLInputElement>('load').onchange = async (ev) => {
  // A weights file, and optionally the metrics.json of its run folder: then they must agree.
  const files = [...((ev.target as HTMLInputElement).files ?? [])];
  const file = files.find((f) => !f.name.toLowerCase().endsWith('.json'));
  if (!file) return;
  try {
    const s = await ensureSession();
    if (window.trainDemo.state === 'running' || window.trainDemo.state === 'paused') {
      $('status').textContent = `Not loaded: ${s.model.name} is training. Reset (or let it finish) first, then load ${file.name}.`;
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const problem = await runFilesProblem(
      file,
      bytes,
      files.find((f) => f.name.toLowerCase().endsWith('.json')),
    );
    if (problem) {
      $('status').textContent = `Not loaded: ${problem}.`;
      return;
    }
    s.trainer.loadCheckpoint(bytes, file.name);
    await showFilters(s);
    await showActivations(s);
    setState(window.trainDemo.state === 'done' ? 'done' : 'idle', `Loaded ${file.name} into ${s.model.name}.`);
  } catch (e) {
    fail(e);
  }
};
$('show-activations').onclick = () => session && showActivations(session).catch(fail);
$('show-patches').onclick = () => session && showPatches(session).catch(fail);
drawCurves($('loss-chart'), $('accuracy-chart'), emptyCurves());
setState('idle');
