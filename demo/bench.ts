// The Bench page: our kernels against TF.js and jax-js in the visitor's browser, as a
// table and a chart. `npm run bench` opens it with ?job and runs the bench job
// (tools/jobs/bench_job.ts) through window.runJob; ?run=1 starts a run from the address.
import { benchJob } from '../tools/jobs/bench_job';
import { servePageJob } from '../tools/jobs/page_job';
import { loadPeers } from '../tools/bench/peers';
import { runBench, type BenchReport, type BenchResult, type Skipped, type Timing } from '../tools/bench/runner';
import { drawBarChart } from './ui/charts';
import { $, requireWebGPU } from './ui/backend_choice';

declare global {
  interface Window {
    /** Set when a run the page started ends (the Run button, ?run=1). */
    benchReport?: BenchReport | { error: string };
  }
}

const params = new URLSearchParams(location.search);
const results: BenchResult[] = [];

const ms = (t: Timing | Skipped | undefined) => (t && 'medianMs' in t ? t.medianMs : null);
const cell = (v: number | null) => (v === null ? '-' : v.toFixed(2));
const ratio = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(1)}x`);

function addRow(r: BenchResult): void {
  const tr = $<HTMLTableElement>('results').insertRow();
  const cells = [
    r.name,
    cell(r.ours.medianMs),
    cell(r.ours.gpuMedianMs),
    r.gflops.toFixed(3),
    cell(ms(r.tfjsWebgpu)),
    ratio(r.speedup.tfjsWebgpu),
    cell(ms(r.tfjsCpu)),
    ratio(r.speedup.tfjsCpu),
    cell(ms(r.jax)),
    ratio(r.speedup.jax),
    cell(ms(r.ortWeb)),
    ratio(r.speedup.ortWeb),
  ];
  for (const v of cells) tr.insertCell().textContent = v;
  results.push(r);
  drawBarChart(
    $('chart'),
    'median time per case',
    results.map((c) => c.name),
    [
      { name: 'ours', color: '#1f5fbf', values: results.map((c) => c.ours.medianMs) },
      { name: 'TF.js WebGPU', color: '#d9480f', values: results.map((c) => ms(c.tfjsWebgpu)) },
      { name: 'TF.js CPU', color: '#868e96', values: results.map((c) => ms(c.tfjsCpu)) },
      { name: 'jax-js WebGPU', color: '#2b8a3e', values: results.map((c) => ms(c.jax)) },
      { name: 'ONNX Runtime Web', color: '#7048e8', values: results.map((c) => ms(c.ortWeb)) },
    ],
    'ms',
  );
}

async function run(options: { quick: boolean; filter?: string; peers: boolean }): Promise<void> {
  const status = $('status');
  const gpu = await requireWebGPU($('webgpu-warning'), 'The benchmarks time WebGPU kernels, so they need it.');
  status.textContent = options.peers ? 'Loading TF.js, jax-js and ONNX Runtime Web…' : 'Starting…';
  const peers = options.peers ? await loadPeers() : {};
  status.textContent = `Running on ${gpu.adapterInfo.vendor} ${gpu.adapterInfo.architecture}…`;
  const report = await runBench(gpu, { quick: options.quick, filter: options.filter, ...peers, onResult: addRow });
  status.textContent = `Done: ${report.cases.length} cases.`;
  window.benchReport = report;
}

function start(options: { quick: boolean; filter?: string; peers: boolean }): void {
  $<HTMLButtonElement>('run').disabled = true;
  run(options)
    .catch((e: Error) => {
      $('status').textContent = e.message;
      window.benchReport = { error: e.message };
    })
    .finally(() => ($<HTMLButtonElement>('run').disabled = false));
}

$('run').onclick = () =>
  start({ quick: $<HTMLInputElement>('quick').checked, filter: $<HTMLInputElement>('filter').value || undefined, peers: $<HTMLInputElement>('peers').checked });
if (params.has('run')) start({ quick: params.has('quick'), filter: params.get('filter') ?? undefined, peers: params.get('peers') !== '0' });

// `npm run bench` (?job): the command's job, each finished case also added to the table.
servePageJob(benchJob(addRow));
