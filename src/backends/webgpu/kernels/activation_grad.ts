import activationGradSource from '../../../../shaders/activation_grad.wgsl?raw';
import { ACTIVATION_GRAD_OPS } from '../../../ops/activation_grad';
import { sizeOf } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel, WebGPUKernels } from '../kernel_host';
import { ELEMENTWISE_WG, quadWorkgroups } from './elementwise';

export const activationGradShader = defineShader({
  name: 'activation_grad',
  source: activationGradSource,
  bindings: ['v', 'dy', 'out'],
  uniforms: ['n', 'alpha'],
});

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = Object.fromEntries(
  ACTIVATION_GRAD_OPS.map((name, index) => {
    const kernel: WebGPUKernel = (backend, [v, dy], attrs, outShape) => {
      const out = backend.allocate(name, outShape);
      const n = sizeOf(outShape);
      backend.dispatch({
        spec: activationGradShader,
        overrides: { OP: index, WG: ELEMENTWISE_WG },
        buffers: { v: v.storage, dy: dy.storage, out },
        uniforms: { n, alpha: (attrs.alpha as number | undefined) ?? 0 },
        workgroups: quadWorkgroups(n),
      });
      return out;
    };
    return [name, kernel];
  }),
);
