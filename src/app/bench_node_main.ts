// `npm run bench -- --runtime node`: the benchmark in Node on Dawn (npm webgpu), no
// browser. Ours, TF.js (its WebGPU backend on the same Dawn GPU, and its CPU backend) and
// jax-js take turns case by case as on the Bench page. scripts/bench.mjs builds this file
// for Node and passes the options as JSON on stdin; each case comes back as a message
// { kind: 'bench', result }, the whole report as { kind: 'report', report }.
import { loadPeers } from '../bench/peers';
import { runBench, type BenchOptions } from '../bench/runner';
import { createWebGPUBackend } from '../backends/webgpu/webgpu_backend';
import { createDawnGPU, fileTuneStore } from '../node';
import { readJob, send } from './node_job';

interface Job {
  quick?: boolean;
  filter?: string;
  peers?: boolean;
  /** The command line's tuning file (.cache/autotune.json), shared with the browser runs. */
  tuneFile?: string;
}


const job = await readJob<Job>();
try {
  const gpu = await createDawnGPU();
  // The peers look for WebGPU where a browser has it (and jax-js reads the user agent);
  // Node 20 has no navigator at all, Node 21+ one without gpu.
  const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator;
  const navigator = Object.assign(Object.create(nav ?? null) as object, { gpu, userAgent: nav?.userAgent ?? `Node.js/${process.versions.node}` });
  Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true, writable: true });
  const backend = await createWebGPUBackend({ gpu, tuneStore: job.tuneFile ? fileTuneStore(job.tuneFile) : null });
  // ONNX Runtime Web's WebGPU build is a browser peer here (its wasm is served to the page); Node has onnxruntime-node, a CPU runtime.
  const peers: Pick<BenchOptions, 'peers' | 'peerErrors'> = job.peers === false ? {} : await loadPeers({ tfjs: true, jax: true, ort: false });
  const report = await runBench(backend, { quick: job.quick, filter: job.filter, ...peers, onResult: (result) => void send({ kind: 'bench', result }) });
  await send({ kind: 'report', report });
  process.exit(0);
} catch (e) {
  await send({ kind: 'report', report: { error: (e as Error).message } });
  process.exit(1);
}
