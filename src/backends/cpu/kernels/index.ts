import type { CpuKernel } from '../cpu_backend';
import { binaryKernels } from './binary';
import { matmul } from './matmul';
import { reduceKernels } from './reduce';
import { unaryKernels } from './unary';

/** Every CPU kernel by op name. */
export const cpuKernels: Record<string, CpuKernel> = {
  matmul,
  ...unaryKernels,
  ...binaryKernels,
  ...reduceKernels,
};
