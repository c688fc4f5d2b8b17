// Per-node GPU time of one compiled training step (?model=lenet5&batch=64): where a
// step's time goes. `npm run profile` opens it with ?job and runs the profile as a job
// (tools/jobs/page_job.ts); the page also works on its own.
import { servePageJob } from '../tools/jobs/page_job';
import { createWebGPUBackend } from '../src/index';
import { compileTrainStep } from '../src/training/compile';
import { Optimizer } from '../src/training/optimizers';
import { MODELS } from '../src/nn/zoo';
import { profileProgram, type NodeTiming } from '../src/graph/profile';
import { Random } from '../src/random';

export interface ProfileReport {
  model: string;
  batch: number;
  adapter: { vendor: string; architecture: string };
  dispatchesPerStep: number;
  /** Wall time of whole replayed steps (one submit each), median of 5. */
  stepMedianMs: number;
  /** Sum of the per-node GPU times (each node timed on its own). */
  nodesTotalMs: number;
  nodes: NodeTiming[];
}

declare global {
  interface Window {
    profileReport?: ProfileReport | { error: string };
  }
}

const params = new URLSearchParams(location.search);
const status = document.querySelector<HTMLParagraphElement>('#status')!;
const table = document.querySelector<HTMLTableElement>('#nodes')!;

async function profile(modelName: string, batch: number, makeBackend = () => createWebGPUBackend()): Promise<ProfileReport> {
  const make = MODELS[modelName];
  if (!make) throw new Error(`profile: unknown model '${modelName}' (known: ${Object.keys(MODELS).join(', ')})`);
  if (!(Number.isInteger(batch) && batch > 0)) throw new Error(`profile: batch must be a positive integer, got ${batch}`);
  const gpu = await makeBackend();
  const model = make().build(gpu, { seed: 1 });
  const optimizer = new Optimizer({ kind: 'adam', lr: 1e-3 });
  const step = compileTrainStep(model, optimizer, batch);
  const rng = new Random(2);
  const [c, h, w] = model.input.shape;
  const x = rng.uniformArray(batch * c * h * w);
  const labels = Float32Array.from({ length: batch }, (_, i) => i % 10);
  await step.program.autotune();
  const run = () => step.program.run({ x, labels, step: Float32Array.of(optimizer.steps), hyper: optimizer.hyper() }, [step.loss]);
  await run();
  const walls: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await run();
    walls.push(performance.now() - t0);
  }
  walls.sort((a, b) => a - b);
  const nodes = await profileProgram(step.program, gpu);
  return {
    model: modelName,
    batch,
    adapter: { vendor: gpu.adapterInfo.vendor, architecture: gpu.adapterInfo.architecture },
    dispatchesPerStep: step.program.stats.dispatchesPerRun,
    stepMedianMs: walls[2],
    nodesTotalMs: nodes.reduce((s, n) => s + n.ms, 0),
    nodes,
  };
}

function show(report: ProfileReport): void {
  for (const n of [...report.nodes].sort((a, b) => b.ms - a.ms)) {
    const tr = table.insertRow();
    for (const v of [String(n.index), n.op, n.shape, n.ms.toFixed(2), n.shaders.join(' + ')]) tr.insertCell().textContent = v;
  }
  status.textContent = `${report.model}, batch ${report.batch}: ${report.stepMedianMs.toFixed(1)} ms per step, ${report.dispatchesPerStep} dispatches`;
}

if (params.has('job')) {
  servePageJob<{ model: string; batch: number }, ProfileReport>(async ({ model, batch }, host) => {
    const report = await profile(model, batch, () => host.createWebGPU());
    show(report);
    return report;
  });
} else {
  profile(params.get('model') ?? 'lenet5', Number(params.get('batch') ?? 64)).then(
    (report) => {
      show(report);
      window.profileReport = report;
    },
    (e: Error) => {
      status.textContent = e.message;
      window.profileReport = { error: e.message };
    },
  );
}
