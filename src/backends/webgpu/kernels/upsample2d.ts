import upsample2dSource from '../../../../shaders/upsample2d.wgsl?raw';
import type { Upsample2dAttrs, Upsample2dGradAttrs } from '../../../ops/upsample2d';
import { sizeOf } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel, WebGPUKernels } from '../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';

export const upsample2dShader = defineShader({
  name: 'upsample2d',
  source: upsample2dSource,
  bindings: ['x', 'out'],
  uniforms: ['total', 'IH', 'IW', 'OH', 'OW', 'ratio_h', 'ratio_w'],
});

/** The forward (OP 0: one invocation per output value) or the gradient (OP 1: one per input value, gathering). */
const upsample2dKernel =
  (op: 0 | 1): WebGPUKernel =>
  (backend, [x], attrs, outShape) => {
    const a = attrs as Upsample2dAttrs;
    const [, , ih, iw] = op === 0 ? x.shape : (a as Upsample2dGradAttrs).inputShape;
    const out = backend.allocate(op === 0 ? 'upsample2d' : 'upsample2d_grad', outShape);
    const total = sizeOf(outShape);
    backend.dispatch({
      spec: upsample2dShader,
      overrides: { OP: op, MODE: a.mode === 'nearest' ? 0 : 1, ALIGN: a.alignCorners ? 1 : 0, WG: ELEMENTWISE_WG },
      buffers: { x: x.storage, out },
      uniforms: { total, IH: ih, IW: iw, OH: a.size[0], OW: a.size[1], ratio_h: a.ratio[0], ratio_w: a.ratio[1] },
      workgroups: elementwiseWorkgroups(total),
    });
    return out;
  };

export const upsample2d = upsample2dKernel(0);
export const upsample2d_grad = upsample2dKernel(1);

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { upsample2d, upsample2d_grad };
