import { dropoutHash, dropoutSeed, dropoutThreshold, type DropoutAttrs } from '../../../ops/dropout';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

export const dropout: CpuKernel = ([x, step], rawAttrs) => {
  const { p } = rawAttrs as DropoutAttrs;
  const seed = dropoutSeed((rawAttrs as DropoutAttrs).seed, step ? step.storage[0] : 0);
  const threshold = dropoutThreshold(p);
  const scale = 1 / (1 - p);
  return Float64Array.from(x.storage, (v, i) => (dropoutHash(seed, i) >= threshold ? v * scale : 0));
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { dropout };
