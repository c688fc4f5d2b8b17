import tenCropSource from '../../../../shaders/ten_crop.wgsl?raw';
import type { TenCropAttrs } from '../../../ops/ten_crop';
import { sizeOf } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel, WebGPUKernels } from '../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';

export const tenCropShader = defineShader({
  name: 'ten_crop',
  source: tenCropSource,
  bindings: ['x', 'out'],
  uniforms: ['n', 'c', 'h', 'w', 'oh', 'ow', 'padding', 'views'],
});

export const ten_crop: WebGPUKernel = (backend, [x], rawAttrs, outShape) => {
  const a = rawAttrs as TenCropAttrs;
  const [n, c, h, w] = x.shape;
  const [, , oh, ow] = outShape;
  const out = backend.allocate('ten_crop', outShape);
  backend.dispatch({
    spec: tenCropShader,
    overrides: { WG: ELEMENTWISE_WG },
    buffers: { x: x.storage, out },
    uniforms: { n, c, h, w, oh, ow, padding: a.padding, views: a.views },
    workgroups: elementwiseWorkgroups(sizeOf(outShape)),
  });
  return out;
};

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { ten_crop };
