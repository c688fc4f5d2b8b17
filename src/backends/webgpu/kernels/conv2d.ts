import conv2dSource from '../../../../shaders/conv2d.wgsl?raw';
import conv2dGradFilterSource from '../../../../shaders/conv2d_grad_filter.wgsl?raw';
import conv2dGradInputSource from '../../../../shaders/conv2d_grad_input.wgsl?raw';
import { conv2dGeometry, type Conv2dAttrs, type Conv2dGeometry, type Conv2dGradFilterAttrs, type Conv2dGradInputAttrs } from '../../../ops/conv2d';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel } from '../webgpu_backend';
import { reduceKernels } from './reduce';
import { tileCounts, tileShape } from './tiling';

const GEOMETRY = [
  'N', 'C', 'H', 'W', 'O', 'OH', 'OW', 'KH', 'KW', 'stride_h', 'stride_w', 'pad_t', 'pad_l', 'dil_h', 'dil_w',
  'groups', 'cg', 'og', 'tiles_m', 'tiles_n',
];

export const conv2dShader = defineShader({ name: 'conv2d', source: conv2dSource, bindings: ['x', 'w', 'bias', 'out'], uniforms: GEOMETRY });
export const conv2dGradInputShader = defineShader({
  name: 'conv2d_grad_input',
  source: conv2dGradInputSource,
  bindings: ['dy', 'w', 'out'],
  uniforms: GEOMETRY,
});
export const conv2dGradFilterShader = defineShader({
  name: 'conv2d_grad_filter',
  source: conv2dGradFilterSource,
  bindings: ['x', 'dy', 'out'],
  uniforms: [...GEOMETRY, 'parts', 'images_per_part'],
});

function geometryUniforms(g: Conv2dGeometry, tiles: { tilesM: number; tilesN: number }) {
  return {
    N: g.n, C: g.c, H: g.h, W: g.w, O: g.o, OH: g.oh, OW: g.ow, KH: g.kh, KW: g.kw,
    stride_h: g.strideH, stride_w: g.strideW, pad_t: g.padT, pad_l: g.padL, dil_h: g.dilH, dil_w: g.dilW,
    groups: g.groups, cg: g.cg, og: g.og, tiles_m: tiles.tilesM, tiles_n: tiles.tilesN,
  };
}

/**
 * Below this many input channels per group, conv2d loops channels outside taps: the
 * channels-inside order pays its per-tap set-up on an inner loop too short to repay it
 * (LeNet's 1-channel first layer: 18 -> 36 ms; 64 channels: 2280 -> 1260 ms, bench).
 */
const CHANNELS_INNER_MIN = 4;

export const conv2d: WebGPUKernel = (backend, inputs, attrs, outShape) => {
  const [x, f, bias] = inputs;
  const g = conv2dGeometry('conv2d', x.shape, f.shape, attrs as Conv2dAttrs);
  // Two variants, the loop orders: variant 0 is the one the channel count suggests, 1 the other.
  const request = { op: 'conv2d', inputs: inputs.map((i) => i.shape), attrs, outShape };
  const shapeClass = `${request.inputs.map((s) => s.join('x')).join(' ')} s${g.strideH}x${g.strideW} p${g.padT},${g.padL} d${g.dilH}x${g.dilW} g${g.groups}`;
  const swapped = backend.tuner.pick('conv2d', shapeClass, 2, request) === 1;
  const channelsInner = (g.cg >= CHANNELS_INNER_MIN) !== swapped;
  const out = backend.allocate('conv2d', outShape);
  const shape = tileShape(g.og);
  const tiles = tileCounts(g.og, g.n * g.oh * g.ow, shape);
  backend.dispatch({
    spec: conv2dShader,
    overrides: { WG_X: shape.wgX, WG_Y: shape.wgY, HAS_BIAS: bias !== undefined, RELU: (attrs as Conv2dAttrs).relu === true, CHANNELS_INNER: channelsInner },
    buffers: { x: x.storage, w: f.storage, bias: (bias ?? f).storage, out },
    uniforms: geometryUniforms(g, tiles),
    workgroups: tiles.tilesM * tiles.tilesN * g.groups,
  });
  return out;
};

export const conv2d_grad_input: WebGPUKernel = (backend, [dy, f], attrs, outShape) => {
  const a = attrs as Conv2dGradInputAttrs;
  const g = conv2dGeometry('conv2d_grad_input', a.inputShape, f.shape, a);
  const out = backend.allocate('conv2d_grad_input', outShape);
  const shape = tileShape(g.cg);
  const tiles = tileCounts(g.cg, g.n * g.h * g.w, shape);
  backend.dispatch({
    spec: conv2dGradInputShader,
    overrides: { WG_X: shape.wgX, WG_Y: shape.wgY },
    buffers: { dy: dy.storage, w: f.storage, out },
    uniforms: geometryUniforms(g, tiles),
    workgroups: tiles.tilesM * tiles.tilesN * g.groups,
  });
  return out;
};

/** Aim for at least this many invocations when splitting grad-filter's reduction over images. */
const GRAD_FILTER_TARGET_INVOCATIONS = 4096;

export const conv2d_grad_filter: WebGPUKernel = (backend, [x, dy], attrs, outShape) => {
  const a = attrs as Conv2dGradFilterAttrs;
  const g = conv2dGeometry('conv2d_grad_filter', x.shape, a.filterShape, a);
  const taps = g.cg * g.kh * g.kw;
  const shape = tileShape(g.og);
  const tiles = tileCounts(g.og, taps, shape);
  const invocationsPerPart = tiles.tilesM * tiles.tilesN * g.groups * 64;
  const wantParts = Math.max(1, Math.min(g.n, Math.ceil(GRAD_FILTER_TARGET_INVOCATIONS / invocationsPerPart)));
  const imagesPerPart = Math.ceil(g.n / wantParts);
  const parts = Math.max(1, Math.ceil(g.n / imagesPerPart));
  const target = parts === 1 ? backend.allocate('conv2d_grad_filter', outShape) : backend.allocate('conv2d_grad_filter', [parts, g.o * taps]);
  backend.dispatch({
    spec: conv2dGradFilterShader,
    overrides: { WG_X: shape.wgX, WG_Y: shape.wgY },
    buffers: { x: x.storage, dy: dy.storage, out: target },
    uniforms: { ...geometryUniforms(g, tiles), parts, images_per_part: imagesPerPart },
    workgroups: tiles.tilesM * tiles.tilesN * g.groups * parts,
  });
  if (parts === 1) return target;
  // Sum the per-part partial filters: [parts, O*taps] -> [O, cg, KH, KW].
  const out = reduceKernels.sum(backend, [{ storage: target, shape: [parts, g.o * taps] }], { axes: [0], keepDims: false }, outShape);
  backend.release(target);
  return out;
};
