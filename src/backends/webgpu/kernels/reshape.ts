import type { WebGPUKernel, WebGPUKernels } from '../kernel_host';

/** A reshape copies the buffer (copyBufferToBuffer: no shader, no dispatch). */
export const reshape: WebGPUKernel = (backend, [x], _attrs, outShape) => backend.copy('reshape', x.storage, outShape);

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { reshape };
