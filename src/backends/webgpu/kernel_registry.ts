import { collectKernels, type KernelModule } from '../kernel_table';
import type { WebGPUKernel } from './kernel_host';

/**
 * Every WebGPU kernel launcher by op name: the `kernels` table of each module under
 * kernels/, loaded by Vite's glob (the browser, vitest, the library build and the Node
 * bundle all go through Vite). Loading them also declares the variant families.
 */
export const webgpuKernels = collectKernels<WebGPUKernel>('webgpu', import.meta.glob<KernelModule<WebGPUKernel>>('./kernels/**/*.ts', { eager: true }));
