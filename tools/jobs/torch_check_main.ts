// `npm run check:torch`'s engine half in Node (scripts/check_torch.mjs builds this file and
// runs it through tools/cli/job_runner.mjs, one process per model): compares one prepared model
// folder on WebGPU through Dawn (npm webgpu; on a machine without a GPU the SwiftShader
// Vulkan driver that Chromium's package installs), or on the CPU reference, and returns its figures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import type { Job } from './job';
import { serveNodeJob } from './node_job';
import { checkAgainstTorch, checkExportOnly, type OnnxRunner } from './torch_check';

/** ONNX Runtime for Node (CPU execution provider). */
const runOnnx: OnnxRunner = async (bytes, x, shape) => {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ input: new ort.Tensor('float32', x, [...shape]) });
  return out.output.data as Float32Array;
};

export interface TorchCheckInput {
  model: string;
  /** The folder PyTorch's half wrote (state.safetensors, expected.safetensors, model.onnx); none with exportOnly. */
  dir?: string;
  cpu?: boolean;
  exportOnly?: boolean;
}

export const torchCheckJob: Job<TorchCheckInput, Record<string, unknown>> = async ({ model, dir, cpu, exportOnly }, host) => {
  const backend = cpu ? new CpuBackend() : await host.createWebGPU({ autotune: false });
  const label = cpu ? 'cpu' : `webgpu (${backend.name})`;
  if (exportOnly) return { ...(await checkExportOnly(model, backend, runOnnx)), backend: label };
  const read = (f: string) => new Uint8Array(readFileSync(join(dir!, f)));
  return {
    ...(await checkAgainstTorch(
      model,
      { state: read('state.safetensors'), expected: read('expected.safetensors'), onnx: read('model.onnx') },
      backend,
      runOnnx,
    )),
    backend: label,
  };
};

await serveNodeJob(torchCheckJob);
