import conv2dSource from '../../../../shaders/conv2d.wgsl?raw';
import conv2dGradFilterSource from '../../../../shaders/conv2d_grad_filter.wgsl?raw';
import conv2dGradFilterTile8Source from '../../../../shaders/conv2d_grad_filter_tile8.wgsl?raw';
import conv2dGradInputSource from '../../../../shaders/conv2d_grad_input.wgsl?raw';
import { conv2dGeometry, type Conv2dAttrs, type Conv2dGeometry, type Conv2dGradFilterAttrs, type Conv2dGradInputAttrs } from '../../../ops/conv2d';
import { defineShader } from '../shader_registry';
import type { WebGPUBackend, WebGPUKernel } from '../webgpu_backend';
import {
  dispatchPointwise, dispatchRows, dispatchRowsTall, dispatchTile8, dispatchTile8Packed, flippable, flippedConv, forwardConv, packedFit, pointwiseMode, rowsFit, rowsTallFit, type TiledConv,
} from './conv2d_tiled';
import { dispatchWinograd, dispatchWinogradGradFilter, winogradFit, winogradGradFilterFit } from './conv2d_winograd';
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

export const conv2dGradFilterTile8Shader = defineShader({
  name: 'conv2d_grad_filter_tile8',
  source: conv2dGradFilterTile8Source,
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

/** The launchers of the tiled variants (conv2d_tiled.ts), by the names the tuner chooses among. */
const TILED_VARIANTS: Record<string, ((backend: WebGPUBackend, t: TiledConv) => void) | undefined> = {
  'pointwise-vec4': dispatchPointwise,
  winograd: dispatchWinograd,
  'winograd-flipped': dispatchWinograd,
  '8x8': dispatchTile8,
  '8x8-packed': dispatchTile8Packed,
  'rows-8x8': dispatchRows,
  '8x8-flipped': dispatchTile8,
  '8x8-packed-flipped': dispatchTile8Packed,
  'rows-flipped': dispatchRows,
  'rows-tall': dispatchRowsTall,
  'rows-tall-flipped': dispatchRowsTall,
};

export const conv2d: WebGPUKernel = (backend, inputs, attrs, outShape) => {
  const [x, f, bias] = inputs;
  const g = conv2dGeometry('conv2d', x.shape, f.shape, attrs as Conv2dAttrs);
  const relu = (attrs as Conv2dAttrs).relu === true;
  const out = backend.allocate('conv2d', outShape);
  // Variants: vec4 loads for 1x1 layers (conv2d_pointwise.wgsl), Winograd F(2x2, 3x3) for
  // 3x3 stride-1 layers from 8 channels (conv2d_winograd.ts; ~2x the packed tile on VGG's
  // 64-channel layer here), four rows of row windows for 1- and 2-channel layers
  // (conv2d_rows_tall.wgsl, ~1.5x conv2d_rows here), 8x8 tiles reading a packed
  // copy of the filter as vec4s (conv2d_tile8_packed.wgsl, from 4 channels; ~1.2x the plain
  // 8x8 here), 8x8 tiles (conv2d_tile8.wgsl, ungrouped; about 1.5x the 4x4 kernel on wide
  // layers here), row windows (conv2d_rows.wgsl, stride 1 and filters up to 5 wide), then
  // conv2d.wgsl's 4x4 tiles in the loop order the channel count suggests and in the other.
  const tiled = g.groups === 1 ? forwardConv(g, x.storage, f.storage, bias?.storage, out, relu) : null;
  const names = [
    ...(tiled && pointwiseMode(tiled) ? ['pointwise-vec4'] : []),
    ...(tiled && winogradFit(tiled, backend.maxBindingBytes) ? ['winograd'] : []),
    ...(tiled && rowsTallFit(tiled, false) ? ['rows-tall'] : []),
    ...(tiled && packedFit(tiled) ? ['8x8-packed'] : []),
    ...(tiled ? ['8x8'] : []),
    ...(tiled && rowsFit(tiled) ? ['rows-8x8'] : []),
    '4x4-suggested-order',
    '4x4-other-order',
  ];
  const request = { op: 'conv2d', inputs: inputs.map((i) => i.shape), attrs, outShape };
  const name = names[backend.tuner.pick('conv2d', shapeClassOf(request.inputs, g), names, request)];
  const tiledKernel = tiled && TILED_VARIANTS[name];
  if (tiled && tiledKernel) tiledKernel(backend, tiled);
  else {
    const channelsInner = (g.cg >= CHANNELS_INNER_MIN) !== (name === '4x4-other-order');
    const shape = tileShape(g.og);
    const tiles = tileCounts(g.og, g.n * g.oh * g.ow, shape);
    backend.dispatch({
      spec: conv2dShader,
      overrides: { WG_X: shape.wgX, WG_Y: shape.wgY, HAS_BIAS: bias !== undefined, RELU: relu, CHANNELS_INNER: channelsInner },
      buffers: { x: x.storage, w: f.storage, bias: (bias ?? f).storage, out },
      uniforms: geometryUniforms(g, tiles),
      workgroups: tiles.tilesM * tiles.tilesN * g.groups,
    });
  }
  return out;
};

/** Tuning shape class: the input shapes and the window geometry. */
function shapeClassOf(inputs: readonly (readonly number[])[], g: Conv2dGeometry): string {
  return `${inputs.map((s) => s.join('x')).join(' ')} k${g.kh}x${g.kw} s${g.strideH}x${g.strideW} p${g.padT},${g.padL} d${g.dilH}x${g.dilW} g${g.groups}`;
}

export const conv2d_grad_input: WebGPUKernel = (backend, [dy, f], attrs, outShape) => {
  const a = attrs as Conv2dGradInputAttrs;
  const g = conv2dGeometry('conv2d_grad_input', a.inputShape, f.shape, a);
  const out = backend.allocate('conv2d_grad_input', outShape);
  // Variants: the flipped-filter convolution (vec4 loads for 1x1 layers, Winograd for 3x3,
  // four rows of row windows for up to 8 channels out, e.g. LeNet-5's 16 -> 6 (1.6x the
  // packed tile here), 8x8 tiles with the filter packed or not, row windows) where it
  // applies, then the 4x4 gather kernel.
  const tiled = flippable(g) ? flippedConv(g, dy.storage, f.storage, out) : null;
  const names = [
    ...(tiled && pointwiseMode(tiled) ? ['pointwise-vec4'] : []),
    ...(tiled && winogradFit(tiled, backend.maxBindingBytes) ? ['winograd-flipped'] : []),
    ...(tiled && rowsTallFit(tiled, true) ? ['rows-tall-flipped'] : []),
    ...(tiled && packedFit(tiled) ? ['8x8-packed-flipped'] : []),
    ...(tiled ? ['8x8-flipped'] : []),
    ...(tiled && rowsFit(tiled) ? ['rows-flipped'] : []),
    '4x4-gather',
  ];
  const request = { op: 'conv2d_grad_input', inputs: [dy.shape, f.shape], attrs, outShape };
  const name = names[backend.tuner.pick('conv2d_grad_input', shapeClassOf(request.inputs, g), names, request)];
  const tiledKernel = tiled && TILED_VARIANTS[name];
  if (tiled && tiledKernel) {
    tiledKernel(backend, tiled);
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
  // Variants: Winograd F(2x2, 3x3) where the forward takes it (conv2d_winograd.ts), 8x8 tiles
  // (conv2d_grad_filter_tile8.wgsl) and 4x4 (conv2d_grad_filter.wgsl).
  const request = { op: 'conv2d_grad_filter', inputs: [x.shape, dy.shape], attrs, outShape };
  const names = [...(winogradGradFilterFit(g, backend.maxBindingBytes) ? ['winograd'] : []), '8x8', '4x4'];
  const name = names[backend.tuner.pick('conv2d_grad_filter', shapeClassOf(request.inputs, g), names, request)];
  if (name === 'winograd') {
    const out = backend.allocate('conv2d_grad_filter', outShape);
    dispatchWinogradGradFilter(backend, g, x.storage, dy.storage, out);
    return out;
  }
  const tile = name === '8x8' ? 8 : 4;
  const shape = tileShape(g.og, tile);
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
