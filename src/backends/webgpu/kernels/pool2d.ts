import pool2dSource from '../../../../shaders/pool2d.wgsl?raw';
import pool2dGradSource from '../../../../shaders/pool2d_grad.wgsl?raw';
import { pool2dGeometry, type AvgPool2dGradAttrs, type Pool2dAttrs, type Pool2dGeometry } from '../../../ops/pool2d';
import { sizeOf } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel } from '../webgpu_backend';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';
import { reduceKernels } from './reduce';

const GEOMETRY = ['total', 'H', 'W', 'OH', 'OW', 'KH', 'KW', 'stride_h', 'stride_w', 'pad_t', 'pad_l'];
export const pool2dShader = defineShader({ name: 'pool2d', source: pool2dSource, bindings: ['x', 'out'], uniforms: GEOMETRY });
export const pool2dGradShader = defineShader({ name: 'pool2d_grad', source: pool2dGradSource, bindings: ['x', 'dy', 'out'], uniforms: GEOMETRY });

const uniforms = (g: Pool2dGeometry, total: number) => ({
  total, H: g.h, W: g.w, OH: g.oh, OW: g.ow, KH: g.kh, KW: g.kw,
  stride_h: g.strideH, stride_w: g.strideW, pad_t: g.padT, pad_l: g.padL,
});

function forward(name: 'maxpool2d' | 'avgpool2d'): WebGPUKernel {
  return (backend, [x], rawAttrs, outShape) => {
    const attrs = rawAttrs as Pool2dAttrs;
    const g = pool2dGeometry(name, x.shape, attrs);
    const out = backend.allocate(name, outShape);
    const total = sizeOf(outShape);
    backend.dispatch({
      spec: pool2dShader,
      overrides: { OP: name === 'maxpool2d' ? 0 : 1, COUNT_PAD: attrs.countIncludePad, WG: ELEMENTWISE_WG },
      buffers: { x: x.storage, out },
      uniforms: uniforms(g, total),
      workgroups: elementwiseWorkgroups(total),
    });
    return out;
  };
}

export const maxpool2d = forward('maxpool2d');
export const avgpool2d = forward('avgpool2d');

export const maxpool2d_grad: WebGPUKernel = (backend, [x, dy], rawAttrs, outShape) => {
  const attrs = rawAttrs as Pool2dAttrs;
  const g = pool2dGeometry('maxpool2d_grad', x.shape, attrs);
  const out = backend.allocate('maxpool2d_grad', outShape);
  const total = sizeOf(outShape);
  backend.dispatch({
    spec: pool2dGradShader,
    overrides: { OP: 0, COUNT_PAD: false, WG: ELEMENTWISE_WG },
    buffers: { x: x.storage, dy: dy.storage, out },
    uniforms: uniforms(g, total),
    workgroups: elementwiseWorkgroups(total),
  });
  return out;
};

export const avgpool2d_grad: WebGPUKernel = (backend, [dy], rawAttrs, outShape) => {
  const attrs = rawAttrs as AvgPool2dGradAttrs;
  const g = pool2dGeometry('avgpool2d_grad', attrs.inputShape, attrs);
  const out = backend.allocate('avgpool2d_grad', outShape);
  const total = sizeOf(outShape);
  backend.dispatch({
    spec: pool2dGradShader,
    overrides: { OP: 1, COUNT_PAD: attrs.countIncludePad, WG: ELEMENTWISE_WG },
    // Average pooling never reads x; dy fills the slot.
    buffers: { x: dy.storage, dy: dy.storage, out },
    uniforms: uniforms(g, total),
    workgroups: elementwiseWorkgroups(total),
  });
  return out;
};

/** A mean over H and W, run by the reduce kernel (contiguous innermost axes). */
export const global_avg_pool: WebGPUKernel = (backend, [x], _attrs, outShape) =>
  reduceKernels.mean(backend, [x], { axes: [2, 3], keepDims: true }, outShape);
