import adamSource from '../../../../shaders/adam_update.wgsl?raw';
import sgdSource from '../../../../shaders/sgd_update.wgsl?raw';
import type { AdamUpdateAttrs, SgdUpdateAttrs } from '../../../ops/optimizer';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel } from '../webgpu_backend';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';

export const sgdUpdateShader = defineShader({
  name: 'sgd_update',
  source: sgdSource,
  bindings: ['grad', 'hyper', 'param', 'velocity'],
  uniforms: ['n', 'momentum', 'weight_decay'],
});

export const adamUpdateShader = defineShader({
  name: 'adam_update',
  source: adamSource,
  bindings: ['grad', 'hyper', 'param', 'm', 'v'],
  uniforms: ['n', 'beta1', 'beta2', 'eps', 'weight_decay'],
});

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
    uniforms: { n, momentum: attrs.momentum, weight_decay: attrs.weightDecay },
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
    uniforms: { n, beta1: attrs.beta1, beta2: attrs.beta2, eps: attrs.eps, weight_decay: attrs.weightDecay },
    workgroups: elementwiseWorkgroups(n),
  });
  return param.storage;
};

/** assign: a buffer copy into the target's storage. */
export const assign: WebGPUKernel = (backend, [target, value]) => {
  backend.copyInto(value.storage, target.storage, 0, value.storage.length);
  return target.storage;
};
