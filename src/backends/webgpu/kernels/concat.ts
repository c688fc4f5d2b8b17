import concatSource from '../../../../shaders/concat.wgsl?raw';
import { splitAt } from '../../../ops/concat';
import { normalizeAxes } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel, WebGPUKernels } from '../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';

export const concatShader = defineShader({
  name: 'concat',
  source: concatSource,
  bindings: ['x', 'out'],
  uniforms: ['total', 'inner', 'wide_inner', 'offset'],
});

export const concat: WebGPUKernel = (backend, inputs, attrs, outShape) => {
  const [axis] = normalizeAxes('concat', [attrs.axis as number], outShape.length);
  const { outer, inner: wideInner } = splitAt(outShape, axis);
  const out = backend.allocate('concat', outShape);
  let offset = 0;
  for (const x of inputs) {
    const { inner } = splitAt(x.shape, axis);
    backend.dispatch({
      spec: concatShader,
      overrides: { OP: 0, WG: ELEMENTWISE_WG },
      buffers: { x: x.storage, out },
      uniforms: { total: outer * inner, inner, wide_inner: wideInner, offset },
      workgroups: elementwiseWorkgroups(outer * inner),
    });
    offset += inner;
  }
  return out;
};

export const slice: WebGPUKernel = (backend, [x], attrs, outShape) => {
  const [axis] = normalizeAxes('slice', [attrs.axis as number], x.shape.length);
  const { inner: wideInner } = splitAt(x.shape, axis);
  const { outer, inner } = splitAt(outShape, axis);
  const out = backend.allocate('slice', outShape);
  backend.dispatch({
    spec: concatShader,
    overrides: { OP: 1, WG: ELEMENTWISE_WG },
    buffers: { x: x.storage, out },
    uniforms: { total: outer * inner, inner, wide_inner: wideInner, offset: (attrs.start as number) * splitAt(x.shape, axis + 1).inner },
    workgroups: elementwiseWorkgroups(outer * inner),
  });
  return out;
};

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { concat, slice };
