import batchNormSource from '../../../../shaders/batch_norm.wgsl?raw';
import type { BatchNormAttrs } from '../../../ops/batch_norm';
import type { Shape } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { GpuStorage, WebGPUKernel, WebGPUKernelHost, WebGPUKernels } from '../kernel_host';
import { ELEMENTWISE_WG, quadWorkgroups } from './elementwise';

export const batchNormShader = defineShader({
  name: 'batch_norm',
  source: batchNormSource,
  bindings: ['x', 'dy', 'gamma', 'beta', 'stats', 'grad_stats', 'out'],
  uniforms: ['C', 'HW', 'M', 'total', 'eps'],
});

type Slots = Partial<Record<'dy' | 'gamma' | 'beta' | 'stats' | 'grad_stats', GpuStorage>>;

/** Enqueues one batch_norm.wgsl pass; slots the pass does not read are filled with x. */
function pass(backend: WebGPUKernelHost, op: 0 | 1 | 2 | 3, x: GpuStorage, shape: Shape, eps: number, out: GpuStorage, slots: Slots): void {
  const c = shape[1];
  const hw = shape.length === 4 ? shape[2] * shape[3] : 1;
  const total = shape[0] * c * hw;
  backend.dispatch({
    spec: batchNormShader,
    overrides: { OP: op, WG: ELEMENTWISE_WG },
    buffers: { x, dy: x, gamma: x, beta: x, stats: x, grad_stats: x, ...slots, out },
    uniforms: { C: c, HW: hw, M: shape[0] * hw, total, eps },
    // The sums run one workgroup per channel; the element-wise passes four elements per invocation.
    workgroups: op <= 1 ? c : quadWorkgroups(total),
  });
}

export const batch_norm_stats: WebGPUKernel = (backend, [x], _attrs, outShape) => {
  const out = backend.allocate('batch_norm_stats', outShape);
  pass(backend, 0, x.storage, x.shape, 0, out, {});
  return out;
};

/** The given statistics, or new ones from a stats pass (`computed` says whether to release them). */
function statsFor(backend: WebGPUKernelHost, op: string, x: { storage: GpuStorage; shape: Shape }, given: { storage: GpuStorage } | undefined) {
  if (given) return { stats: given.storage, computed: false };
  const stats = backend.allocate(op, [2, x.shape[1]]);
  pass(backend, 0, x.storage, x.shape, 0, stats, {});
  return { stats, computed: true };
}

export const batch_norm_train: WebGPUKernel = (backend, [x, gamma, beta, given], attrs, outShape) => {
  const eps = (attrs as BatchNormAttrs).eps;
  const { stats, computed } = statsFor(backend, 'batch_norm_train', x, given);
  const out = backend.allocate('batch_norm_train', outShape);
  pass(backend, 2, x.storage, x.shape, eps, out, { gamma: gamma.storage, beta: beta.storage, stats });
  if (computed) backend.release(stats);
  return out;
};

export const batch_norm_grad_sums: WebGPUKernel = (backend, [x, dy, given], attrs, outShape) => {
  const eps = (attrs as BatchNormAttrs).eps;
  const { stats, computed } = statsFor(backend, 'batch_norm_grad_sums', x, given);
  const out = backend.allocate('batch_norm_grad_sums', outShape);
  pass(backend, 1, x.storage, x.shape, eps, out, { dy: dy.storage, stats });
  if (computed) backend.release(stats);
  return out;
};

export const batch_norm_train_grad: WebGPUKernel = (backend, [x, dy, gamma, sums, given], attrs, outShape) => {
  const eps = (attrs as BatchNormAttrs).eps;
  const { stats, computed } = statsFor(backend, 'batch_norm_train_grad', x, given);
  const out = backend.allocate('batch_norm_train_grad', outShape);
  pass(backend, 3, x.storage, x.shape, eps, out, { dy: dy.storage, gamma: gamma.storage, stats, grad_stats: sums.storage });
  if (computed) backend.release(stats);
  return out;
};

export const batch_norm_infer: WebGPUKernel = (backend, [x, mean, variance, gamma, beta], attrs, outShape) => {
  const eps = (attrs as BatchNormAttrs).eps;
  const c = x.shape[1];
  // Pack [mean; variance] the way the shader reads statistics: two GPU copies, no dispatch.
  const stats = backend.allocate('batch_norm_infer', [2, c]);
  backend.copyInto(mean.storage, stats, 0, c);
  backend.copyInto(variance.storage, stats, c, c);
  const out = backend.allocate('batch_norm_infer', outShape);
  pass(backend, 2, x.storage, x.shape, eps, out, { gamma: gamma.storage, beta: beta.storage, stats });
  backend.release(stats);
  return out;
};

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { batch_norm_grad_sums, batch_norm_infer, batch_norm_stats, batch_norm_train, batch_norm_train_grad };
