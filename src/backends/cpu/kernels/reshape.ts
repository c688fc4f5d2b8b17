import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** Row-major values are unchanged by a reshape: copy them. */
export const reshape: CpuKernel = ([x]) => Float64Array.from(x.storage);

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { reshape };
