// The Explore page: convolution as filtering, the first half of the lecture decks. An image
// (a Fashion-MNIST test image, the visitor's own, a drawing, or the decks' 5x5 example)
// goes through a hand-made or typed kernel with the engine's conv2d on WebGPU (the CPU
// reference without it); the page shows the output map, the output-size formula with its
// numbers, max and average pooling of the map, ReLU, tanh and sigmoid of it, and the
// decks' toy example computed by conv2d. window.exploreDemo tells the end-to-end tests
// what was computed, values included.
import type { Backend } from '../src/backends/backend';
import { FASHION_MNIST_CLASSES, fetchIdxSplit } from '../src/data/fashion_mnist';
import type { Dataset } from '../src/data/dataset';
import { avgpool2d, conv2d, maxpool2d, relu, scope, sigmoid, tanh, type Tensor, tensor } from '../src/index';
import { $, backendFor } from './ui/backend_choice';
import { drawPad } from './ui/draw_pad';
import { checkSettings, FILTERS, formatKernel, formulaText, type Kernel, outputSize, parseKernel, TOY } from './ui/explore_math';
import { extent, figure, type MapRange, mapCanvas, numberTable, rowsOf, scaleFor, short } from './ui/explore_view';
import { greyImage } from './ui/grey_image';

/** A 2-D map of values as the page hands it to the tests. */
interface ValueMap {
  height: number;
  width: number;
  data: number[];
}

declare global {
  interface Window {
    exploreDemo: {
      state: 'loading' | 'ready' | 'error';
      error: string | null;
      /** "webgpu" or "cpu" (no WebGPU in this browser). */
      backend: string;
      /** Finished computations; each change of input or filter makes one more. */
      runs: number;
      /** A computation is under way (or queued behind one). */
      busy: boolean;
      source: string;
      input: ValueMap | null;
      kernel: ValueMap | null;
      settings: { stride: number; padding: number; dilation: number };
      output: ValueMap | null;
      maxPool: ValueMap | null;
      avgPool: ValueMap | null;
      activations: Record<'relu' | 'tanh' | 'sigmoid', ValueMap> | null;
      /** The output-size formula for height and width, numbers filled in. */
      formula: [string, string];
      toy: { output: number[]; matches: boolean } | null;
    };
  }
}
window.exploreDemo = {
  state: 'loading',
  error: null,
  backend: '',
  runs: 0,
  busy: false,
  source: 'dataset',
  input: null,
  kernel: null,
  settings: { stride: 1, padding: 1, dilation: 1 },
  output: null,
  maxPool: null,
  avgPool: null,
  activations: null,
  formula: ['', ''],
  toy: null,
};
const demo = window.exploreDemo;

let backend: Backend;
let testSet: Dataset | null = null;
let uploaded: ValueMap | null = null;
const pad = drawPad(224, 18, () => void refresh());

const mapOf = (data: ArrayLike<number>, height: number, width: number): ValueMap => ({ height, width, data: Array.from(data) });
const source = () => document.querySelector<HTMLInputElement>('input[name=source]:checked')!.value;
const numberField = (id: string) => Number($<HTMLInputElement>(id).value);

/** The image the visitor picked, or a line saying what is missing. */
function currentInput(): ValueMap | string {
  switch (source()) {
    case 'dataset': {
      if (!testSet) return 'the Fashion-MNIST test set is still loading (or failed to: see above)';
      const i = Math.min(Math.max(0, Math.floor(numberField('index'))), testSet.count - 1);
      $('index-label').textContent = `${FASHION_MNIST_CLASSES[testSet.labels[i]]} (image ${i} of ${testSet.count})`;
      return mapOf(testSet.images.subarray(i * 784, (i + 1) * 784), 28, 28);
    }
    case 'upload':
      return uploaded ?? 'pick an image file';
    case 'draw':
      return pad.drawn ? mapOf(pad.read(28), 28, 28) : 'draw something in the black square';
    default:
      return mapOf(TOY.input.flat(), 5, 5);
  }
}

/** Input, kernel and settings run through conv2d, pooling and the activations on the page's backend. */
async function compute(input: ValueMap, k: Kernel, settings: { stride: number; padding: number; dilation: number }, pool: number) {
  const x = tensor(backend, input.data, [1, 1, input.height, input.width]);
  const f = tensor(backend, k.values, [1, 1, k.height, k.width]);
  const made = scope(() => {
    const y = conv2d(x, f, settings);
    const [, , oh, ow] = y.shape;
    const poolable = oh >= pool && ow >= pool;
    return {
      y,
      max: poolable ? maxpool2d(y, pool) : null,
      avg: poolable ? avgpool2d(y, pool) : null,
      relu: relu(y),
      tanh: tanh(y),
      sigmoid: sigmoid(y),
    };
  });
  const read = async (t: Tensor | null) => (t ? mapOf(await t.read(), t.shape[2], t.shape[3]) : null);
  try {
    const [output, maxPool, avgPool, r, th, sg] = await Promise.all([made.y, made.max, made.avg, made.relu, made.tanh, made.sigmoid].map(read));
    return { output: output!, maxPool, avgPool, activations: { relu: r!, tanh: th!, sigmoid: sg! } };
  } finally {
    for (const t of [x, f, ...Object.values(made)]) t?.dispose();
  }
}

/** A map drawn at a size that suits it, captioned with its shape and range. */
function mapFigure(m: ValueMap, caption: string, range: MapRange = 'auto', target = 196): HTMLElement {
  const [lo, hi] = extent(m.data);
  const canvas = mapCanvas(m.data, m.height, m.width, scaleFor(m.height, m.width, target), range);
  const signed = range === 'signed' || (range === 'auto' && lo < -1e-6 && hi > 1e-6);
  const content = m.height * m.width <= 64 ? wrap(canvas, numberTable(rowsOf(m.data, m.height, m.width))) : canvas;
  return figure(content, `${caption}: ${m.height}x${m.width}, ${short(lo)} to ${short(hi)}${signed ? ' (blue < 0 < red)' : ''}`);
}

const wrap = (...children: HTMLElement[]) => {
  const d = document.createElement('div');
  d.className = 'row';
  d.append(...children);
  return d;
};

function showError(message: string): void {
  for (const id of ['output-map', 'pools', 'activations']) $(id).replaceChildren();
  $('status').className = 'error';
  $('status').textContent = message;
  Object.assign(demo, { output: null, maxPool: null, avgPool: null, activations: null });
}

let busy = false;
let again = false;

/** Recomputes everything from the page's fields; changes made while it runs trigger one more pass. */
async function refresh(): Promise<void> {
  if (busy) {
    again = true;
    return;
  }
  busy = demo.busy = true;
  try {
    do {
      again = false;
      try {
        await refreshOnce();
        demo.error = null;
      } catch (e) {
        demo.error = (e as Error).message;
        showError(`Error: ${(e as Error).message}`);
      }
    } while (again);
  } finally {
    busy = demo.busy = false;
  }
}

async function refreshOnce(): Promise<void> {
  $('draw-area').hidden = source() !== 'draw';
  demo.source = source();
  const input = currentInput();
  const settings = { stride: numberField('stride'), padding: numberField('padding'), dilation: numberField('dilation') };
  const problem = checkSettings(settings);
  $('settings-error').textContent = problem ?? '';
  let k: Kernel;
  try {
    k = parseKernel($<HTMLTextAreaElement>('kernel').value);
  } catch (e) {
    return showError(`Kernel: ${(e as Error).message}`);
  }
  demo.kernel = mapOf(k.values, k.height, k.width);
  demo.settings = settings;
  $('kernel-map').replaceChildren(figure(numberTable(rowsOf(k.values, k.height, k.width)), `${k.height}x${k.width}`));
  if (typeof input === 'string') return showError(`Input: ${input}.`);
  demo.input = input;
  $('input-map').replaceChildren(mapFigure(input, 'input'));
  if (problem) return showError(`Settings: ${problem}.`);
  const axes = [
    { input: input.height, kernel: k.height, ...settings },
    { input: input.width, kernel: k.width, ...settings },
  ];
  demo.formula = [formulaText(axes[0]), formulaText(axes[1])];
  $('formula-h').textContent = demo.formula[0];
  $('formula-w').textContent = demo.formula[1];
  const [oh, ow] = axes.map(outputSize);
  if (oh < 1 || ow < 1)
    return showError(`No output: the dilated kernel does not fit in the padded ${input.height}x${input.width} input (the formula gives ${oh}x${ow}).`);
  const pool = Number($<HTMLSelectElement>('pool').value);
  const started = performance.now();
  const r = await compute(input, k, settings, pool);
  if (r.output.height !== oh || r.output.width !== ow) throw new Error(`conv2d made ${r.output.height}x${r.output.width}, the formula says ${oh}x${ow}`);
  Object.assign(demo, r);
  $('output-map').replaceChildren(mapFigure(r.output, 'output'));
  $('pools').replaceChildren(
    ...(r.maxPool && r.avgPool
      ? [mapFigure(r.maxPool, `max pool ${pool}x${pool}`, 'auto', 120), mapFigure(r.avgPool, `average pool ${pool}x${pool}`, 'auto', 120)]
      : [figure(document.createElement('span'), `the ${oh}x${ow} output is smaller than a ${pool}x${pool} window`)]),
  );
  $('activations').replaceChildren(
    mapFigure(r.activations.relu, 'ReLU: max(0, x)', 'auto', 120),
    mapFigure(r.activations.tanh, 'tanh', [-1, 1], 120),
    mapFigure(r.activations.sigmoid, 'sigmoid: 1/(1 + e^−x)', [0, 1], 120),
  );
  $('status').className = '';
  $('status').textContent =
    `conv2d of the ${input.height}x${input.width} input with the ${k.height}x${k.width} kernel, stride ${settings.stride}, padding ${settings.padding}, dilation ${settings.dilation}: a ${oh}x${ow} map, then pooling and activations, in ${(performance.now() - started).toFixed(0)} ms on ${demo.backend === 'webgpu' ? 'WebGPU' : 'the CPU reference backend'}.`;
  demo.runs++;
}

/** The decks' toy example through conv2d, beside the slide's numbers. */
async function showToy(): Promise<void> {
  const x = tensor(backend, TOY.input.flat(), [1, 1, 5, 5]);
  const f = tensor(backend, TOY.kernel.flat(), [1, 1, 3, 3]);
  const y = conv2d(x, f);
  const output = Array.from(await y.read());
  for (const t of [x, f, y]) t.dispose();
  const expected = TOY.output.flat();
  const matches = output.length === expected.length && output.every((v, i) => v === expected[i]);
  const window3 = (r: number, c: number) => (r < 3 && c < 3 ? 'shaded' : undefined);
  $('toy').replaceChildren(
    figure(numberTable(TOY.input, window3), 'image 5x5 (the first window shaded)'),
    figure(numberTable(TOY.kernel), 'kernel 3x3'),
    figure(
      numberTable(rowsOf(output, 3, 3), (r, c) => (r === 0 && c === 0 ? 'shaded' : undefined)),
      'convolved feature 3x3 (conv2d)',
    ),
  );
  $('toy-status').className = matches ? 'ok' : 'bad';
  $('toy-status').textContent = matches
    ? `conv2d gives ${JSON.stringify(rowsOf(output, 3, 3))}: the slide's 4 first, and the sums of the other eight windows. Pick "the decks' 5x5 example" above to try padding 1 (a 5x5 output) or stride 2 (2x2).`
    : `conv2d gives ${JSON.stringify(output)}, expected ${JSON.stringify(expected)}`;
  demo.toy = { output, matches };
}

function fail(e: unknown): void {
  demo.state = 'error';
  demo.error = (e as Error).message;
  $('status').className = 'error';
  $('status').textContent = `Error: ${(e as Error).message}`;
}

async function start(): Promise<void> {
  backend = await backendFor('webgpu', $('webgpu-warning'));
  demo.backend = backend.name;
  for (const [key, { label }] of Object.entries(FILTERS)) $('filter').append(new Option(label, key));
  $('filter').append(new Option('typed kernel', 'custom'));
  $<HTMLSelectElement>('filter').value = 'sobel-x';
  $<HTMLTextAreaElement>('kernel').value = formatKernel(FILTERS['sobel-x'].kernel);
  $('pad').append(pad.canvas);
  const changed = () => void refresh().catch(fail);
  $('filter').onchange = () => {
    const key = $<HTMLSelectElement>('filter').value;
    if (key !== 'custom') $<HTMLTextAreaElement>('kernel').value = formatKernel(FILTERS[key].kernel);
    changed();
  };
  $('kernel').oninput = () => {
    $<HTMLSelectElement>('filter').value = 'custom';
    changed();
  };
  for (const id of ['stride', 'padding', 'dilation', 'index', 'pool']) $(id).addEventListener('input', changed);
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=source]')) radio.onchange = changed;
  // The decks' example comes with its kernel and settings: stride 1, no padding, a 3x3 output.
  document.querySelector<HTMLInputElement>('input[name=source][value=toy]')!.onchange = () => {
    $<HTMLSelectElement>('filter').value = 'toy';
    $<HTMLTextAreaElement>('kernel').value = formatKernel(FILTERS.toy.kernel);
    for (const [id, v] of [
      ['stride', 1],
      ['padding', 0],
      ['dilation', 1],
    ] as const)
      $<HTMLInputElement>(id).value = String(v);
    changed();
  };
  $('random').onclick = () => {
    $<HTMLInputElement>('index').value = String(Math.floor(Math.random() * (testSet?.count ?? 10000)));
    document.querySelector<HTMLInputElement>('input[name=source][value=dataset]')!.checked = true;
    changed();
  };
  $('clear').onclick = () => pad.clear();
  $<HTMLInputElement>('upload').onchange = async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const g = await greyImage(file, { max: 96 });
    uploaded = mapOf(g.data, g.height, g.width);
    document.querySelector<HTMLInputElement>('input[name=source][value=upload]')!.checked = true;
    changed();
  };
  await showToy();
  // Drawn, uploaded and toy images work while the test set loads, and when it cannot.
  $('status').textContent = 'Loading the Fashion-MNIST test set…';
  try {
    testSet = await fetchIdxSplit('/datasets/fashion-mnist', 'test');
  } catch (e) {
    $('index-label').textContent = (e as Error).message;
  }
  await refresh();
  demo.state = 'ready';
}

start().catch(fail);
