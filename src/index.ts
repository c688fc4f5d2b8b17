// The package root: the whole engine, the WebGPU backend included.
export * from './core';
export {
  createWebGPUBackend,
  tensorFromGPUBuffer,
  WebGPUBackend,
  type WebGPUBackendOptions,
  type WebGPUStats,
  type GpuBufferView,
  type TensorFromGPUBufferOptions,
} from './backends/webgpu/webgpu_backend';
export type { TuneStore } from './backends/webgpu/autotune';
