import type { WebGPUKernel } from '../webgpu_backend';
import { binaryKernels } from './binary';
import { matmul } from './matmul';
import { reduceKernels } from './reduce';
import { unaryKernels } from './unary';

/** Every WebGPU kernel launcher by op name. */
export const webgpuKernels: Record<string, WebGPUKernel> = {
  matmul,
  ...unaryKernels,
  ...binaryKernels,
  ...reduceKernels,
};
