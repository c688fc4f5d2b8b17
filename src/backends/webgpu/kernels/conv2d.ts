import conv2dSource from '../../../../shaders/conv2d.wgsl?raw';
import conv2dGradFilterSource from '../../../../shaders/conv2d_grad_filter.wgsl?raw';
import conv2dGradFilterTile8Source from '../../../../shaders/conv2d_grad_filter_tile8.wgsl?raw';
import conv2dGradInputSource from '../../../../shaders/conv2d_grad_input.wgsl?raw';
import conv2dTile8Source from '../../../../shaders/conv2d_tile8.wgsl?raw';
import { conv2dGeometry, type Conv2dAttrs, type Conv2dGeometry, type Conv2dGradFilterAttrs, type Conv2dGradInputAttrs } from '../../../ops/conv2d';
import { defineShader } from '../shader_registry';
import type { GpuStorage, WebGPUKernel } from '../webgpu_backend';
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

export const conv2dTile8Shader = defineShader({
  name: 'conv2d_tile8',
  source: conv2dTile8Source,
  bindings: ['x', 'w', 'bias', 'out'],
  uniforms: [
    'N', 'IC', 'H', 'W', 'OC', 'OH', 'OW', 'KH', 'KW', 'stride_h', 'stride_w', 'pad_t', 'pad_l', 'dil_h', 'dil_w',
    'w_base', 'w_oc', 'w_ic', 'w_kh', 'w_kw', 'tiles_m', 'tiles_n',
  ],
});

/**
 * Whether conv2d_tile8 can run this geometry: one group; for the input gradient (the
 * flipped-filter convolution) also stride 1, no dilation and padding below the kernel size.
 */
function tile8Applies(g: Conv2dGeometry, gradInput: boolean): boolean {
  if (g.groups !== 1) return false;
  return !gradInput || (g.strideH === 1 && g.strideW === 1 && g.dilH === 1 && g.dilW === 1 && g.padT < g.kh && g.padL < g.kw);
}

interface Tile8Conv {
  x: GpuStorage; w: GpuStorage; bias?: GpuStorage; out: GpuStorage;
  n: number; inChannels: number; h: number; w_: number; outChannels: number; oh: number; ow: number;
  kh: number; kw: number; strideH: number; strideW: number; padT: number; padL: number; dilH: number; dilW: number;
  /** Filter addressing: offset of (0,0,0,0) and strides along out-channel, in-channel, row, column. */
  filter: { base: number; oc: number; ic: number; kh: number; kw: number };
  relu: boolean;
}

function dispatchTile8(backend: Parameters<WebGPUKernel>[0], t: Tile8Conv): void {
  // 64 invocations of 8x8 outputs: as many along channels as they need (up to 8), the rest along positions.
  let wgY = 1;
  while (wgY < Math.ceil(t.outChannels / 8) && wgY < 8) wgY *= 2;
  const wgX = 64 / wgY;
  const tilesM = Math.ceil(t.outChannels / (8 * wgY));
  const tilesN = Math.ceil((t.n * t.oh * t.ow) / (8 * wgX));
  backend.dispatch({
    spec: conv2dTile8Shader,
    overrides: { WG_X: wgX, WG_Y: wgY, HAS_BIAS: t.bias !== undefined, RELU: t.relu },
    buffers: { x: t.x, w: t.w, bias: t.bias ?? t.w, out: t.out },
    uniforms: {
      N: t.n, IC: t.inChannels, H: t.h, W: t.w_, OC: t.outChannels, OH: t.oh, OW: t.ow, KH: t.kh, KW: t.kw,
      stride_h: t.strideH, stride_w: t.strideW, pad_t: t.padT, pad_l: t.padL, dil_h: t.dilH, dil_w: t.dilW,
      w_base: t.filter.base, w_oc: t.filter.oc, w_ic: t.filter.ic, w_kh: t.filter.kh, w_kw: t.filter.kw, tiles_m: tilesM, tiles_n: tilesN,
    },
    workgroups: tilesM * tilesN,
  });
}
export const conv2dGradFilterTile8Shader = defineShader({
  name: 'conv2d_grad_filter_tile8',
  source: conv2dGradFilterTile8Source,
  bindings: ['x', 'dy', 'out'],
  uniforms: [...GEOMETRY, 'parts', 'images_per_part'],
});

/** Workgroup shape of 64 invocations with `tile` x `tile` outputs each: as many along rows as they need (up to 8). */
function tileShapeOf(rows: number, tile: number): { wgX: number; wgY: number } {
  if (tile === 4) return tileShape(rows);
  let wgY = 1;
  while (wgY < Math.ceil(rows / tile) && wgY < 8) wgY *= 2;
  return { wgX: 64 / wgY, wgY };
}

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
  // Variants: 8x8 tiles (conv2d_tile8.wgsl, ungrouped only; about 1.5x the 4x4 kernel on
  // wide layers here), then conv2d.wgsl's 4x4 tiles in the loop order the channel count
  // suggests, then in the other order.
  const request = { op: 'conv2d', inputs: inputs.map((i) => i.shape), attrs, outShape };
  const shapeClass = `${request.inputs.map((s) => s.join('x')).join(' ')} s${g.strideH}x${g.strideW} p${g.padT},${g.padL} d${g.dilH}x${g.dilW} g${g.groups}`;
  const tile8 = tile8Applies(g, false);
  const orders = ['4x4-suggested-order', '4x4-other-order'];
  const picked = backend.tuner.pick('conv2d', shapeClass, tile8 ? ['8x8', ...orders] : orders, request);
  // Without the 8x8 kernel, variants 0 and 1 are the two loop orders.
  const variant = tile8 ? picked : picked + 1;
  const out = backend.allocate('conv2d', outShape);
  if (variant === 0) {
    dispatchTile8(backend, {
      x: x.storage, w: f.storage, bias: bias?.storage, out,
      n: g.n, inChannels: g.c, h: g.h, w_: g.w, outChannels: g.o, oh: g.oh, ow: g.ow, kh: g.kh, kw: g.kw,
      strideH: g.strideH, strideW: g.strideW, padT: g.padT, padL: g.padL, dilH: g.dilH, dilW: g.dilW,
      filter: { base: 0, oc: g.c * g.kh * g.kw, ic: g.kh * g.kw, kh: g.kw, kw: 1 },
      relu: (attrs as Conv2dAttrs).relu === true,
    });
    return out;
  }
  const channelsInner = (g.cg >= CHANNELS_INNER_MIN) !== (variant === 2);
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
  const request = { op: 'conv2d_grad_input', inputs: [dy.shape, f.shape], attrs, outShape };
  const shapeClass = `${request.inputs.map((s) => s.join('x')).join(' ')} s${g.strideH}x${g.strideW} p${g.padT},${g.padL} d${g.dilH}x${g.dilW} g${g.groups}`;
  // Variants: the flipped-filter convolution in 8x8 tiles where it applies, then the 4x4 gather kernel.
  const tile8 = tile8Applies(g, true) && backend.tuner.pick('conv2d_grad_input', shapeClass, ['8x8-flipped', '4x4-gather'], request) === 0;
  const out = backend.allocate('conv2d_grad_input', outShape);
  if (tile8) {
    // dx = dy convolved with the filter as IOHW, flipped: (c, o, kh, kw) reads w[o, c, KH-1-kh, KW-1-kw].
    const taps = g.kh * g.kw;
    dispatchTile8(backend, {
      x: dy.storage, w: f.storage, out,
      n: g.n, inChannels: g.o, h: g.oh, w_: g.ow, outChannels: g.c, oh: g.h, ow: g.w, kh: g.kh, kw: g.kw,
      strideH: 1, strideW: 1, padT: g.kh - 1 - g.padT, padL: g.kw - 1 - g.padL, dilH: 1, dilW: 1,
      filter: { base: taps - 1, oc: taps, ic: g.c * taps, kh: -g.kw, kw: -1 },
      relu: false,
    });
    return out;
  }
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
  // Two variants: 8x8 tiles (conv2d_grad_filter_tile8.wgsl) and 4x4 (conv2d_grad_filter.wgsl).
  const request = { op: 'conv2d_grad_filter', inputs: [x.shape, dy.shape], attrs, outShape };
  const shapeClass = `${request.inputs.map((s) => s.join('x')).join(' ')} k${g.kh}x${g.kw} s${g.strideH}x${g.strideW} p${g.padT},${g.padL} d${g.dilH}x${g.dilW} g${g.groups}`;
  const tile = backend.tuner.pick('conv2d_grad_filter', shapeClass, ['8x8', '4x4'], request) === 0 ? 8 : 4;
  const shape = tileShapeOf(g.og, tile);
  const tiles = { tilesM: Math.ceil(g.og / (tile * shape.wgY)), tilesN: Math.ceil(taps / (tile * shape.wgX)) };
  const invocationsPerPart = tiles.tilesM * tiles.tilesN * g.groups * 64;
  const wantParts = Math.max(1, Math.min(g.n, Math.ceil(GRAD_FILTER_TARGET_INVOCATIONS / invocationsPerPart)));
  const imagesPerPart = Math.ceil(g.n / wantParts);
  const parts = Math.max(1, Math.ceil(g.n / imagesPerPart));
  const target = parts === 1 ? backend.allocate('conv2d_grad_filter', outShape) : backend.allocate('conv2d_grad_filter', [parts, g.o * taps]);
  backend.dispatch({
    spec: tile === 8 ? conv2dGradFilterTile8Shader : conv2dGradFilterShader,
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
