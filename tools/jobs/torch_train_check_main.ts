// `npm run check:torch -- --train`'s engine half in Node (scripts/check_torch.mjs runs it
// through tools/cli/job_runner.mjs, twice per model): 'prepare' writes the network, its
// initial state dict and the batches for PyTorch; 'compare' trains ours and compares with
// PyTorch's trajectories. WebGPU through Dawn (--adapter), or the CPU reference.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import type { Job } from './job';
import { serveNodeJob } from './node_job';
import { compareTrainCheck, fashionMnistBatches, prepareTrainCheck, type TrainCheckOptimizer } from './torch_train_check';

export interface TorchTrainCheckInput {
  mode: 'prepare' | 'compare';
  model: string;
  /** The folder both halves read and write. */
  dir: string;
  steps: number;
  batch: number;
  optimizers: TrainCheckOptimizer[];
  cpu?: boolean;
  /** A kernel variant forced wherever its family offers it. */
  variant?: string;
}

export const torchTrainCheckJob: Job<TorchTrainCheckInput, Record<string, unknown>> = async (input, host) => {
  const gpu = input.cpu ? null : await host.createWebGPU({ autotune: false });
  const backend = gpu ?? new CpuBackend();
  const label = gpu ? `webgpu (${gpu.adapterInfo.vendor} ${gpu.adapterInfo.architecture})` : 'cpu';
  const file = (f: string) => join(input.dir, f);
  if (input.mode === 'prepare') {
    const data = await fashionMnistBatches(host.datasets, input.steps * input.batch);
    const r = await prepareTrainCheck(input.model, backend, data);
    writeFileSync(file('model.onnx'), r.onnx);
    writeFileSync(file('state.safetensors'), r.state);
    writeFileSync(file('batches.safetensors'), r.batches);
    return { parameters: r.parameters, backend: label };
  }
  const read = (f: string) => new Uint8Array(readFileSync(file(f)));
  const torch = new Map(input.optimizers.map((o) => [o.kind, read(`torch.${o.kind}.safetensors`)]));
  const figures = await compareTrainCheck(
    input.model,
    backend,
    { state: read('state.safetensors'), batches: read('batches.safetensors'), torch },
    input.optimizers,
    {
      steps: input.steps,
      batch: input.batch,
      variant: input.variant,
    },
  );
  return { figures, backend: label };
};

await serveNodeJob(torchTrainCheckJob);
