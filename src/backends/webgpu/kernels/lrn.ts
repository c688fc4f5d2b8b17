import lrnSource from '../../../../shaders/lrn.wgsl?raw';
import type { LrnAttrs } from '../../../ops/lrn';
import { sizeOf } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel, WebGPUKernels } from '../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';

export const lrnShader = defineShader({
  name: 'lrn',
  source: lrnSource,
  bindings: ['x', 'dy', 'out'],
  uniforms: ['total', 'C', 'HW', 'lo', 'hi', 'alpha_over_size', 'beta', 'k'],
});

const lrnKernel =
  (op: 0 | 1): WebGPUKernel =>
  (backend, [x, dy], attrs, outShape) => {
    const a = attrs as LrnAttrs;
    const out = backend.allocate(op === 0 ? 'lrn' : 'lrn_grad', outShape);
    const total = sizeOf(outShape);
    backend.dispatch({
      spec: lrnShader,
      overrides: { OP: op, WG: ELEMENTWISE_WG },
      buffers: { x: x.storage, dy: (dy ?? x).storage, out },
      uniforms: {
        total,
        C: x.shape[1],
        HW: x.shape[2] * x.shape[3],
        lo: Math.floor(a.size / 2),
        hi: Math.floor((a.size - 1) / 2),
        alpha_over_size: a.alpha / a.size,
        beta: a.beta,
        k: a.k,
      },
      workgroups: elementwiseWorkgroups(total),
    });
    return out;
  };

export const lrn = lrnKernel(0);
export const lrn_grad = lrnKernel(1);

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { lrn, lrn_grad };
