// The Train page: pick data, model and optimizer; start, pause, resume, reset; watch the
// curves, the filters, and (live, every few steps) the confusion matrix, the test
// predictions and the activation maps; see health warnings; save and load weights.
// The session runs in this thread on WebGPU and in a worker on the CPU (train_client.ts).
// `window.trainDemo` exposes the page's state to the end-to-end tests.
import { TRAINABLE_HERE } from '../src/nn/zoo';
import { $ } from './ui/backend_choice';
import { curvesAt, emptyCurves, TrainingCharts, type TrainingCurves } from './ui/charts';
import { putHandover } from './ui/handover';
import { pageClient, type TrainClient, workerClient } from './ui/train_client';
import type { HealthWarning } from './ui/train_health';
import { checkTrainForm, formatDuration } from './ui/train_plan';
import { probed, rememberSpeed, showEstimate, showPlan } from './ui/train_plan_view';
import type { BatchEvent, SessionConfig, SessionEvent, SessionInfo } from './ui/train_session';
import { renderActivations, renderConfusion, renderFilters, renderPatches, renderSamples } from './ui/train_view';

type State = 'idle' | 'running' | 'paused' | 'done' | 'error';

declare global {
  interface Window {
    trainDemo: {
      state: State;
      losses: number[];
      epochsDone: number;
      testAccuracy: number | null;
      error: string | null;
      /** Live evaluations shown so far, and whether one runs now. */
      evaluations: number;
      evaluating: boolean;
      /** Health warnings shown (their rules). */
      warnings: string[];
      /** Where the session runs. */
      backend: string | null;
      inWorker: boolean;
    };
  }
}

const num = (id: string) => Number($<HTMLInputElement>(id).value);
const fresh = (): Window['trainDemo'] => ({
  state: 'idle',
  losses: [],
  epochsDone: 0,
  testAccuracy: null,
  error: null,
  evaluations: 0,
  evaluating: false,
  warnings: [],
  backend: null,
  inWorker: false,
});
window.trainDemo = fresh();

let client: TrainClient | null = null;
let info: SessionInfo | null = null;
let curves: TrainingCurves = emptyCurves();
const charts = new TrainingCharts($('loss-chart'), $('accuracy-chart'));
/** The last step's report, what an evaluation is doing, and the run's epochs: the status line is made from them. */
let lastBatch: BatchEvent | null = null;
let evaluating: { scope: 'live' | 'epoch'; images: number; step: number } | null = null;
let runEpochs = 0;
/** Epochs trained before this run (a second Start trains further). */
let epochOffset = 0;
let finalLine = 'Pick data and a model, then Start.';

function setState(state: State, message?: string): void {
  window.trainDemo.state = state;
  if (message !== undefined) finalLine = message;
  const active = state === 'running' || state === 'paused';
  $<HTMLButtonElement>('start').disabled = active;
  $<HTMLButtonElement>('pause').disabled = state !== 'running';
  $<HTMLButtonElement>('resume').disabled = state !== 'paused';
  $<HTMLButtonElement>('reset').disabled = client === null;
  for (const id of ['save', 'save-metrics', 'export-onnx', 'export-torch', 'visualise']) $<HTMLButtonElement>(id).disabled = client === null || active;
  $<HTMLButtonElement>('show-activations').disabled = client === null;
  $<HTMLButtonElement>('show-patches').disabled = client === null || active;
  showStatus();
}

/** The status line, from the state: what runs now, or how it ended. */
function showStatus(): void {
  const s = window.trainDemo.state;
  const b = lastBatch;
  let text = finalLine;
  if (s === 'running' && evaluating)
    text =
      evaluating.scope === 'live'
        ? `Evaluating on the test set: the first ${evaluating.images} test images, at step ${evaluating.step}…`
        : `Evaluating on the test set: all ${evaluating.images} test images, after epoch ${b?.epoch ?? 1}…`;
  else if (s === 'running' && b)
    text =
      `Epoch ${b.epoch} of ${epochOffset + runEpochs}, step ${b.batch}/${b.batches}: loss ${b.loss.toFixed(4)}, ` +
      `train accuracy ${b.accuracy.toFixed(3)} (this epoch so far), ${b.imagesPerSecond.toFixed(1)} images/s, ` +
      (b.etaSeconds === null ? 'measuring the speed…' : `about ${formatDuration(b.etaSeconds)} left of the whole run`);
  else if (s === 'paused' && b) text = `Paused at epoch ${b.epoch}, step ${b.batch}/${b.batches}. Resume goes on; Reset starts over.`;
  else if (s === 'paused') text = 'Paused. Resume goes on; Reset starts over.';
  $('status').textContent = text;
}

/** The form as the session takes it. */
function formConfig(): SessionConfig {
  const init = $<HTMLInputElement>('init').files?.[0];
  return {
    source: document.querySelector<HTMLInputElement>('input[name=source]:checked')!.value as 'server' | 'files',
    files: [],
    limit: num('limit'),
    testLimit: num('test-limit'),
    model: $<HTMLSelectElement>('model').value,
    init: init ? { name: init.name, bytes: new Uint8Array() } : null,
    optimizer: $<HTMLSelectElement>('optimizer').value as SessionConfig['optimizer'],
    lr: num('lr'),
    batch: num('batch'),
    epochs: num('epochs'),
    augment: $<HTMLInputElement>('augment').checked,
    backend: $<HTMLSelectElement>('backend').value as 'webgpu' | 'cpu',
  };
}

/**
 * Shows each bad field's message beside it; true when the form can start. With `shown`,
 * only the messages already on screen change (typing fixes them; new ones wait for Start,
 * so nothing moves under a click on it).
 */
function checkForm(shown = false): boolean {
  const errors = checkTrainForm({ limit: num('limit'), testLimit: num('test-limit'), lr: num('lr'), batch: num('batch'), epochs: num('epochs') });
  for (const id of ['limit', 'test-limit', 'lr', 'batch', 'epochs'] as const) {
    if (shown && !$(`${id}-error`).textContent) continue;
    $(`${id}-error`).textContent = errors[id] ?? '';
    $(id).classList.toggle('invalid', errors[id] !== undefined);
  }
  return Object.keys(errors).length === 0;
}

/** Opens a session for the form's choices (data and model), in a worker for the CPU backend. */
async function ensureClient(): Promise<TrainClient> {
  if (client) return client;
  await probed;
  const config = formConfig();
  const files = [...($<HTMLInputElement>('files').files ?? [])];
  if (config.source === 'files') config.files = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
  const init = $<HTMLInputElement>('init').files?.[0];
  if (init) config.init = { name: init.name, bytes: new Uint8Array(await init.arrayBuffer()) };
  const c: TrainClient = config.backend === 'cpu' ? workerClient((e) => client === c && onEvent(e)) : pageClient((e) => client === c && onEvent(e));
  client = c;
  curves = emptyCurves();
  try {
    info = await c.open(config);
  } catch (e) {
    client = null;
    await c.dispose();
    throw e;
  }
  curves.chance = info.chance;
  curves.liveImages = info.liveCount;
  curves.testImages = info.testCount;
  window.trainDemo.backend = info.backend;
  window.trainDemo.inWorker = c.inWorker;
  const layers = $<HTMLSelectElement>('patch-layer');
  layers.replaceChildren(...info.mapLayers.map((name) => new Option(name, name, name === info!.deepestConv, name === info!.deepestConv)));
  return c;
}

function onEvent(e: SessionEvent): void {
  const d = window.trainDemo;
  switch (e.type) {
    case 'batch': {
      lastBatch = e;
      d.losses.push(e.loss);
      const i = curvesAt(curves, e.step);
      curves.loss[i] = e.loss;
      curves.accuracy[i] = e.accuracy;
      $<HTMLProgressElement>('progress').value = e.runStep / e.runSteps;
      if (e.speed) showEstimate(e.speed, e);
      throttled();
      return;
    }
    case 'evaluating':
      evaluating = e;
      d.evaluating = true;
      showStatus();
      return;
    case 'evaluation': {
      evaluating = null;
      d.evaluating = false;
      if (e.scope === 'live') d.evaluations++;
      const i = curvesAt(curves, e.step);
      (e.scope === 'live' ? curves.liveLoss : curves.testLoss)[i] = e.loss;
      (e.scope === 'live' ? curves.liveAccuracy : curves.testAccuracy)[i] = e.accuracy;
      const where = `${e.scope === 'live' ? `the first ${e.images} test images` : `all ${e.images} test images`} at step ${e.step}: accuracy ${e.accuracy.toFixed(3)}`;
      $('confusion-caption').textContent = where;
      $('samples-caption').textContent = where;
      renderConfusion($('confusion'), e.confusion, info!.classes);
      renderSamples($('samples'), info!.samples, e.samplePredictions, info!.classes);
      showHealth(e.weightChange, e.every);
      if (lastBatch?.speed) rememberSpeed(lastBatch.speed);
      draw();
      return;
    }
    case 'filters':
      renderFilters($('filters'), e.data, e.shape);
      return;
    case 'activations':
      renderActivations($('activations'), e.view, info!.classes);
      $<HTMLInputElement>('image-index').value = String(e.view.index);
      return;
    case 'health':
      addWarning(e.warning);
      return;
    case 'epoch':
      curves.epochEnds.push(lastBatch?.step ?? 0);
      d.epochsDone = e.epoch;
      d.testAccuracy = e.testAccuracy;
      finalLine = `Epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, train accuracy ${e.accuracy.toFixed(4)}, test accuracy ${e.testAccuracy.toFixed(4)} (${info!.testCount} images), ${e.imagesPerSecond.toFixed(1)} images/s`;
      return;
    case 'paused':
      showStatus();
      return;
  }
}

let lastDraw = 0;
/** Redraws the charts and the status at most every half second (each step would cost the page more than the step). */
function throttled(): void {
  const now = performance.now();
  showStatus();
  if (now - lastDraw > 500) draw();
}
function draw(): void {
  lastDraw = performance.now();
  charts.draw(curves);
}

function addWarning(w: HealthWarning): void {
  window.trainDemo.warnings.push(w.rule);
  const box = $('health');
  box.hidden = false;
  box.classList.add('warn');
  box.querySelector('.health-ok')?.remove();
  const p = document.createElement('p');
  p.className = `health-warning ${w.rule}`;
  p.append(Object.assign(document.createElement('b'), { textContent: 'Warning: ' }), w.message);
  box.append(p);
}

/** The health line after an evaluation: how far the weights moved; warnings stay below it. */
function showHealth(weightChange: number, every: number): void {
  const box = $('health');
  box.hidden = false;
  let ok = box.querySelector<HTMLElement>('.health-line');
  if (!ok) {
    ok = Object.assign(document.createElement('p'), { className: 'health-line' });
    box.prepend(ok);
  }
  const moved = Number.isFinite(weightChange) ? `the weights moved ${(100 * weightChange).toPrecision(2)}% since the last evaluation; ` : '';
  ok.textContent = `Health: ${moved}the next live evaluation in ${every} steps (under a tenth of the time).${window.trainDemo.warnings.length ? '' : ' No warnings.'}`;
}

async function train(): Promise<void> {
  if (!checkForm()) {
    setState(window.trainDemo.state === 'done' ? 'done' : 'idle', 'Not started: the marked fields need another value.');
    return;
  }
  setState('running', 'Loading data and building the model…');
  const c = await ensureClient();
  runEpochs = num('epochs');
  epochOffset = window.trainDemo.epochsDone;
  lastBatch = null;
  const about = `Training ${info!.model} on ${info!.source} (${info!.trainCount} examples) with ${info!.backend}${c.inWorker ? ' in a worker' : ''}${info!.initReport ? `, starting from ${info!.initReport}` : ''}`;
  $('run-info').textContent = `${about}.`;
  setState('running', `${about}…`);
  await c.train(runEpochs);
  if (client !== c) return;
  draw();
  setState(
    'done',
    `${finalLine} — done. Start trains ${runEpochs} more epoch${runEpochs > 1 ? 's' : ''}; Reset starts over.${window.trainDemo.warnings.length ? ' See the warnings below.' : ''}`,
  );
}

function fail(e: unknown, from: TrainClient | null = client): void {
  if ((e as Error).name === 'AbortError' || from !== client) return;
  evaluating = null;
  window.trainDemo.evaluating = false;
  window.trainDemo.error = (e as Error).message;
  // A diverged fit is not a crash: the weights are back to the last good ones, and the message says what to change.
  const rule = (e as { rule?: string }).rule;
  setState(
    'error',
    (e as Error).name === 'DivergenceError' ? `Stopped: training diverged (rule ${rule}). ${(e as Error).message}` : `Error: ${(e as Error).message}`,
  );
  draw();
}

function reset(): void {
  const c = client;
  client = null;
  info = null;
  lastBatch = null;
  evaluating = null;
  window.trainDemo = fresh();
  void c?.dispose();
  for (const id of [
    'filters',
    'confusion',
    'samples',
    'activations',
    'patches',
    'health',
    'run-info',
    'estimate',
    'confusion-caption',
    'samples-caption',
    'patch-field',
  ])
    $(id).replaceChildren();
  $('health').hidden = true;
  $('health').classList.remove('warn');
  curves = emptyCurves();
  draw();
  $<HTMLProgressElement>('progress').value = 0;
  setState('idle', 'Reset: the model, its weights and its curves are gone. Pick data and a model, then Start.');
  showPlan();
}

function download(bytes: Uint8Array, name: string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

for (const name of TRAINABLE_HERE) $('model').append(new Option(name, name, name === 'conv-bn', name === 'conv-bn'));
if (new URLSearchParams(location.search).get('backend') === 'cpu') $<HTMLSelectElement>('backend').value = 'cpu';
$('start').onclick = () => {
  const c = client;
  train().catch((e) => fail(e, client ?? c));
};
$('pause').onclick = () => {
  client?.pause();
  setState('paused');
};
$('resume').onclick = () => {
  client?.resume();
  setState('running');
};
$('reset').onclick = reset;
for (const id of ['limit', 'test-limit', 'lr', 'batch', 'epochs']) $(id).addEventListener('input', () => checkForm(true) && showPlan());
for (const id of ['model', 'backend']) $(id).addEventListener('change', showPlan);
$('save').onclick = async () => {
  if (client) download(await client.checkpoint(), `${info!.model}.safetensors`);
};
$('save-metrics').onclick = async () => {
  if (client) download(new TextEncoder().encode(`${JSON.stringify(await client.metrics(), null, 2)}\n`), 'metrics.json', 'application/json');
};
// The Visualise page opens (in a new tab) with these weights, handed over in IndexedDB with what it needs to rebuild the model.
async function handOver(): Promise<void> {
  if (!client) return;
  const bytes = await client.handover($<HTMLSelectElement>('model').value);
  if (typeof bytes === 'string') {
    $('status').textContent = `Not handed over: ${bytes}.`;
    return;
  }
  await putHandover(bytes);
  if (!window.open('./visualise.html?from=train', '_blank'))
    $('status').textContent = 'Handed over: open visualise.html?from=train (the browser blocked the new tab).';
}
$('visualise').onclick = () => handOver().catch((e) => ($('status').textContent = `Not handed over: ${(e as Error).message}`));
$('export-onnx').onclick = async () => {
  if (client) download(await client.exportOnnx(), `${info!.model}.onnx`);
};
$('export-torch').onclick = async () => {
  if (client) download(await client.exportTorch(), `${info!.model}.torch.safetensors`);
};
$<HTMLInputElement>('load').onchange = async (ev) => {
  // A weights file, and optionally the metrics.json of its run folder: then they must agree.
  const files = [...((ev.target as HTMLInputElement).files ?? [])];
  const file = files.find((f) => !f.name.toLowerCase().endsWith('.json'));
  if (!file) return;
  try {
    if (!client && !checkForm()) return setState('idle', 'Not loaded: the marked fields need another value.');
    const c = await ensureClient();
    const metricsFile = files.find((f) => f.name.toLowerCase().endsWith('.json'));
    const problem = await c.load(
      file.name,
      new Uint8Array(await file.arrayBuffer()),
      metricsFile ? { name: metricsFile.name, text: await metricsFile.text() } : null,
    );
    if (problem) {
      $('status').textContent = `Not loaded: ${problem}.`;
      return;
    }
    const s = window.trainDemo.state;
    setState(s === 'done' || s === 'error' ? s : 'idle', `Loaded ${file.name} into ${info!.model}.`);
  } catch (e) {
    fail(e);
  }
};
$('show-activations').onclick = () =>
  client
    ?.activations(num('image-index'))
    .then((v) => renderActivations($('activations'), v, info!.classes))
    .catch(fail);
$('show-patches').onclick = () =>
  client
    ?.patches($<HTMLSelectElement>('patch-layer').value, num('patch-channel'))
    .then((v) => {
      $('patch-field').textContent = v.field;
      renderPatches($('patches'), v);
    })
    .catch(fail);
draw();
setState('idle');
