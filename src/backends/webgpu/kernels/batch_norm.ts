import batchNormSource from '../../../../shaders/batch_norm.wgsl?raw';
import type { BatchNormAttrs } from '../../../ops/batch_norm';
import type { Shape } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { GpuStorage, WebGPUKernel, WebGPUKernelHost, WebGPUKernels } from '../kernel_host';
import { defineFamily, runFamily, type KernelVariant } from '../variants';
import { ELEMENTWISE_WG, quadWorkgroups } from './elementwise';

export const batchNormShader = defineShader({
  name: 'batch_norm',
  source: batchNormSource,
  bindings: ['x', 'dy', 'gamma', 'beta', 'stats', 'grad_stats', 'out'],
  uniforms: ['C', 'HW', 'M', 'total', 'eps'],
});

type Slots = Partial<Record<'dy' | 'gamma' | 'beta' | 'stats' | 'grad_stats', GpuStorage>>;

/**
 * Enqueues one batch_norm.wgsl pass; slots the pass does not read are filled with x.
 * `sumWg` is the workgroup size of the sums (OP 0, 1), which the families below choose.
 */
function pass(backend: WebGPUKernelHost, op: 0 | 1 | 2 | 3, x: GpuStorage, shape: Shape, eps: number, out: GpuStorage, slots: Slots, sumWg = 64): void {
  const c = shape[1];
  const hw = shape.length === 4 ? shape[2] * shape[3] : 1;
  const total = shape[0] * c * hw;
  backend.dispatch({
    spec: batchNormShader,
    overrides: { OP: op, WG: op <= 1 ? sumWg : ELEMENTWISE_WG },
    buffers: { x, dy: x, gamma: x, beta: x, stats: x, grad_stats: x, ...slots, out },
    uniforms: { C: c, HW: hw, M: shape[0] * hw, total, eps },
    // The sums run one workgroup per channel; the element-wise passes four elements per invocation.
    workgroups: op <= 1 ? c : quadWorkgroups(total),
  });
}

/** A per-channel sums pass: x, its shape, and for the gradient sums dy, the statistics and eps. */
interface SumsProblem {
  x: GpuStorage;
  shape: Shape;
  out: GpuStorage;
  eps: number;
  slots: Slots;
}

/**
 * The sums' two rows differ only in the workgroup size (the shader's WG): 8 invocations
 * per channel lead on fallback adapters, where SwiftShader ran resnet20's statistics 2-10x
 * faster than with 64 (fewer invocations to carry through each barrier); 64 lead on every
 * other adapter, as written for GPUs. The first row the adapter offers runs.
 */
function sumsFamily(op: 'batch_norm_stats' | 'batch_norm_grad_sums', pass_: 0 | 1) {
  const row = (wg: number, leads: 'fallback' | 'gpu'): KernelVariant<SumsProblem> => ({
    name: `batch_norm:${pass_ === 0 ? 'stats' : 'grad-sums'}-wg${wg}`,
    shaders: ['batch_norm'],
    leads,
    fits: () => true,
    run: (backend, p) => {
      pass(backend, pass_, p.x, p.shape, p.eps, p.out, p.slots, wg);
      return p.out;
    },
  });
  return defineFamily<SumsProblem>({
    op,
    choice: 'first-fit',
    shapeClass: (p) => p.shape.join('x'),
    variants: [row(8, 'fallback'), row(64, 'gpu')],
  });
}

export const batchNormStatsFamily = sumsFamily('batch_norm_stats', 0);
export const batchNormGradSumsFamily = sumsFamily('batch_norm_grad_sums', 1);

/** Enqueues the statistics of x ([mean; variance]) into `out`. */
function statsPass(backend: WebGPUKernelHost, x: GpuStorage, shape: Shape, out: GpuStorage): GpuStorage {
  return runFamily(
    backend,
    batchNormStatsFamily,
    { x, shape, out, eps: 0, slots: {} },
    { op: 'batch_norm_stats', inputs: [shape], attrs: {}, outShape: [2, shape[1]] },
  );
}

export const batch_norm_stats: WebGPUKernel = (backend, [x], _attrs, outShape) => {
  return statsPass(backend, x.storage, x.shape, backend.allocate('batch_norm_stats', outShape));
};

/** The given statistics, or new ones from a stats pass (`computed` says whether to release them). */
function statsFor(backend: WebGPUKernelHost, op: string, x: { storage: GpuStorage; shape: Shape }, given: { storage: GpuStorage } | undefined) {
  if (given) return { stats: given.storage, computed: false };
  return { stats: statsPass(backend, x.storage, x.shape, backend.allocate(op, [2, x.shape[1]])), computed: true };
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
  const problem = { x: x.storage, shape: x.shape, out, eps, slots: { dy: dy.storage, stats } };
  runFamily(backend, batchNormGradSumsFamily, problem, { op: 'batch_norm_grad_sums', inputs: [x.shape, dy.shape], attrs, outShape });
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
