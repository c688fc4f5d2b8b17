import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { WebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';

let gpu: Promise<WebGPUBackend> | null = null;

/** One WebGPU backend per test file (each file runs in its own page); no autotuning, so results never depend on timings. */
export function gpuBackend(): Promise<WebGPUBackend> {
  gpu ??= WebGPUBackend.create({ autotune: false });
  return gpu;
}

export const cpu = new CpuBackend();
