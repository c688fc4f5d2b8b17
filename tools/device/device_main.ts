// The device pack's one program (bundled to .device/app/device.mjs by scripts/device_pack.mjs;
// .device/run.sh runs it once per phase, each under its own time cap):
//   node device.mjs PHASE --out DIR --mode smoke|full --cap SECONDS [--adapter auto|lavapipe|swiftshader]
//        [--peak GFLOPS] [--data DIR] [--train-seconds N] [--workers N]
// PHASE is adapter, parity, roofline, bench, tune, train or summary; each writes DIR/PHASE.json.
// The same file serves as the parity sweep's reference workers (parity_sweep.ts).
import { isMainThread } from 'node:worker_threads';
import { createDawnGPU } from '../../src/node';
import { adapterPhase } from './adapter';
import { benchPhase, rooflinePhase } from './device_bench';
import { isReferenceWorker, paritySweep, serveReferences } from './parity_sweep';
import { parsePhaseOptions, type PhaseOptions } from './phase';
import { summaryPhase } from './summary';
import { trainPhase } from './train';
import { tunePhase } from './tune';

/** The peers look for WebGPU where a browser has it (jax-js also reads the user agent): they get Dawn's GPU. */
async function shareGpuWithPeers(options: PhaseOptions): Promise<void> {
  const gpu = await createDawnGPU([], options.adapter);
  const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator;
  const navigator = Object.assign(Object.create(nav ?? null) as object, { gpu, userAgent: nav?.userAgent ?? `Node.js/${process.versions.node}` });
  Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true, writable: true });
}

async function main(argv: string[]): Promise<void> {
  const { phase, options } = parsePhaseOptions(argv);
  switch (phase) {
    case 'adapter':
      return adapterPhase(options);
    case 'parity': {
      const report = await paritySweep(options, new URL(import.meta.url));
      if (report.failed > 0) process.exitCode = 3;
      return;
    }
    case 'roofline':
      return rooflinePhase(options);
    case 'bench':
      await shareGpuWithPeers(options);
      return benchPhase(options);
    case 'tune':
      return tunePhase(options);
    case 'train':
      return trainPhase(options);
    case 'summary':
      return summaryPhase(options);
    default:
      throw new Error(`device: no phase '${phase}' (adapter, parity, roofline, bench, tune, train, summary)`);
  }
}

if (!isMainThread && isReferenceWorker()) serveReferences();
else {
  try {
    await main(process.argv.slice(2));
    // Dawn's instance and the peers keep handles open: the phase is over once its report is written.
    process.exit(process.exitCode ?? 0);
  } catch (e) {
    console.error(`device: ${(e as Error).stack ?? e}`);
    process.exit(1);
  }
}
