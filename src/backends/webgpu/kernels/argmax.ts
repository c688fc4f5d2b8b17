import argmaxSource from '../../../../shaders/argmax.wgsl?raw';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel, WebGPUKernels } from '../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';

export const argmaxShader = defineShader({ name: 'argmax', source: argmaxSource, bindings: ['x', 'out'], uniforms: ['rows', 'cols'] });

export const argmax: WebGPUKernel = (backend, [x], _attrs, outShape) => {
  const [rows, cols] = x.shape;
  const out = backend.allocate('argmax', outShape);
  backend.dispatch({
    spec: argmaxShader,
    overrides: { WG: ELEMENTWISE_WG },
    buffers: { x: x.storage, out },
    uniforms: { rows, cols },
    workgroups: elementwiseWorkgroups(rows),
  });
  return out;
};

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { argmax };
