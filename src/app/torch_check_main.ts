// Node entry of check:torch (built by scripts/check_torch.mjs): compares one prepared
// model folder on WebGPU through Dawn (npm webgpu; on a machine without a GPU the
// SwiftShader Vulkan driver that Chromium's package installs), or on the CPU reference
// with --cpu, and prints its figures as one JSON line.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuBackend } from '../backends/cpu/cpu_backend';
import { WebGPUBackend } from '../backends/webgpu/webgpu_backend';
import { checkAgainstTorch } from './torch_check';

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

const args = process.argv.slice(2);
const cpu = args.includes('--cpu');
const [key, dir] = args.filter((a) => !a.startsWith('--'));
const read = (f: string) => new Uint8Array(readFileSync(join(dir, f)));
const backend = cpu ? new CpuBackend() : await nodeWebGPU();
const result = await checkAgainstTorch(key, { state: read('state.safetensors'), expected: read('expected.safetensors'), onnx: read('model.onnx') }, backend);
console.log(JSON.stringify({ ...result, backend: cpu ? 'cpu' : `webgpu (${backend.name})` }));
process.exit(0);
