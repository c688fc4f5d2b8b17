import maxUnpoolSource from '../../../../../shaders/pool2d/max_unpool2d.wgsl?raw';
import type { MaxUnpool2dAttrs } from '../../../../ops/max_unpool2d';
import { pool2dGeometry, type Pool2dAttrs } from '../../../../ops/pool2d';
import { sizeOf } from '../../../../shape';
import { defineShader } from '../../shader_registry';
import type { WebGPUKernel, WebGPUKernels } from '../../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from '../elementwise';

export const maxUnpool2dShader = defineShader({
  name: 'max_unpool2d',
  source: maxUnpoolSource,
  bindings: ['x', 'indices', 'out'],
  uniforms: ['total', 'H', 'W', 'OH', 'OW', 'KH', 'KW', 'stride_h', 'stride_w', 'pad_t', 'pad_l'],
});

/** OP 0 switches of a pool (x is its input), 1 unpooling (x pooled values), 2 its gradient (x is dy). */
const maxUnpoolKernel =
  (op: 0 | 1 | 2, name: string): WebGPUKernel =>
  (backend, [x, indices], attrs, outShape) => {
    const a = attrs as Pool2dAttrs & Partial<MaxUnpool2dAttrs>;
    const pooled = op === 0 ? null : op === 1 ? x.shape : indices.shape;
    const unpooled = op === 0 ? x.shape : [pooled![0], pooled![1], a.outputSize![0], a.outputSize![1]];
    const g = pool2dGeometry(name, unpooled, a);
    const out = backend.allocate(name, outShape);
    const total = sizeOf(outShape);
    backend.dispatch({
      spec: maxUnpool2dShader,
      overrides: { OP: op, WG: ELEMENTWISE_WG },
      buffers: { x: x.storage, indices: (indices ?? x).storage, out },
      uniforms: { total, H: g.h, W: g.w, OH: g.oh, OW: g.ow, KH: g.kh, KW: g.kw, stride_h: g.strideH, stride_w: g.strideW, pad_t: g.padT, pad_l: g.padL },
      workgroups: elementwiseWorkgroups(total),
    });
    return out;
  };

export const maxpool2d_indices = maxUnpoolKernel(0, 'maxpool2d_indices');
export const max_unpool2d = maxUnpoolKernel(1, 'max_unpool2d');
export const max_unpool2d_grad = maxUnpoolKernel(2, 'max_unpool2d_grad');

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { max_unpool2d, max_unpool2d_grad, maxpool2d_indices };
