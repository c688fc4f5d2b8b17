import adamSource from '../../../../shaders/adam_update.wgsl?raw';
import adamPairSource from '../../../../shaders/adam_update_pair.wgsl?raw';
import sgdSource from '../../../../shaders/sgd_update.wgsl?raw';
import sgdPairSource from '../../../../shaders/sgd_update_pair.wgsl?raw';
import type { AdamUpdateAttrs, SgdUpdateAttrs } from '../../../ops/optimizer';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel, WebGPUKernels } from '../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';

export const sgdUpdateShader = defineShader({
  name: 'sgd_update',
  source: sgdSource,
  bindings: ['grad', 'hyper', 'param', 'velocity'],
  uniforms: ['n', 'momentum', 'weight_decay', 'lr_scale'],
});

export const adamUpdateShader = defineShader({
  name: 'adam_update',
  source: adamSource,
  bindings: ['grad', 'hyper', 'param', 'm', 'v'],
  uniforms: ['n', 'beta1', 'beta2', 'eps', 'weight_decay', 'lr_scale', 'one_minus_beta1', 'one_minus_beta2'],
});

/** Adam's uniforms; 1 - beta computed here in double (in f32 it would carry beta's rounding: adam_update.wgsl). */
function adamUniforms(attrs: AdamUpdateAttrs): Record<string, number> {
  return {
    beta1: attrs.beta1,
    beta2: attrs.beta2,
    eps: attrs.eps,
    weight_decay: attrs.weightDecay,
    lr_scale: attrs.lrScale ?? 1,
    one_minus_beta1: 1 - attrs.beta1,
    one_minus_beta2: 1 - attrs.beta2,
  };
}

export const sgd_update: WebGPUKernel = (backend, [param, grad, hyper, velocity], rawAttrs) => {
  const attrs = rawAttrs as SgdUpdateAttrs;
  const n = param.storage.length;
  // Without momentum the velocity binding is unread, but a writable binding may not
  // alias the parameter, so it gets a one-element scratch buffer.
  const scratch = velocity ? null : backend.allocate('sgd_update', [1]);
  backend.dispatch({
    spec: sgdUpdateShader,
    overrides: { WG: ELEMENTWISE_WG, MOMENTUM: velocity ? 1 : 0, NESTEROV: attrs.nesterov ? 1 : 0 },
    buffers: { grad: grad.storage, hyper: hyper.storage, param: param.storage, velocity: velocity?.storage ?? scratch! },
    uniforms: { n, momentum: attrs.momentum, weight_decay: attrs.weightDecay, lr_scale: attrs.lrScale ?? 1 },
    workgroups: elementwiseWorkgroups(n),
  });
  if (scratch) backend.release(scratch);
  return param.storage;
};

export const adam_update: WebGPUKernel = (backend, [param, grad, hyper, m, v], rawAttrs) => {
  const attrs = rawAttrs as AdamUpdateAttrs;
  const n = param.storage.length;
  backend.dispatch({
    spec: adamUpdateShader,
    overrides: { WG: ELEMENTWISE_WG, DECOUPLED: attrs.decoupled ? 1 : 0 },
    buffers: { grad: grad.storage, hyper: hyper.storage, param: param.storage, m: m.storage, v: v.storage },
    uniforms: { n, ...adamUniforms(attrs) },
    workgroups: elementwiseWorkgroups(n),
  });
  return param.storage;
};

export const sgdUpdatePairShader = defineShader({
  name: 'sgd_update_pair',
  source: sgdPairSource,
  bindings: ['grad', 'grad2', 'hyper', 'param', 'velocity', 'param2', 'velocity2'],
  uniforms: ['n', 'n2', 'momentum', 'weight_decay', 'lr_scale'],
});

export const adamUpdatePairShader = defineShader({
  name: 'adam_update_pair',
  source: adamPairSource,
  bindings: ['grad', 'grad2', 'hyper', 'param', 'm', 'v', 'param2', 'm2', 'v2'],
  uniforms: ['n', 'n2', 'beta1', 'beta2', 'eps', 'weight_decay', 'lr_scale', 'one_minus_beta1', 'one_minus_beta2'],
});

export const sgd_update_pair: WebGPUKernel = (backend, [p1, p2, g1, g2, hyper, v1, v2], rawAttrs) => {
  const attrs = rawAttrs as SgdUpdateAttrs;
  const [n, n2] = [p1.storage.length, p2.storage.length];
  // Without momentum the velocity bindings are unread; writable bindings may not alias, so two scratch buffers.
  const scratch = v1 ? [] : [backend.allocate('sgd_update_pair', [1]), backend.allocate('sgd_update_pair', [1])];
  backend.dispatch({
    spec: sgdUpdatePairShader,
    overrides: { WG: ELEMENTWISE_WG, MOMENTUM: v1 ? 1 : 0, NESTEROV: attrs.nesterov ? 1 : 0 },
    buffers: {
      grad: g1.storage,
      grad2: g2.storage,
      hyper: hyper.storage,
      param: p1.storage,
      param2: p2.storage,
      velocity: v1?.storage ?? scratch[0],
      velocity2: v2?.storage ?? scratch[1],
    },
    uniforms: { n, n2, momentum: attrs.momentum, weight_decay: attrs.weightDecay, lr_scale: attrs.lrScale ?? 1 },
    workgroups: elementwiseWorkgroups(n + n2),
  });
  for (const s of scratch) backend.release(s);
  return p1.storage;
};

export const adam_update_pair: WebGPUKernel = (backend, [p1, p2, g1, g2, hyper, m1, v1, m2, v2], rawAttrs) => {
  const attrs = rawAttrs as AdamUpdateAttrs;
  const [n, n2] = [p1.storage.length, p2.storage.length];
  backend.dispatch({
    spec: adamUpdatePairShader,
    overrides: { WG: ELEMENTWISE_WG, DECOUPLED: attrs.decoupled ? 1 : 0 },
    buffers: {
      grad: g1.storage,
      grad2: g2.storage,
      hyper: hyper.storage,
      param: p1.storage,
      m: m1.storage,
      v: v1.storage,
      param2: p2.storage,
      m2: m2.storage,
      v2: v2.storage,
    },
    uniforms: { n, n2, ...adamUniforms(attrs) },
    workgroups: elementwiseWorkgroups(n + n2),
  });
  return p1.storage;
};

/** assign: a buffer copy into the target's storage. */
export const assign: WebGPUKernel = (backend, [target, value]) => {
  backend.copyInto(value.storage, target.storage, 0, value.storage.length);
  return target.storage;
};

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { adam_update, adam_update_pair, assign, sgd_update, sgd_update_pair };
