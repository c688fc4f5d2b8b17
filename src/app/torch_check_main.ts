// Node entry of check:torch (built by scripts/check_torch.mjs): compares one prepared
// model folder on WebGPU through Dawn (npm webgpu; on a machine without a GPU the
// SwiftShader Vulkan driver that Chromium's package installs), or on the CPU reference
// with --cpu, and prints its figures as one JSON line.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuBackend } from '../backends/cpu/cpu_backend';
import { WebGPUBackend } from '../backends/webgpu/webgpu_backend';
import { checkAgainstTorch, checkExportOnly, type OnnxRunner } from './torch_check';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

async function nodeWebGPU(): Promise<WebGPUBackend> {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const webgpu = await import('webgpu');
  Object.assign(globalThis, webgpu.globals);
  // Kept in a global: a collected GPU object crashes Node at the next read.
  const gpu = webgpu.create([]);
  (globalThis as { __checkTorchGpu?: unknown }).__checkTorchGpu = gpu;
  return WebGPUBackend.create({ gpu, autotune: false });
}

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
const backend = cpu ? new CpuBackend() : await nodeWebGPU();
const label = cpu ? 'cpu' : `webgpu (${backend.name})`;
if (args.includes('--export-only')) {
  console.log(JSON.stringify({ ...(await checkExportOnly(key, backend, runOnnx)), backend: label }));
} else {
  const read = (f: string) => new Uint8Array(readFileSync(join(dir, f)));
  const result = await checkAgainstTorch(key, { state: read('state.safetensors'), expected: read('expected.safetensors'), onnx: read('model.onnx') }, backend, runOnnx);
  console.log(JSON.stringify({ ...result, backend: label }));
}
process.exit(0);
