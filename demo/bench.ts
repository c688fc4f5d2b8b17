// The Bench page: our kernels against TF.js and jax-js in the visitor's browser, as a
// table and a chart. The first call of each case is timed apart and kept out of the
// medians; an empty peer cell points to a note saying why (not built for the case, failed
// or wrong outputs on this adapter, not loaded). `npm run bench` opens it with ?job and runs
// the bench job (tools/jobs/bench_job.ts) through window.runJob; ?run=1 starts a run from the address.
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

type Peer = 'tfjsWebgpu' | 'tfjsCpu' | 'jax' | 'ortWeb';
const PEERS: [Peer, string][] = [
  ['tfjsWebgpu', 'TF.js WebGPU'],
  ['tfjsCpu', 'TF.js CPU'],
  ['jax', 'jax-js'],
  ['ortWeb', 'ONNX Runtime Web'],
];
/** Why a peer has no column of numbers in this run: not loaded (and why), or the comparison was off. */
let peersAbsent: Partial<Record<Peer, string>> = {};
/** The notes under the table, each reason once, numbered in order of first use. */
const notes: string[] = [];

const ms = (t: Timing | Skipped | undefined) => (t && 'medianMs' in t ? t.medianMs : null);
const cell = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(2));
const ratio = (x: number | undefined) => (x === undefined ? '' : `${x.toFixed(1)}x`);

/** Why a peer's cell of this case is empty, in words a visitor can act on. */
function whyEmpty(peer: Peer, label: string, t: Timing | Skipped | undefined): string {
  if (t === undefined) return `${label}: ${peersAbsent[peer] ?? 'not run (compare with the peers was off)'}`;
  const reason = 'skipped' in t ? t.skipped : '';
  if (reason.startsWith('failed: ')) return `${label} failed on this adapter, so it is not timed: ${reason.slice('failed: '.length)}`;
  return `${label} is not built for this case: ${reason}`;
}

/** The note number of a reason (added to the notes list the first time). */
function note(reason: string): number {
  let i = notes.indexOf(reason);
  if (i < 0) {
    i = notes.push(reason) - 1;
    const li = document.createElement('li');
    li.textContent = reason;
    $('notes').append(li);
    $('notes-box').hidden = false;
  }
  return i + 1;
}

function addRow(r: BenchResult): void {
  const tr = $<HTMLTableElement>('results').insertRow();
  for (const v of [r.name, cell(r.ours.medianMs), cell(r.ours.firstMs), cell(r.ours.gpuMedianMs), r.gflops.toFixed(3)]) tr.insertCell().textContent = v;
  for (const [peer, label] of PEERS) {
    const t = r[peer];
    const time = tr.insertCell();
    const median = ms(t);
    if (median !== null) {
      time.textContent = cell(median);
      if (t && 'firstMs' in t && t.firstMs !== undefined) time.title = `first call ${t.firstMs.toFixed(2)} ms (not in the median)`;
    } else {
      const why = whyEmpty(peer, label, t);
      time.textContent = `- (${note(why)})`;
      time.title = why;
      time.className = 'empty';
    }
    tr.insertCell().textContent = ratio(r.speedup[peer]);
  }
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
  peersAbsent = options.peers
    ? Object.fromEntries(Object.entries(peers.peerErrors ?? {}).map(([k, why]) => [k, `could not start in this browser (${why})`]))
    : {};
  status.textContent = `Running on ${gpu.adapterInfo.vendor} ${gpu.adapterInfo.architecture}…`;
  const report = await runBench(gpu, { quick: options.quick, filter: options.filter, ...peers, onResult: addRow });
  for (const c of (report as BenchReport & { notRun?: { name: string; reason: string }[] }).notRun ?? [])
    note(`${c.name} was not run: ours does not run it on this adapter (${c.reason}).`);
  status.textContent = `Done: ${report.cases.length} cases. Medians of ${report.cases[0]?.ours.runs ?? 5} runs each; the first call of each case is timed apart ("first call" column) and kept out of the medians.`;
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
