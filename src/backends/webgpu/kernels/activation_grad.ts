import activationGradSource from '../../../../shaders/activation_grad.wgsl?raw';
import { ACTIVATION_GRAD_OPS } from '../../../ops/activation_grad';
import { sizeOf } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel } from '../webgpu_backend';
import { ELEMENTWISE_WG, quadWorkgroups } from './elementwise';

export const activationGradShader = defineShader({
  name: 'activation_grad',
  source: activationGradSource,
  bindings: ['v', 'dy', 'out'],
  uniforms: ['n', 'alpha'],
});

export const activationGradKernels: Record<string, WebGPUKernel> = Object.fromEntries(
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
