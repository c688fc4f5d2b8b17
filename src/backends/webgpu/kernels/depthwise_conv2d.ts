import depthwiseSource from '../../../../shaders/depthwise_conv2d.wgsl?raw';
import { type Conv2dAttrs, type Conv2dGeometry } from '../../../ops/conv2d';
import { depthwiseGeometry } from '../../../ops/depthwise_conv2d';
import { sizeOf, type Shape } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { GpuStorage, WebGPUBackend, WebGPUKernel } from '../webgpu_backend';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';
import { reduceKernels } from './reduce';

export const depthwiseConv2dShader = defineShader({
  name: 'depthwise_conv2d',
  source: depthwiseSource,
  bindings: ['a', 'b', 'bias', 'out'],
  uniforms: [
    'total', 'N', 'C', 'H', 'W', 'M', 'OH', 'OW', 'KH', 'KW', 'stride_h', 'stride_w', 'pad_t', 'pad_l', 'dil_h', 'dil_w',
    'parts', 'images_per_part',
  ],
});

interface Run {
  op: 0 | 1 | 2;
  g: Conv2dGeometry & { mult: number };
  a: GpuStorage;
  b: GpuStorage;
  bias?: GpuStorage;
  out: GpuStorage;
  total: number;
  parts?: number;
  imagesPerPart?: number;
}

function enqueue(backend: WebGPUBackend, r: Run): void {
  const g = r.g;
  backend.dispatch({
    spec: depthwiseConv2dShader,
    overrides: { OP: r.op, HAS_BIAS: r.bias !== undefined, WG: ELEMENTWISE_WG },
    buffers: { a: r.a, b: r.b, bias: r.bias ?? r.b, out: r.out },
    uniforms: {
      total: r.total, N: g.n, C: g.c, H: g.h, W: g.w, M: g.mult, OH: g.oh, OW: g.ow, KH: g.kh, KW: g.kw,
      stride_h: g.strideH, stride_w: g.strideW, pad_t: g.padT, pad_l: g.padL, dil_h: g.dilH, dil_w: g.dilW,
      parts: r.parts ?? 1, images_per_part: r.imagesPerPart ?? g.n,
    },
    workgroups: elementwiseWorkgroups(r.total),
  });
}

export const depthwise_conv2d: WebGPUKernel = (backend, [x, f, bias], attrs, outShape) => {
  const g = depthwiseGeometry('depthwise_conv2d', x.shape, f.shape, attrs as Conv2dAttrs);
  const out = backend.allocate('depthwise_conv2d', outShape);
  enqueue(backend, { op: 0, g, a: x.storage, b: f.storage, bias: bias?.storage, out, total: sizeOf(outShape) });
  return out;
};

export const depthwise_conv2d_grad_input: WebGPUKernel = (backend, [dy, f], attrs, outShape) => {
  const g = depthwiseGeometry('depthwise_conv2d_grad_input', attrs.inputShape as Shape, f.shape, attrs as Conv2dAttrs);
  const out = backend.allocate('depthwise_conv2d_grad_input', outShape);
  enqueue(backend, { op: 1, g, a: dy.storage, b: f.storage, out, total: sizeOf(outShape) });
  return out;
};

/** Aim for this many invocations when splitting grad-filter's reduction over images. */
const TARGET_INVOCATIONS = 8192;

export const depthwise_conv2d_grad_filter: WebGPUKernel = (backend, [x, dy], attrs, outShape) => {
  const g = depthwiseGeometry('depthwise_conv2d_grad_filter', x.shape, attrs.filterShape as Shape, attrs as Conv2dAttrs);
  const filterSize = sizeOf(outShape);
  const imagesPerPart = Math.ceil(g.n / Math.max(1, Math.min(g.n, Math.ceil(TARGET_INVOCATIONS / filterSize))));
  const parts = Math.ceil(g.n / imagesPerPart);
  const target = backend.allocate('depthwise_conv2d_grad_filter', parts === 1 ? outShape : [parts, filterSize]);
  enqueue(backend, { op: 2, g, a: x.storage, b: dy.storage, out: target, total: parts * filterSize, parts, imagesPerPart });
  if (parts === 1) return target;
  const out = reduceKernels.sum(backend, [{ storage: target, shape: [parts, filterSize] }], { axes: [0], keepDims: false }, outShape);
  backend.release(target);
  return out;
};
