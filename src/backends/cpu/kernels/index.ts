import type { CpuKernel } from '../cpu_backend';
import { binaryKernels } from './binary';
import { conv2d, conv2d_grad_filter, conv2d_grad_input } from './conv2d';
import { matmul } from './matmul';
import { reduceKernels } from './reduce';
import { unaryKernels } from './unary';

/** Every CPU kernel by op name. */
export const cpuKernels: Record<string, CpuKernel> = {
  matmul,
  conv2d,
  conv2d_grad_input,
  conv2d_grad_filter,
  ...unaryKernels,
  ...binaryKernels,
  ...reduceKernels,
};
