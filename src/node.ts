// `webgpu-cnn-engine/node`: the engine in Node on WebGPU through Dawn (npm `webgpu`, which
// the app installs): finds the adapter, and keeps Dawn's objects alive.
import { createWebGPUBackend, type WebGPUBackend, type WebGPUBackendOptions } from './backends/webgpu/webgpu_backend';

export * from './index';

/** Where Debian's and Ubuntu's Chromium package puts SwiftShader's Vulkan driver (a CPU adapter for machines without a GPU). */
const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

/**
 * A WebGPU backend in Node: imports npm `webgpu` (Dawn), sets its globals (GPUBufferUsage
 * and the rest), creates the GPU entry point, and passes it to createWebGPUBackend, which
 * holds it (a collected one crashes Node at the next read). On a machine whose Vulkan
 * has no GPU driver and VK_ICD_FILENAMES is unset, it points Vulkan at Chromium's
 * SwiftShader when that is installed. `dawnOptions` go to Dawn's create().
 */
export async function createNodeWebGPUBackend(options: Omit<WebGPUBackendOptions, 'gpu' | 'device'> & { dawnOptions?: string[] } = {}): Promise<WebGPUBackend> {
  let webgpu: { create(options: string[]): GPU; globals: Record<string, unknown> };
  try {
    webgpu = (await import(/* @vite-ignore */ 'webgpu')) as typeof webgpu;
  } catch (e) {
    throw new Error(`createNodeWebGPUBackend: npm install webgpu (Dawn for Node) first (${(e as Error).message})`);
  }
  Object.assign(globalThis, webgpu.globals);
  let gpu = webgpu.create(options.dawnOptions ?? []);
  const tried = [gpu];
  if (!(await gpu.requestAdapter()) && !(await gpu.requestAdapter({ forceFallbackAdapter: true })) && !process.env.VK_ICD_FILENAMES) {
    // No Vulkan driver that Dawn takes (a machine without a GPU): Chromium's SwiftShader, when installed.
    const { existsSync } = await import('node:fs');
    const icd = SWIFTSHADER_ICDS.find((f) => existsSync(f));
    if (icd) {
      process.env.VK_ICD_FILENAMES = icd;
      gpu = webgpu.create(options.dawnOptions ?? []);
      tried.push(gpu);
    }
  }
  // Every Dawn instance made stays referenced from the global scope: a collected one crashes Node.
  (globalThis as { __webgpuCnnEngineDawn?: unknown[] }).__webgpuCnnEngineDawn = [...((globalThis as { __webgpuCnnEngineDawn?: unknown[] }).__webgpuCnnEngineDawn ?? []), ...tried];
  return createWebGPUBackend({ ...options, gpu });
}
