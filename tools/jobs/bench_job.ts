// `npm run bench`'s job, the same in the Bench page (demo/bench.ts) and in Node on Dawn
// (bench_node_main.ts): ours, TF.js (WebGPU and CPU), jax-js and, in the page, ONNX Runtime
// Web take turns case by case. Each case goes out as a progress message; the report is the result.
import { loadPeers } from '../bench/peers';
import { runBench, type BenchOptions, type BenchReport, type BenchResult } from '../bench/runner';
import type { Job } from './job';

export interface BenchInput {
  quick?: boolean;
  filter?: string;
  /** False: time ours alone. */
  peers?: boolean;
}

/** The bench job; `onCase` also sees each finished case (the page adds it to its table). */
export function benchJob(onCase?: (result: BenchResult) => void): Job<BenchInput, BenchReport> {
  return async (input, host) => {
    if (host.runtime === 'node') {
      // The peers look for WebGPU where a browser has it (and jax-js reads the user agent);
      // Node 20 has no navigator at all, Node 21+ one without gpu. They get our Dawn GPU.
      const gpu = await host.gpu();
      const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator;
      const navigator = Object.assign(Object.create(nav ?? null) as object, { gpu, userAgent: nav?.userAgent ?? `Node.js/${process.versions.node}` });
      Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true, writable: true });
    }
    const backend = await host.createWebGPU();
    // ONNX Runtime Web's WebGPU build is a browser peer (its wasm is served to the page); Node has onnxruntime-node, a CPU runtime.
    const peers: Pick<BenchOptions, 'peers' | 'peerErrors'> =
      input.peers === false ? {} : await loadPeers({ tfjs: true, jax: true, ort: host.runtime === 'browser' });
    return runBench(backend, {
      quick: input.quick,
      filter: input.filter,
      ...peers,
      onResult: (result) => {
        onCase?.(result);
        void host.progress(result);
      },
    });
  };
}
