import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { WebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';

let gpu: Promise<WebGPUBackend> | null = null;

/** One WebGPU backend per test file (each file runs in its own page). */
export function gpuBackend(): Promise<WebGPUBackend> {
  gpu ??= WebGPUBackend.create();
  return gpu;
}

export const cpu = new CpuBackend();
