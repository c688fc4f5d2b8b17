import dropoutSource from '../../../../shaders/dropout.wgsl?raw';
import { dropoutThreshold, type DropoutAttrs } from '../../../ops/dropout';
import { sizeOf } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel } from '../webgpu_backend';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';

export const dropoutShader = defineShader({ name: 'dropout', source: dropoutSource, bindings: ['x', 'out'], uniforms: ['n', 'seed', 'threshold', 'scale'] });

export const dropout: WebGPUKernel = (backend, [x], rawAttrs, outShape) => {
  const { p, seed } = rawAttrs as DropoutAttrs;
  const out = backend.allocate('dropout', outShape);
  const n = sizeOf(outShape);
  backend.dispatch({
    spec: dropoutShader,
    overrides: { WG: ELEMENTWISE_WG },
    buffers: { x: x.storage, out },
    uniforms: { n, seed, threshold: dropoutThreshold(p), scale: 1 / (1 - p) },
    workgroups: elementwiseWorkgroups(n),
  });
  return out;
};
