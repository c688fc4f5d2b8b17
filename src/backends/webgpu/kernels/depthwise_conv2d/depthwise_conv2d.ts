import depthwiseSource from '../../../../../shaders/depthwise_conv2d/depthwise_conv2d.wgsl?raw';
import depthwiseRowsSource from '../../../../../shaders/depthwise_conv2d/depthwise_conv2d_rows.wgsl?raw';
import type { Conv2dAttrs, Conv2dGeometry } from '../../../../ops/conv2d';
import { depthwiseGeometry } from '../../../../ops/depthwise_conv2d';
import { sizeOf, type Shape } from '../../../../shape';
import { defineShader } from '../../shader_registry';
import { defineFamily, runFamily } from '../../variants';
import type { GpuStorage, WebGPUKernel, WebGPUKernelHost, WebGPUKernels } from '../../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from '../elementwise';
import { sumPartials } from '../reduce';

export const depthwiseConv2dShader = defineShader({
  name: 'depthwise_conv2d',
  source: depthwiseSource,
  bindings: ['a', 'b', 'bias', 'out'],
  uniforms: ['total', 'N', 'C', 'H', 'W', 'M', 'OH', 'OW', 'KH', 'KW', 'stride_h', 'stride_w', 'pad_t', 'pad_l', 'dil_h', 'dil_w', 'parts', 'images_per_part'],
});

export const depthwiseConv2dRowsShader = defineShader({
  name: 'depthwise_conv2d_rows',
  source: depthwiseRowsSource,
  bindings: ['x', 'w', 'bias', 'out'],
  uniforms: ['N', 'IC', 'H', 'W', 'OC', 'OH', 'OW', 'KH', 'pad_t', 'pad_l', 'in_div', 'in_mul', 'MI', 'w_mul', 'taps', 'w_base', 'w_kh', 'w_kw', 'segs'],
});

/** depthwise_conv2d_rows.wgsl's reach: no dilation, the same stride (1 or 2) both ways, filters at most 5 wide. */
function rowsFit(g: Conv2dGeometry): boolean {
  return g.dilH === 1 && g.dilW === 1 && g.strideH === g.strideW && g.strideH <= 2 && g.kw <= 5;
}

/** The input gradient as a stride-1 convolution of dy with flipped filters: stride 1, no dilation, padding below the kernel. */
function flippable(g: Conv2dGeometry): boolean {
  return g.dilH === 1 && g.dilW === 1 && g.strideH === 1 && g.strideW === 1 && g.padT < g.kh && g.padL < g.kw && g.kw <= 5;
}

interface RowsRun {
  x: GpuStorage;
  w: GpuStorage;
  bias?: GpuStorage;
  out: GpuStorage;
  n: number;
  inChannels: number;
  h: number;
  width: number;
  outChannels: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  stride: number;
  padT: number;
  padL: number;
  /** Input channel of output channel oc and inner index m: (oc / inDiv) * inMul + m, m < inner; filter row oc * wMul + m. */
  inDiv: number;
  inMul: number;
  inner: number;
  wMul: number;
  filter: { base: number; kh: number; kw: number };
}

function enqueueRows(backend: WebGPUKernelHost, r: RowsRun): void {
  const segs = Math.ceil(r.ow / 8);
  backend.dispatch({
    spec: depthwiseConv2dRowsShader,
    overrides: { KW: r.kw, STRIDE: r.stride, HAS_BIAS: r.bias !== undefined },
    buffers: { x: r.x, w: r.w, bias: r.bias ?? r.w, out: r.out },
    uniforms: {
      N: r.n,
      IC: r.inChannels,
      H: r.h,
      W: r.width,
      OC: r.outChannels,
      OH: r.oh,
      OW: r.ow,
      KH: r.kh,
      pad_t: r.padT,
      pad_l: r.padL,
      in_div: r.inDiv,
      in_mul: r.inMul,
      MI: r.inner,
      w_mul: r.wMul,
      taps: r.kh * r.kw,
      w_base: r.filter.base,
      w_kh: r.filter.kh,
      w_kw: r.filter.kw,
      segs,
    },
    workgroups: Math.ceil((r.n * r.outChannels * r.oh * segs) / 64),
  });
}

/** Tuning shape class: the input shapes and the window geometry. */
function shapeClassOf(inputs: readonly Shape[], g: Conv2dGeometry): string {
  return `${inputs.map((s) => s.join('x')).join(' ')} k${g.kh}x${g.kw} s${g.strideH}x${g.strideW} p${g.padT},${g.padL} d${g.dilH}x${g.dilW}`;
}

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

function enqueue(backend: WebGPUKernelHost, r: Run): void {
  const g = r.g;
  backend.dispatch({
    spec: depthwiseConv2dShader,
    overrides: { OP: r.op, HAS_BIAS: r.bias !== undefined, WG: ELEMENTWISE_WG },
    buffers: { a: r.a, b: r.b, bias: r.bias ?? r.b, out: r.out },
    uniforms: {
      total: r.total,
      N: g.n,
      C: g.c,
      H: g.h,
      W: g.w,
      M: g.mult,
      OH: g.oh,
      OW: g.ow,
      KH: g.kh,
      KW: g.kw,
      stride_h: g.strideH,
      stride_w: g.strideW,
      pad_t: g.padT,
      pad_l: g.padL,
      dil_h: g.dilH,
      dil_w: g.dilW,
      parts: r.parts ?? 1,
      images_per_part: r.imagesPerPart ?? g.n,
    },
    workgroups: elementwiseWorkgroups(r.total),
  });
}

/** A depthwise convolution (forward or input gradient) as its variants see it. */
interface DepthwiseProblem {
  g: Conv2dGeometry & { mult: number };
  inputs: readonly Shape[];
  /** x (forward) or dy (input gradient), the filter, the bias. */
  source: GpuStorage;
  filter: GpuStorage;
  bias?: GpuStorage;
  out: GpuStorage;
  outShape: Shape;
}

/**
 * The forward's variants: row windows (depthwise_conv2d_rows.wgsl: no dilation, the same
 * stride 1 or 2 both ways, filters up to 5 wide; measured on SwiftShader), then one
 * invocation per output (any geometry).
 */
export const depthwiseConv2dFamily = defineFamily<DepthwiseProblem>({
  op: 'depthwise_conv2d',
  choice: 'tuned',
  shapeClass: (p) => shapeClassOf(p.inputs, p.g),
  variants: [
    {
      name: 'depthwise_conv2d_rows',
      shaders: ['depthwise_conv2d_rows'],
      leads: 'fallback',
      fits: ({ g }) => rowsFit(g),
      run: (backend, { g, source, filter, bias, out }) => {
        enqueueRows(backend, {
          x: source,
          w: filter,
          bias,
          out,
          n: g.n,
          inChannels: g.c,
          h: g.h,
          width: g.w,
          outChannels: g.o,
          oh: g.oh,
          ow: g.ow,
          kh: g.kh,
          kw: g.kw,
          stride: g.strideH,
          padT: g.padT,
          padL: g.padL,
          inDiv: g.mult,
          inMul: 1,
          inner: 1,
          wMul: 1,
          filter: { base: 0, kh: g.kw, kw: 1 },
        });
        return out;
      },
    },
    {
      name: 'depthwise_conv2d',
      shaders: ['depthwise_conv2d'],
      leads: 'any',
      fits: () => true,
      run: (backend, { g, source, filter, bias, out, outShape }) => {
        enqueue(backend, { op: 0, g, a: source, b: filter, bias, out, total: sizeOf(outShape) });
        return out;
      },
    },
  ],
});

/** The input gradient's variants: dy convolved with the flipped filters by row windows (stride 1), then the gather kernel. */
export const depthwiseConv2dGradInputFamily = defineFamily<DepthwiseProblem>({
  op: 'depthwise_conv2d_grad_input',
  choice: 'tuned',
  shapeClass: (p) => shapeClassOf(p.inputs, p.g),
  variants: [
    {
      name: 'depthwise_conv2d_rows:flipped',
      shaders: ['depthwise_conv2d_rows'],
      leads: 'fallback',
      fits: ({ g }) => flippable(g),
      run: (backend, { g, source, filter, out }) => {
        const taps = g.kh * g.kw;
        enqueueRows(backend, {
          x: source,
          w: filter,
          out,
          n: g.n,
          inChannels: g.o,
          h: g.oh,
          width: g.ow,
          outChannels: g.c,
          oh: g.h,
          ow: g.w,
          kh: g.kh,
          kw: g.kw,
          stride: 1,
          padT: g.kh - 1 - g.padT,
          padL: g.kw - 1 - g.padL,
          inDiv: 1,
          inMul: g.mult,
          inner: g.mult,
          wMul: g.mult,
          filter: { base: taps - 1, kh: -g.kw, kw: -1 },
        });
        return out;
      },
    },
    {
      name: 'depthwise_conv2d:gather',
      shaders: ['depthwise_conv2d'],
      leads: 'any',
      fits: () => true,
      run: (backend, { g, source, filter, out, outShape }) => {
        enqueue(backend, { op: 1, g, a: source, b: filter, out, total: sizeOf(outShape) });
        return out;
      },
    },
  ],
});

export const depthwise_conv2d: WebGPUKernel = (backend, [x, f, bias], attrs, outShape) => {
  const g = depthwiseGeometry('depthwise_conv2d', x.shape, f.shape, attrs as Conv2dAttrs);
  const out = backend.allocate('depthwise_conv2d', outShape);
  const request = { op: 'depthwise_conv2d', inputs: [x.shape, f.shape, ...(bias ? [bias.shape] : [])], attrs, outShape };
  return runFamily(
    backend,
    depthwiseConv2dFamily,
    { g, inputs: request.inputs, source: x.storage, filter: f.storage, bias: bias?.storage, out, outShape },
    request,
  );
};

export const depthwise_conv2d_grad_input: WebGPUKernel = (backend, [dy, f], attrs, outShape) => {
  const g = depthwiseGeometry('depthwise_conv2d_grad_input', attrs.inputShape as Shape, f.shape, attrs as Conv2dAttrs);
  const out = backend.allocate('depthwise_conv2d_grad_input', outShape);
  const request = { op: 'depthwise_conv2d_grad_input', inputs: [dy.shape, f.shape], attrs, outShape };
  return runFamily(backend, depthwiseConv2dGradInputFamily, { g, inputs: request.inputs, source: dy.storage, filter: f.storage, out, outShape }, request);
};

/** Aim for this many invocations when splitting grad-filter's reduction over images. */
const TARGET_INVOCATIONS = 8192;

/** The filter gradient: one invocation per filter value and part of the images, the parts then summed (one row). */
export const depthwiseConv2dGradFilterFamily = defineFamily<{ g: Conv2dGeometry & { mult: number }; x: GpuStorage; dy: GpuStorage; outShape: Shape }>({
  op: 'depthwise_conv2d_grad_filter',
  choice: 'first-fit',
  shapeClass: ({ g }) => shapeClassOf([[g.n, g.c, g.h, g.w]], g),
  variants: [
    {
      name: 'depthwise_conv2d:grad-filter',
      shaders: ['depthwise_conv2d'],
      leads: 'any',
      fits: () => true,
      run: (backend, { g, x, dy, outShape }) => {
        const filterSize = sizeOf(outShape);
        const imagesPerPart = Math.ceil(g.n / Math.max(1, Math.min(g.n, Math.ceil(TARGET_INVOCATIONS / filterSize))));
        const parts = Math.ceil(g.n / imagesPerPart);
        const target = backend.allocate('depthwise_conv2d_grad_filter', parts === 1 ? outShape : [parts, filterSize]);
        enqueue(backend, { op: 2, g, a: x, b: dy, out: target, total: parts * filterSize, parts, imagesPerPart });
        return sumPartials(backend, target, parts, filterSize, outShape);
      },
    },
  ],
});

export const depthwise_conv2d_grad_filter: WebGPUKernel = (backend, [x, dy], attrs, outShape) => {
  const g = depthwiseGeometry('depthwise_conv2d_grad_filter', x.shape, attrs.filterShape as Shape, attrs as Conv2dAttrs);
  const request = { op: 'depthwise_conv2d_grad_filter', inputs: [x.shape, dy.shape], attrs, outShape };
  return runFamily(backend, depthwiseConv2dGradFilterFamily, { g, x: x.storage, dy: dy.storage, outShape }, request);
};

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { depthwise_conv2d, depthwise_conv2d_grad_filter, depthwise_conv2d_grad_input };
