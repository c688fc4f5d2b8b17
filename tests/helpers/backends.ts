import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { WebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';

let gpu: Promise<WebGPUBackend> | null = null;

/**
 * One WebGPU backend per test file (each file runs in its own page); no autotuning, so
 * results never depend on timings. In the node project (no navigator.gpu) it is Dawn's, on
 * Mesa's lavapipe unless TEST_NODE_ADAPTER names another (src/node.ts's adapters).
 */
export function gpuBackend(): Promise<WebGPUBackend> {
  gpu ??= (globalThis.navigator as Navigator | undefined)?.gpu
    ? WebGPUBackend.create({ autotune: false })
    : import('../../src/node').then(({ createNodeWebGPUBackend }) =>
        createNodeWebGPUBackend({ autotune: false, adapter: (process.env.TEST_NODE_ADAPTER as 'lavapipe' | undefined) ?? 'lavapipe' }),
      );
  return gpu;
}

export const cpu = new CpuBackend();
