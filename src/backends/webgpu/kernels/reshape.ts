import type { WebGPUKernel } from '../webgpu_backend';

/** A reshape copies the buffer (copyBufferToBuffer: no shader, no dispatch). */
export const reshape: WebGPUKernel = (backend, [x], _attrs, outShape) => backend.copy('reshape', x.storage, outShape);
