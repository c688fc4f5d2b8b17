// The Home page: what the engine is, the demo's pages as cards, the model zoo
// (src/nn/zoo_catalog.json), and this browser's adapter, with a notice when it is a
// software fallback. window.homeDemo tells the end-to-end test what the page found.
import { CpuBackend, createWebGPUBackend, matmul, Random, tensor, type WebGPUBackend } from '../src/index';
import catalog from '../src/nn/zoo_catalog.json';
import pages from './pages.json';
import { WEBGPU_HELP } from './ui/backend_choice';
import { cardPicture } from './ui/card_pictures';

declare global {
  interface Window {
    homeDemo: { adapter: string | null; software: boolean | null; error: string | null };
  }
}
window.homeDemo = { adapter: null, software: null, error: null };

const status = document.querySelector<HTMLParagraphElement>('#status')!;
const table = document.querySelector<HTMLTableElement>('#adapter')!;

function row(name: string, value: string): void {
  const tr = table.insertRow();
  tr.insertCell().textContent = name;
  tr.insertCell().textContent = value;
}

/** The demo's pages (demo/pages.json, Home aside) as linked cards, each with its picture. */
function cards(): void {
  const target = document.querySelector('#cards')!;
  for (const p of pages.filter((p) => p.key !== 'home')) {
    const a = document.createElement('a');
    a.className = 'card';
    a.href = `./${p.path}`;
    a.dataset.page = p.key;
    const title = document.createElement('h3');
    title.textContent = p.title;
    const text = document.createElement('p');
    text.textContent = p.summary;
    const picture = cardPicture(p.key);
    a.append(...(picture ? [picture] : []), title, text);
    target.append(a);
  }
}

const count = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n.toLocaleString('en-US'));

/** The zoo, one row a model: key, parameters, input, task, and whether it trains here at a useful speed. */
function zoo(): void {
  const body = document.querySelector<HTMLTableElement>('#zoo')!.tBodies[0];
  for (const m of catalog) {
    const tr = body.insertRow();
    for (const v of [
      m.key,
      count(m.params),
      m.input.join(' x '),
      m.task === 'segment' ? 'segment (a class per pixel)' : 'classify',
      m.trainsHere ? 'yes' : 'no',
    ])
      tr.insertCell().textContent = v;
    if (m.trainsHere) tr.className = 'trains';
  }
  const here = catalog.filter((m) => m.trainsHere).length;
  document.querySelector('#zoo-caption')!.textContent =
    `${catalog.length} networks (src/nn/zoo.ts). The ${here} marked "trains here" train at a useful speed on a 2-core machine without a GPU ` +
    '(28x28, 32x32 or 64x64 inputs): the Train page and npm run train offer them. The others are the full-size networks of the papers: ' +
    'they build, run and load PyTorch and ONNX weights, and train on a real GPU.';
}

/** Multiplies the same random 96x80 by 80x72 on both backends and reports the largest difference. */
async function gemmCheck(gpu: WebGPUBackend): Promise<number> {
  const rng = new Random(1);
  const a = rng.uniformArray(96 * 80);
  const b = rng.uniformArray(80 * 72);
  const run = (backend: WebGPUBackend | CpuBackend) => matmul(tensor(backend, a, [96, 80]), tensor(backend, b, [80, 72])).read();
  const [g, c] = await Promise.all([run(gpu), run(new CpuBackend())]);
  return g.reduce((worst, v, i) => Math.max(worst, Math.abs(v - c[i])), 0);
}

/** A software adapter: the adapter says it is a fallback, or its name is one of the CPU Vulkans or Direct3D's WARP. */
const softwareAdapter = (gpu: WebGPUBackend, name: string) => gpu.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|warp|software/i.test(name);

function notice(text: string): void {
  const box = document.querySelector<HTMLDivElement>('#fallback')!;
  box.hidden = false;
  box.textContent = text;
}

async function adapter(): Promise<void> {
  let gpu: WebGPUBackend;
  try {
    gpu = await createWebGPUBackend();
  } catch (e) {
    status.className = 'panel bad';
    status.textContent = `No WebGPU here (${(e as Error).message}).`;
    notice(WEBGPU_HELP);
    window.homeDemo.error = (e as Error).message;
    return;
  }
  const name =
    [gpu.adapterInfo.vendor, gpu.adapterInfo.architecture, gpu.adapterInfo.device, gpu.adapterInfo.description].filter(Boolean).join(' ') || 'unnamed adapter';
  const software = softwareAdapter(gpu, name);
  window.homeDemo.adapter = name;
  window.homeDemo.software = software;
  if (software)
    notice(
      `This browser's WebGPU adapter (${name}) is a software fallback: it runs on the CPU. Every page works, slowly: ` +
        'a training step takes tens of times longer than on a GPU, the Train page starts with a quick run and says how long a full one would take, ' +
        "and the Bench page's timings say little about a GPU. For real speed, use a browser with a GPU adapter.",
    );
  row('vendor', gpu.adapterInfo.vendor || '(not reported)');
  row('architecture', gpu.adapterInfo.architecture || '(not reported)');
  row('fallback adapter', String(gpu.isFallbackAdapter));
  row('features', [...gpu.features].sort().join(', ') || '(none)');
  row('max storage binding', `${gpu.device.limits.maxStorageBufferBindingSize} bytes`);
  const worst = await gemmCheck(gpu);
  const ok = worst < 1e-4;
  status.className = `panel ${ok ? 'ok' : 'bad'}`;
  status.textContent = `${name}${software ? ' (software)' : ''}: GEMM 96x80x72 on WebGPU ${ok ? 'matches' : 'DIFFERS FROM'} the CPU reference (max |difference| ${worst.toExponential(2)}).`;
}

cards();
zoo();
void adapter();
