import { createWebGPUBackend } from '../src/index';
import { loadPeers } from '../src/bench/peers';
import { runBench, type BenchReport, type BenchResult, type Skipped, type Timing } from '../src/bench/runner';

declare global {
  interface Window {
    /** Set when the run ends; the command line (`npm run bench`) waits for it. */
    benchReport?: BenchReport | { error: string };
  }
}

const status = document.querySelector<HTMLParagraphElement>('#status')!;
const table = document.querySelector<HTMLTableElement>('#results')!;
const params = new URLSearchParams(location.search);

const ms = (t: Timing | Skipped | undefined) => (t && 'medianMs' in t ? t.medianMs.toFixed(2) : '-');
const ratio = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(1)}x`);

function addRow(r: BenchResult): void {
  const tr = table.insertRow();
  const cells = [
    r.name, ms(r.ours), r.ours.gpuMedianMs?.toFixed(2) ?? '-', r.gflops.toFixed(3),
    ms(r.tfjsWebgpu), ratio(r.speedup.tfjsWebgpu), ms(r.tfjsCpu), ratio(r.speedup.tfjsCpu), ms(r.jax), ratio(r.speedup.jax),
  ];
  for (const v of cells) tr.insertCell().textContent = v;
  console.log(`bench ${JSON.stringify(r)}`);
}

async function main(): Promise<void> {
  try {
    const gpu = await createWebGPUBackend();
    const withPeers = params.get('peers') !== '0';
    status.textContent = withPeers ? 'Loading TF.js and jax-js…' : 'Starting…';
    const peers = withPeers ? await loadPeers() : {};
    status.textContent = `Running on ${gpu.adapterInfo.vendor} ${gpu.adapterInfo.architecture}…`;
    const report = await runBench(gpu, { quick: params.has('quick'), filter: params.get('filter') ?? undefined, ...peers, onResult: addRow });
    status.textContent = `Done: ${report.cases.length} cases.`;
    window.benchReport = report;
  } catch (e) {
    status.textContent = (e as Error).message;
    window.benchReport = { error: (e as Error).message };
  }
}

void main();
