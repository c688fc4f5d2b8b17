import logSoftmaxChannelsSource from '../../../../shaders/log_softmax_channels.wgsl?raw';
import softmaxSource from '../../../../shaders/softmax.wgsl?raw';
import { sizeOf } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { GpuStorage, WebGPUKernel, WebGPUKernelHost, WebGPUKernels } from '../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';
import { kernels as reduceKernels } from './reduce';

export const softmaxShader = defineShader({
  name: 'softmax',
  source: softmaxSource,
  bindings: ['x', 'labels', 'dy', 'out'],
  uniforms: ['rows', 'K', 'nan_bits'],
});

const QUIET_NAN_BITS = 0x7fc00000;

function enqueue(backend: WebGPUKernelHost, op: number, x: GpuStorage, k: number, rows: number, out: GpuStorage, labels = x, dy = x): void {
  backend.dispatch({
    spec: softmaxShader,
    overrides: { OP: op, WG: ELEMENTWISE_WG },
    // Unused slots (labels, dy for OP 0 and 1) are filled with x; the shader never reads them.
    buffers: { x, labels, dy, out },
    uniforms: { rows, K: k, nan_bits: QUIET_NAN_BITS },
    workgroups: elementwiseWorkgroups(rows),
  });
}

const rowwise =
  (op: number, name: string): WebGPUKernel =>
  (backend, [x], _attrs, outShape) => {
    const out = backend.allocate(name, outShape);
    const k = x.shape.at(-1)!;
    enqueue(backend, op, x.storage, k, sizeOf(x.shape) / k, out);
    return out;
  };

export const softmax = rowwise(0, 'softmax');
export const log_softmax = rowwise(1, 'log_softmax');

export const softmax_cross_entropy: WebGPUKernel = (backend, [logits, labels], _attrs, outShape) => {
  const [rows, k] = logits.shape;
  const perRow = backend.allocate('softmax_cross_entropy', [rows]);
  enqueue(backend, 2, logits.storage, k, rows, perRow, labels.storage);
  const out = reduceKernels.mean(backend, [{ storage: perRow, shape: [rows] }], { axes: [], keepDims: false }, outShape);
  backend.release(perRow);
  return out;
};

export const softmax_cross_entropy_grad: WebGPUKernel = (backend, [logits, labels, dy], _attrs, outShape) => {
  const [rows, k] = logits.shape;
  const out = backend.allocate('softmax_cross_entropy_grad', outShape);
  enqueue(backend, 3, logits.storage, k, rows, out, labels.storage, dy.storage);
  return out;
};

export const logSoftmaxChannelsShader = defineShader({
  name: 'log_softmax_channels',
  source: logSoftmaxChannelsSource,
  bindings: ['x', 'out'],
  uniforms: ['pixels', 'C', 'HW'],
});

/** One invocation per pixel of NCHW logits, over its channels. */
export const log_softmax_channels: WebGPUKernel = (backend, [x], _attrs, outShape) => {
  const [n, c, h, w] = x.shape;
  const out = backend.allocate('log_softmax_channels', outShape);
  const pixels = n * h * w;
  backend.dispatch({
    spec: logSoftmaxChannelsShader,
    overrides: { WG: ELEMENTWISE_WG },
    buffers: { x: x.storage, out },
    uniforms: { pixels, C: c, HW: h * w },
    workgroups: elementwiseWorkgroups(pixels),
  });
  return out;
};

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { log_softmax, log_softmax_channels, softmax, softmax_cross_entropy, softmax_cross_entropy_grad };
