// `npm run tune`: times the kernel variants of pretune.ts's workloads on this machine's
// adapter in Node (Dawn). scripts/tune.mjs builds this file and runs it through
// tools/cli/job_runner.mjs: progress per model, then the adapter's GPU family and its table,
// which the command writes into src/backends/webgpu/pretuned_choices.ts.
import type { PretunedChoices } from '../../src/backends/webgpu/autotune';
import { gpuFamily } from '../../src/backends/webgpu/webgpu_backend';
import type { Job } from './job';
import { serveNodeJob } from './node_job';
import { PRETUNE_WORKLOADS, pretune } from './pretune';

export const tuneJob: Job<{ models: string[] | null; missing?: boolean }, { family: string; table: PretunedChoices }> = async ({ models, missing }, host) => {
  const only = models ? new Set(models) : null;
  // Nothing stored and nothing shipped: every shape class is timed here. With `missing`
  // the shipped table stands, so only the classes it does not answer are timed.
  const backend = await host.createWebGPU({ autotune: true, tuneStore: null, ...(missing ? {} : { pretuned: false }) });
  const workloads = PRETUNE_WORKLOADS.filter((w) => !only || only.has(w.model));
  if (only && workloads.length !== only.size)
    throw new Error(
      `tune: --models names ${[...only].filter((m) => !workloads.some((w) => w.model === m)).join(', ')}, which the workloads do not have (${PRETUNE_WORKLOADS.map((w) => w.model).join(', ')})`,
    );
  const info = backend.adapterInfo;
  await host.progress({
    kind: 'start',
    family: gpuFamily(info),
    adapter: `${info.vendor} ${info.architecture} ${info.description}`.trim(),
    fallback: backend.isFallbackAdapter,
  });
  const table = await pretune(backend, workloads, (p) => void host.progress({ kind: 'model', ...p }));
  return { family: gpuFamily(info), table };
};

await serveNodeJob(tuneJob);
