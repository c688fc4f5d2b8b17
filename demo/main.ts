import { CpuBackend, createWebGPUBackend, matmul, Random, tensor, type WebGPUBackend } from '../src/index';
import { WEBGPU_HELP } from './ui/backend_choice';

const status = document.querySelector<HTMLParagraphElement>('#status')!;
const table = document.querySelector<HTMLTableElement>('#adapter')!;

function row(name: string, value: string): void {
  const tr = table.insertRow();
  tr.insertCell().textContent = name;
  tr.insertCell().textContent = value;
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

async function main(): Promise<void> {
  let gpu: WebGPUBackend;
  try {
    gpu = await createWebGPUBackend();
  } catch (e) {
    status.className = 'bad';
    status.textContent = `${WEBGPU_HELP} (${(e as Error).message})`;
    return;
  }
  table.hidden = false;
  row('vendor', gpu.adapterInfo.vendor || '(not reported)');
  row('architecture', gpu.adapterInfo.architecture || '(not reported)');
  row('fallback adapter', String(gpu.isFallbackAdapter));
  row('features', [...gpu.features].sort().join(', ') || '(none)');
  row('max storage binding', `${gpu.device.limits.maxStorageBufferBindingSize} bytes`);
  const worst = await gemmCheck(gpu);
  const ok = worst < 1e-4;
  status.className = ok ? 'ok' : 'bad';
  status.textContent = `GEMM 96x80x72 on WebGPU ${ok ? 'matches' : 'DIFFERS FROM'} the CPU reference (max |difference| ${worst.toExponential(2)}).`;
}

void main();
