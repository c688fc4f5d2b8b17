import pool2dSource from '../../../../../shaders/pool2d/pool2d.wgsl?raw';
import pool2dGradSource from '../../../../../shaders/pool2d/pool2d_grad.wgsl?raw';
import { pool2dGeometry, type AvgPool2dGradAttrs, type MaxPool2dGradAttrs, type Pool2dAttrs } from '../../../../ops/pool2d';
import { sizeOf, type Shape } from '../../../../shape';
import { defineShader } from '../../shader_registry';
import { defineFamily, runFamily, type KernelVariant } from '../../variants';
import type { GpuStorage, WebGPUKernel, WebGPUKernels } from '../../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from '../elementwise';
import { kernels as reduceKernels } from '../reduce';

const GEOMETRY = ['total', 'H', 'W', 'OH', 'OW', 'KH', 'KW', 'stride_h', 'stride_w', 'pad_t', 'pad_l'];
export const pool2dShader = defineShader({ name: 'pool2d', source: pool2dSource, bindings: ['x', 'out'], uniforms: GEOMETRY });
export const pool2dGradShader = defineShader({ name: 'pool2d_grad', source: pool2dGradSource, bindings: ['x', 'dy', 'out'], uniforms: GEOMETRY });

/** One pooling op (or its gradient) as its variants see it; `inputShape` is the forward input the geometry comes from. */
interface PoolProblem {
  op: string;
  attrs: Pool2dAttrs;
  g: ReturnType<typeof pool2dGeometry>;
  inputShape: Shape;
  outShape: Shape;
  buffers: Record<string, GpuStorage>;
}

/** Whether the windows tile the input exactly (stride = window, no padding, no remainder). */
const tiles = ({ g, attrs }: PoolProblem) =>
  g.strideH === g.kh && g.strideW === g.kw && attrs.padding.every((p) => p === 0) && g.oh * g.kh === g.h && g.ow * g.kw === g.w;
const window2 = (p: PoolProblem) => tiles(p) && p.g.kh === 2 && p.g.kw === 2;

/**
 * A pool2d.wgsl (forward) or pool2d_grad.wgsl dispatch: one invocation per output element,
 * or for a tiled gradient one per window; WINDOW2 writes 2x2 windows out without loops.
 */
function enqueue(backend: Parameters<WebGPUKernel>[0], p: PoolProblem, kind: 0 | 1, grad: boolean, tiled: boolean, w2: boolean): GpuStorage {
  const { g, attrs } = p;
  const out = backend.allocate(p.op, p.outShape);
  const total = tiled ? p.inputShape[0] * p.inputShape[1] * g.oh * g.ow : sizeOf(p.outShape);
  backend.dispatch({
    spec: grad ? pool2dGradShader : pool2dShader,
    overrides: {
      OP: kind,
      COUNT_PAD: attrs.countIncludePad,
      WG: ELEMENTWISE_WG,
      WINDOW2: w2,
      ...(grad ? { TILED: tiled, RELU: (attrs as MaxPool2dGradAttrs).relu === true } : {}),
    },
    buffers: { ...p.buffers, out },
    uniforms: { total, H: g.h, W: g.w, OH: g.oh, OW: g.ow, KH: g.kh, KW: g.kw, stride_h: g.strideH, stride_w: g.strideW, pad_t: g.padT, pad_l: g.padL },
    workgroups: elementwiseWorkgroups(total),
  });
  return out;
}

/**
 * Pooling's tables. Rows specialise the general kernel for windows that tile the input
 * exactly, and 2x2 ones (LeNet's) without the window loops; each is faster wherever it
 * applies (side by side on SwiftShader, forward and gradient), so the first that fits
 * runs ('first-fit').
 */
function poolFamily(op: string, kind: 0 | 1, grad: boolean) {
  const prefix = `${grad ? 'pool2d_grad' : 'pool2d'}:${kind === 0 ? 'max' : 'avg'}`;
  const row = (suffix: string, fits: (p: PoolProblem) => boolean, tiled: boolean, w2: boolean): KernelVariant<PoolProblem> => ({
    name: `${prefix}${suffix}`,
    shaders: [grad ? 'pool2d_grad' : 'pool2d'],
    leads: 'any',
    fits,
    run: (backend, p) => enqueue(backend, p, kind, grad, tiled, w2),
  });
  return defineFamily<PoolProblem>({
    op,
    choice: 'first-fit',
    shapeClass: (p) => `${p.inputShape.join('x')} k${p.g.kh}x${p.g.kw} s${p.g.strideH}x${p.g.strideW} p${p.g.padT},${p.g.padL}`,
    variants: grad
      ? [row('-2x2', window2, true, true), row('-tiled', tiles, true, false), row('', () => true, false, false)]
      : [row('-2x2', window2, false, true), row('', () => true, false, false)],
  });
}

export const maxpool2dFamily = poolFamily('maxpool2d', 0, false);
export const avgpool2dFamily = poolFamily('avgpool2d', 1, false);
export const maxpool2dGradFamily = poolFamily('maxpool2d_grad', 0, true);
export const avgpool2dGradFamily = poolFamily('avgpool2d_grad', 1, true);

function launch(
  family: ReturnType<typeof poolFamily>,
  backend: Parameters<WebGPUKernel>[0],
  attrs: Pool2dAttrs,
  inputShape: Shape,
  outShape: Shape,
  buffers: Record<string, GpuStorage>,
  inputs: Shape[],
): GpuStorage {
  const g = pool2dGeometry(family.op, inputShape, attrs);
  return runFamily(backend, family, { op: family.op, attrs, g, inputShape, outShape, buffers }, { op: family.op, inputs, attrs, outShape });
}

export const maxpool2d: WebGPUKernel = (backend, [x], attrs, outShape) =>
  launch(maxpool2dFamily, backend, attrs as Pool2dAttrs, x.shape, outShape, { x: x.storage }, [x.shape]);

export const avgpool2d: WebGPUKernel = (backend, [x], attrs, outShape) =>
  launch(avgpool2dFamily, backend, attrs as Pool2dAttrs, x.shape, outShape, { x: x.storage }, [x.shape]);

// COUNT_PAD is read only by the average path, so max pooling passes its attrs unchanged.
export const maxpool2d_grad: WebGPUKernel = (backend, [x, dy], attrs, outShape) =>
  launch(maxpool2dGradFamily, backend, attrs as Pool2dAttrs, x.shape, outShape, { x: x.storage, dy: dy.storage }, [x.shape, dy.shape]);

// Average pooling never reads x; dy fills the slot.
export const avgpool2d_grad: WebGPUKernel = (backend, [dy], attrs, outShape) =>
  launch(avgpool2dGradFamily, backend, attrs as AvgPool2dGradAttrs, (attrs as AvgPool2dGradAttrs).inputShape, outShape, { x: dy.storage, dy: dy.storage }, [
    dy.shape,
  ]);

/** A mean over H and W, run by the reduce kernel (contiguous innermost axes). */
export const global_avg_pool: WebGPUKernel = (backend, [x], _attrs, outShape) => reduceKernels.mean(backend, [x], { axes: [2, 3], keepDims: true }, outShape);

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { avgpool2d, avgpool2d_grad, global_avg_pool, maxpool2d, maxpool2d_grad };
