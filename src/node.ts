// `webgpu-cnn-engine/node`: the engine in Node on WebGPU through Dawn (npm `webgpu`, which
// the app installs): finds the adapter, and keeps Dawn's objects alive.
import { createWebGPUBackend, type WebGPUBackend, type WebGPUBackendOptions } from './backends/webgpu/webgpu_backend';

export * from './index';
export { fileTuneStore } from './node_tune_store';
// Shadows the root's imageFolder (the browser's decoder): this one reads a path and decodes with Skia.
export { imageFolder, nodeImageDecoder, diskSource } from './node_image_folder';

/** Where Debian's and Ubuntu's Chromium package puts SwiftShader's Vulkan driver (a CPU adapter for machines without a GPU). */
const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];
/** Where Mesa's packages put lavapipe's (a CPU Vulkan driver, faster than SwiftShader here; Dawn takes Mesa 25's). */
const LAVAPIPE_ICDS = ['/usr/share/vulkan/icd.d/lvp_icd.json', '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', '/usr/share/vulkan/icd.d/lvp_icd.aarch64.json'];

/**
 * Which Vulkan driver Dawn uses: `auto` (the default) leaves the choice to Vulkan and Dawn
 * (a GPU's driver, else lavapipe where Dawn takes it, else Chromium's SwiftShader);
 * `lavapipe` and `swiftshader` name a CPU driver (VK_ICD_FILENAMES), for speed or for
 * results equal to the browser's, which runs on SwiftShader here.
 */
export type NodeAdapter = 'auto' | 'lavapipe' | 'swiftshader';
export const NODE_ADAPTERS: readonly NodeAdapter[] = ['auto', 'lavapipe', 'swiftshader'];

const INSTALL = {
  lavapipe: 'Mesa 25 or later: on Debian 12, add the bookworm-backports source and apt-get install -t bookworm-backports mesa-vulkan-drivers',
  swiftshader: `apt-get install chromium, which puts it at ${SWIFTSHADER_ICDS[0]}`,
};

/**
 * A WebGPU backend in Node: imports npm `webgpu` (Dawn), sets its globals (GPUBufferUsage
 * and the rest), creates the GPU entry point, and passes it to createWebGPUBackend, which
 * holds it (a collected one crashes Node at the next read). On a machine whose Vulkan
 * has no GPU driver and VK_ICD_FILENAMES is unset, it points Vulkan at Chromium's
 * SwiftShader when that is installed. `dawnOptions` go to Dawn's create().
 */
export async function createNodeWebGPUBackend(
  options: Omit<WebGPUBackendOptions, 'gpu' | 'device'> & { dawnOptions?: string[]; adapter?: NodeAdapter } = {},
): Promise<WebGPUBackend> {
  return createWebGPUBackend({ ...options, gpu: await createDawnGPU(options.dawnOptions, options.adapter) });
}

/**
 * Dawn's GPU entry point (what a browser calls navigator.gpu), with an adapter behind it:
 * sets Dawn's globals, falls back to Chromium's SwiftShader where Vulkan has no GPU driver,
 * and keeps every instance referenced for the life of the process. Other WebGPU engines in
 * the same process (a benchmark's peers) can take it as their navigator.gpu.
 */
export async function createDawnGPU(dawnOptions: string[] = [], adapter: NodeAdapter = 'auto'): Promise<GPU> {
  if (!NODE_ADAPTERS.includes(adapter)) throw new Error(`createNodeWebGPUBackend: adapter must be one of ${NODE_ADAPTERS.join(', ')}, got '${adapter}'`);
  const { existsSync } = await import('node:fs');
  if (adapter !== 'auto') {
    // Vulkan's loader reads VK_ICD_FILENAMES when Dawn creates its instance, below.
    const icd = (adapter === 'lavapipe' ? LAVAPIPE_ICDS : SWIFTSHADER_ICDS).find((f) => existsSync(f));
    if (!icd) throw new Error(`createNodeWebGPUBackend: adapter ${adapter}: its Vulkan driver is not installed (${INSTALL[adapter]})`);
    process.env.VK_ICD_FILENAMES = icd;
  }
  let webgpu: { create(options: string[]): GPU; globals: Record<string, unknown> };
  try {
    webgpu = (await import(/* @vite-ignore */ 'webgpu')) as typeof webgpu;
  } catch (e) {
    throw new Error(`createNodeWebGPUBackend: npm install webgpu (Dawn for Node) first (${(e as Error).message})`);
  }
  Object.assign(globalThis, webgpu.globals);
  const hasAdapter = async (g: GPU) => (await g.requestAdapter()) !== null || (await g.requestAdapter({ forceFallbackAdapter: true })) !== null;
  let gpu = webgpu.create(dawnOptions);
  const tried = [gpu];
  let found = await hasAdapter(gpu);
  if (!found && adapter !== 'auto') {
    throw new Error(
      `createNodeWebGPUBackend: adapter ${adapter}: Dawn found no WebGPU adapter on ${process.env.VK_ICD_FILENAMES}${adapter === 'lavapipe' ? ` (Dawn needs lavapipe of ${INSTALL.lavapipe})` : ''}`,
    );
  }
  if (!found && !process.env.VK_ICD_FILENAMES) {
    // No Vulkan driver that Dawn takes (a machine without a GPU): Chromium's SwiftShader, when installed.
    const icd = SWIFTSHADER_ICDS.find((f) => existsSync(f));
    if (icd) {
      process.env.VK_ICD_FILENAMES = icd;
      gpu = webgpu.create(dawnOptions);
      tried.push(gpu);
      found = await hasAdapter(gpu);
    }
  }
  // Every Dawn instance made stays referenced from the global scope: a collected one crashes Node.
  (globalThis as { __webgpuCnnEngineDawn?: unknown[] }).__webgpuCnnEngineDawn = [
    ...((globalThis as { __webgpuCnnEngineDawn?: unknown[] }).__webgpuCnnEngineDawn ?? []),
    ...tried,
  ];
  if (!found) {
    throw new Error(
      `createNodeWebGPUBackend: Dawn found no WebGPU adapter${process.env.VK_ICD_FILENAMES ? ` (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES})` : ''}. ` +
        "Dawn needs the Vulkan loader (apt-get install libvulkan1) and a Vulkan driver: a GPU's, or on a machine without one " +
        `Chromium's SwiftShader (apt-get install chromium, which puts it at ${SWIFTSHADER_ICDS[0]}).`,
    );
  }
  return gpu;
}
