import dropoutSource from '../../../../shaders/dropout.wgsl?raw';
import { dropoutThreshold, type DropoutAttrs } from '../../../ops/dropout';
import { sizeOf } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel, WebGPUKernels } from '../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';

export const dropoutShader = defineShader({
  name: 'dropout',
  source: dropoutSource,
  bindings: ['x', 'step', 'out'],
  uniforms: ['n', 'seed', 'threshold', 'scale'],
});

export const dropout: WebGPUKernel = (backend, [x, step], rawAttrs, outShape) => {
  const { p, seed } = rawAttrs as DropoutAttrs;
  const out = backend.allocate('dropout', outShape);
  const n = sizeOf(outShape);
  backend.dispatch({
    spec: dropoutShader,
    overrides: { WG: ELEMENTWISE_WG, HAS_STEP: step ? 1 : 0 },
    // Without a step counter x is bound in its place (two read-only bindings may share a buffer).
    buffers: { x: x.storage, step: (step ?? x).storage, out },
    uniforms: { n, seed, threshold: dropoutThreshold(p), scale: 1 / (1 - p) },
    workgroups: elementwiseWorkgroups(n),
  });
  return out;
};

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { dropout };
