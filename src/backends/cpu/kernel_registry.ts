import { collectKernels, type KernelModule } from '../kernel_table';
import type { CpuKernel } from './cpu_kernel';

/**
 * Every CPU kernel by op name: the `kernels` table of each module under kernels/, loaded
 * by Vite's glob (the browser, vitest, the library build and the Node bundle all go
 * through Vite).
 */
export const cpuKernels = collectKernels<CpuKernel>('cpu', import.meta.glob<KernelModule<CpuKernel>>('./kernels/**/*.ts', { eager: true }));
