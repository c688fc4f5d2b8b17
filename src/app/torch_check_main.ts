// Node entry of check:torch (built by scripts/check_torch.mjs): compares one prepared
// model folder on WebGPU through Dawn (npm webgpu; on a machine without a GPU the
// SwiftShader Vulkan driver that Chromium's package installs), or on the CPU reference
// with --cpu, and prints its figures as one JSON line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuBackend } from '../backends/cpu/cpu_backend';
import { createNodeWebGPUBackend } from '../node';
import { checkAgainstTorch, checkExportOnly, type OnnxRunner } from './torch_check';

/** ONNX Runtime for Node (CPU execution provider). */
const runOnnx: OnnxRunner = async (bytes, x, shape) => {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ input: new ort.Tensor('float32', x, [...shape]) });
  return out.output.data as Float32Array;
};

const args = process.argv.slice(2);
const cpu = args.includes('--cpu');
const [key, dir] = args.filter((a) => !a.startsWith('--'));
const backend = cpu ? new CpuBackend() : await createNodeWebGPUBackend({ autotune: false });
const label = cpu ? 'cpu' : `webgpu (${backend.name})`;
if (args.includes('--export-only')) {
  console.log(JSON.stringify({ ...(await checkExportOnly(key, backend, runOnnx)), backend: label }));
} else {
  const read = (f: string) => new Uint8Array(readFileSync(join(dir, f)));
  const result = await checkAgainstTorch(key, { state: read('state.safetensors'), expected: read('expected.safetensors'), onnx: read('model.onnx') }, backend, runOnnx);
  console.log(JSON.stringify({ ...result, backend: label }));
}
process.exit(0);
