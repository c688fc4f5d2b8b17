import { createWebGPUBackend } from '../src/index';
import { runBench, type BenchReport, type BenchResult } from '../src/bench/runner';

declare global {
  interface Window {
    /** Set when the run ends; the command line (`npm run bench`) waits for it. */
    benchReport?: BenchReport | { error: string };
  }
}

const status = document.querySelector<HTMLParagraphElement>('#status')!;
const table = document.querySelector<HTMLTableElement>('#results')!;
const params = new URLSearchParams(location.search);

function addRow(r: BenchResult): void {
  const tr = table.insertRow();
  for (const v of [r.name, r.ours.medianMs.toFixed(2), r.ours.gpuMedianMs?.toFixed(2) ?? '-', r.gflops.toFixed(3)]) tr.insertCell().textContent = v;
  console.log(`bench ${JSON.stringify(r)}`);
}

async function main(): Promise<void> {
  try {
    const gpu = await createWebGPUBackend();
    status.textContent = `Running on ${gpu.adapterInfo.vendor} ${gpu.adapterInfo.architecture}…`;
    const report = await runBench(gpu, { quick: params.has('quick'), filter: params.get('filter') ?? undefined, onResult: addRow });
    status.textContent = `Done: ${report.cases.length} cases.`;
    window.benchReport = report;
  } catch (e) {
    status.textContent = (e as Error).message;
    window.benchReport = { error: (e as Error).message };
  }
}

void main();
