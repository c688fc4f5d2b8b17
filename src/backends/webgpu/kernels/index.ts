import type { WebGPUKernel } from '../webgpu_backend';
import { binaryKernels } from './binary';
import { conv2d, conv2d_grad_filter, conv2d_grad_input } from './conv2d';
import { matmul } from './matmul';
import { reduceKernels } from './reduce';
import { unaryKernels } from './unary';

/** Every WebGPU kernel launcher by op name. */
export const webgpuKernels: Record<string, WebGPUKernel> = {
  matmul,
  conv2d,
  conv2d_grad_input,
  conv2d_grad_filter,
  ...unaryKernels,
  ...binaryKernels,
  ...reduceKernels,
};
