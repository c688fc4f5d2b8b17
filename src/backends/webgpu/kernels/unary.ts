import unarySource from '../../../../shaders/unary.wgsl?raw';
import { defaultAlpha, UNARY_OPS, type UnaryAttrs } from '../../../ops/unary';
import { sizeOf } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel, WebGPUKernels } from '../kernel_host';
import { ELEMENTWISE_WG, quadWorkgroups } from './elementwise';

export const unaryShader = defineShader({ name: 'unary', source: unarySource, bindings: ['x', 'out'], uniforms: ['n', 'alpha'] });

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = Object.fromEntries(
  UNARY_OPS.map((name, index) => {
    const kernel: WebGPUKernel = (backend, [x], attrs, outShape) => {
      const out = backend.allocate(name, outShape);
      const n = sizeOf(outShape);
      backend.dispatch({
        spec: unaryShader,
        overrides: { OP: index, WG: ELEMENTWISE_WG },
        buffers: { x: x.storage, out },
        uniforms: { n, alpha: (attrs as UnaryAttrs).alpha ?? defaultAlpha(name) },
        workgroups: quadWorkgroups(n),
      });
      return out;
    };
    return [name, kernel];
  }),
);
