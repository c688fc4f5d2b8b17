// `npm run tune`: times the kernel variants of src/app/pretune.ts's workloads on this
// machine's adapter in Node (Dawn) and prints one JSON message per line: progress, then
// the adapter's GPU family and its table, which scripts/tune.mjs writes into
// src/backends/webgpu/pretuned_choices.ts. The job ({ models, missing }) comes as JSON on stdin.
import { gpuFamily } from '../backends/webgpu/webgpu_backend';
import { createNodeWebGPUBackend } from '../node';
import { readJob, send } from './node_job';
import { PRETUNE_WORKLOADS, pretune } from './pretune';


const job = await readJob<{ models: string[] | null; missing?: boolean }>();
const only = job.models ? new Set(job.models) : null;
try {
  // Nothing stored and nothing shipped: every shape class is timed here. With `missing`
  // the shipped table stands, so only the classes it does not answer are timed.
  const backend = await createNodeWebGPUBackend({ autotune: true, tuneStore: null, ...(job.missing ? {} : { pretuned: false }) });
  const workloads = PRETUNE_WORKLOADS.filter((w) => !only || only.has(w.model));
  if (only && workloads.length !== only.size) throw new Error(`tune: --models names ${[...only].filter((m) => !workloads.some((w) => w.model === m)).join(', ')}, which the workloads do not have (${PRETUNE_WORKLOADS.map((w) => w.model).join(', ')})`);
  const info = backend.adapterInfo;
  await send({ kind: 'start', family: gpuFamily(info), adapter: `${info.vendor} ${info.architecture} ${info.description}`.trim(), fallback: backend.isFallbackAdapter });
  const table = await pretune(backend, workloads, (p) => void send({ kind: 'progress', ...p }));
  await send({ kind: 'result', family: gpuFamily(info), table });
  process.exit(0);
} catch (e) {
  await send({ kind: 'error', message: (e as Error).message });
  process.exit(1);
}
