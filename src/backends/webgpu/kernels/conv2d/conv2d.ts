import conv2dSource from '../../../../../shaders/conv2d/conv2d.wgsl?raw';
import conv2dGradFilterSource from '../../../../../shaders/conv2d/conv2d_grad_filter.wgsl?raw';
import conv2dGradFilterTile8Source from '../../../../../shaders/conv2d/conv2d_grad_filter_tile8.wgsl?raw';
import conv2dGradInputSource from '../../../../../shaders/conv2d/conv2d_grad_input.wgsl?raw';
import { conv2dGeometry, type Conv2dAttrs, type Conv2dGeometry, type Conv2dGradFilterAttrs, type Conv2dGradInputAttrs } from '../../../../ops/conv2d';
import type { Shape } from '../../../../shape';
import { defineShader } from '../../shader_registry';
import { defineFamily, runFamily, type KernelVariant } from '../../variants';
import type { AdapterTraits, GpuStorage, WebGPUKernel, WebGPUKernelHost, WebGPUKernels } from '../../kernel_host';
import { sumPartials } from '../reduce';
import { tileCounts, tileShape } from '../tiling';
import { dispatchGradFilterImplicitGemm, dispatchImplicitGemm, dispatchImplicitGemmF16, dispatchSubgroup, implicitGemmFits } from './conv2d_gemm';
import {
  dispatchPointwise,
  dispatchRows,
  dispatchRowsTall,
  dispatchTile8,
  dispatchTile8Packed,
  flippable,
  flippedConv,
  forwardConv,
  packedFit,
  pointwiseMode,
  rowsFit,
  rowsTallFit,
  type TiledConv,
} from './conv2d_tiled';
import { dispatchPhases, gradInputPhases, type GradInputPhase } from './conv2d_phases';
import { dispatchWinograd, dispatchWinogradGradFilter, winogradFit, winogradGradFilterFit } from './conv2d_winograd';
import { dispatchWinogradF4, winogradF4Fit } from './conv2d_winograd_f4';
import type { Leads } from '../../variants';

const GEOMETRY = [
  'N',
  'C',
  'H',
  'W',
  'O',
  'OH',
  'OW',
  'KH',
  'KW',
  'stride_h',
  'stride_w',
  'pad_t',
  'pad_l',
  'dil_h',
  'dil_w',
  'groups',
  'cg',
  'og',
  'tiles_m',
  'tiles_n',
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
    N: g.n,
    C: g.c,
    H: g.h,
    W: g.w,
    O: g.o,
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
    groups: g.groups,
    cg: g.cg,
    og: g.og,
    tiles_m: tiles.tilesM,
    tiles_n: tiles.tilesN,
  };
}

/** Tuning shape class: the input shapes and the window geometry. */
function shapeClassOf(inputs: readonly Shape[], g: Conv2dGeometry): string {
  return `${inputs.map((s) => s.join('x')).join(' ')} k${g.kh}x${g.kw} s${g.strideH}x${g.strideW} p${g.padT},${g.padL} d${g.dilH}x${g.dilW} g${g.groups}`;
}

/**
 * A convolution (forward, or the input gradient) as its variants see it: the geometry, the
 * tiled form where one exists (ungrouped forward; stride-1 input gradient as the flipped
 * convolution of dy), the output, and what the direct kernels bind.
 */
interface ConvProblem {
  g: Conv2dGeometry;
  inputs: readonly Shape[];
  tiled: TiledConv | null;
  /** The input gradient's stride-1 phases (strided, ungrouped, undilated); null otherwise and for the forward. */
  phases: GradInputPhase[] | null;
  out: GpuStorage;
  /** x (forward) or dy (input gradient), the filter, the bias. */
  source: GpuStorage;
  filter: GpuStorage;
  bias?: GpuStorage;
  relu: boolean;
}

/** A kernel of the tiled form (TiledConv), declared once and offered as the forward's row and as the input gradient's `:flipped` row. */
interface TiledRow {
  shader: string;
  shaders: readonly string[];
  leads: Leads;
  /** 'f16': stores the input and filter in f16 (offered at precision 'f16' only; variants.ts). */
  precision?: 'f16';
  fits(t: TiledConv, adapter: AdapterTraits, flipped: boolean): boolean;
  run(backend: WebGPUKernelHost, t: TiledConv): void;
}

/**
 * The tiled rows in their order on fallback adapters. Measured on SwiftShader: vec4 loads
 * for 1x1 layers; Winograd F(2x2, 3x3) for 3x3 stride-1 layers from 8 channels (faster than
 * the packed tile on VGG's 64-channel layer), and F(4x4, 3x3) (faster still on resnet20's
 * 28x28 and 7x7 maps, not on 14x14: the tuner picks); four rows of row windows for 1- and 2-channel
 * forwards and input gradients of up to 8 channels out (faster than the packed tile on
 * LeNet-5's 16 -> 6); 8x8 tiles reading a packed copy of the filter as vec4s (from 4
 * channels, faster than the plain 8x8); 8x8 tiles (faster than the 4x4 kernel on wide
 * layers); row windows (stride 1, filters up to 5 wide). Written for real GPUs (first
 * there): the implicit GEMM through workgroup-memory tiles and, with subgroups, the filter
 * shared by shuffles. At precision 'f16' (inference, devices with shader-f16) only: the
 * implicit GEMM with its tiles in f16.
 */
const TILED_ROWS: readonly TiledRow[] = [
  { shader: 'conv2d_pointwise', shaders: ['conv2d_pointwise'], leads: 'fallback', fits: (t) => pointwiseMode(t) !== null, run: dispatchPointwise },
  {
    shader: 'conv2d_winograd',
    shaders: ['conv2d_winograd_filter', 'conv2d_winograd_input', 'conv2d_winograd_gemm', 'conv2d_winograd_output'],
    leads: 'fallback',
    fits: (t, a) => winogradFit(t, a.maxBindingBytes),
    run: dispatchWinograd,
  },
  {
    shader: 'conv2d_winograd:f4',
    shaders: ['conv2d_winograd_f4_filter', 'conv2d_winograd_f4_input', 'conv2d_winograd_gemm', 'conv2d_winograd_f4_output'],
    leads: 'fallback',
    fits: (t, a) => winogradF4Fit(t, a.maxBindingBytes),
    run: dispatchWinogradF4,
  },
  { shader: 'conv2d_rows_tall', shaders: ['conv2d_rows_tall'], leads: 'fallback', fits: (t, _a, flipped) => rowsTallFit(t, flipped), run: dispatchRowsTall },
  { shader: 'conv2d_tile8_packed', shaders: ['conv2d_filter_pack', 'conv2d_tile8_packed'], leads: 'fallback', fits: packedFit, run: dispatchTile8Packed },
  { shader: 'conv2d_tile8', shaders: ['conv2d_tile8'], leads: 'fallback', fits: () => true, run: dispatchTile8 },
  { shader: 'conv2d_rows', shaders: ['conv2d_rows'], leads: 'fallback', fits: rowsFit, run: dispatchRows },
  { shader: 'conv2d_implicit_gemm', shaders: ['conv2d_implicit_gemm'], leads: 'gpu', fits: (_t, a) => implicitGemmFits(a), run: dispatchImplicitGemm },
  { shader: 'conv2d_subgroup', shaders: ['conv2d_subgroup'], leads: 'gpu', fits: (_t, a) => a.subgroups, run: dispatchSubgroup },
  {
    shader: 'conv2d_implicit_gemm_f16',
    shaders: ['conv2d_implicit_gemm_f16'],
    leads: 'gpu',
    precision: 'f16',
    fits: (_t, a) => a.f16 && implicitGemmFits(a),
    run: dispatchImplicitGemmF16,
  },
];

function tiledVariants(flipped: boolean): KernelVariant<ConvProblem>[] {
  return TILED_ROWS.map((r) => ({
    name: flipped ? `${r.shader}:flipped` : r.shader,
    shaders: r.shaders,
    leads: r.leads,
    ...(r.precision ? { precision: r.precision } : {}),
    fits: (p, a) => p.tiled !== null && r.fits(p.tiled, a, flipped),
    run: (backend, p) => {
      r.run(backend, p.tiled!);
      return p.out;
    },
  }));
}

/**
 * The tiled rows that also run a strided input gradient phase by phase (conv2d_phases.ts),
 * named `<row>:phases`: the general 8x8 tiles and the GPU rows. On SwiftShader (resnet20,
 * npm run profile) the 8x8 tiles' phases ran its 3x3 stride-2 input gradients and its 1x1
 * projections' far faster than the gather kernel.
 */
const PHASE_ROWS = new Set(['conv2d_tile8_packed', 'conv2d_tile8', 'conv2d_implicit_gemm', 'conv2d_subgroup', 'conv2d_implicit_gemm_f16']);

function phaseVariants(): KernelVariant<ConvProblem>[] {
  return TILED_ROWS.filter((r) => PHASE_ROWS.has(r.shader)).map((r) => ({
    name: `${r.shader}:phases`,
    shaders: [...r.shaders, 'conv2d_phase_scatter'],
    leads: r.leads,
    ...(r.precision ? { precision: r.precision } : {}),
    fits: (p, a) => p.phases?.every((phase) => phase.conv === null || r.fits(phase.conv(p.out), a, true)) ?? false,
    run: (backend, p) => {
      dispatchPhases(backend, p.g, p.phases!, p.source, p.out, r.run);
      return p.out;
    },
  }));
}

/**
 * Below this many input channels per group, conv2d.wgsl loops channels outside taps: the
 * channels-inside order pays its per-tap set-up on an inner loop too short to repay it
 * (slower on LeNet's 1-channel first layer, faster on 64 channels; bench).
 */
const CHANNELS_INNER_MIN = 4;

/** conv2d.wgsl's 4x4 tiles (any group count), in the loop order the channel count suggests or in the other. */
const direct = (name: string, otherOrder: boolean): KernelVariant<ConvProblem> => ({
  name,
  shaders: ['conv2d'],
  leads: 'any',
  fits: () => true,
  run: (backend, { g, source, filter, bias, out, relu }) => {
    const channelsInner = g.cg >= CHANNELS_INNER_MIN !== otherOrder;
    const shape = tileShape(g.og);
    const tiles = tileCounts(g.og, g.n * g.oh * g.ow, shape);
    backend.dispatch({
      spec: conv2dShader,
      overrides: { WG_X: shape.wgX, WG_Y: shape.wgY, HAS_BIAS: bias !== undefined, RELU: relu, CHANNELS_INNER: channelsInner },
      buffers: { x: source, w: filter, bias: bias ?? filter, out },
      uniforms: geometryUniforms(g, tiles),
      workgroups: tiles.tilesM * tiles.tilesN * g.groups,
    });
    return out;
  },
});

export const conv2dFamily = defineFamily<ConvProblem>({
  op: 'conv2d',
  choice: 'tuned',
  shapeClass: (p) => shapeClassOf(p.inputs, p.g),
  variants: [...tiledVariants(false), direct('conv2d', false), direct('conv2d:other-order', true)],
});

export const conv2dGradInputFamily = defineFamily<ConvProblem>({
  op: 'conv2d_grad_input',
  choice: 'tuned',
  shapeClass: (p) => shapeClassOf(p.inputs, p.g),
  variants: [
    ...tiledVariants(true),
    ...phaseVariants(),
    {
      // The gather kernel: every input position sums the taps that reach it (any stride, groups, dilation).
      name: 'conv2d_grad_input',
      shaders: ['conv2d_grad_input'],
      leads: 'any',
      fits: () => true,
      run: (backend, { g, source, filter, out }) => {
        const shape = tileShape(g.cg);
        const tiles = tileCounts(g.cg, g.n * g.h * g.w, shape);
        backend.dispatch({
          spec: conv2dGradInputShader,
          overrides: { WG_X: shape.wgX, WG_Y: shape.wgY },
          buffers: { dy: source, w: filter, out },
          uniforms: geometryUniforms(g, tiles),
          workgroups: tiles.tilesM * tiles.tilesN * g.groups,
        });
        return out;
      },
    },
  ],
});

export const conv2d: WebGPUKernel = (backend, inputs, attrs, outShape) => {
  const [x, f, bias] = inputs;
  const g = conv2dGeometry('conv2d', x.shape, f.shape, attrs as Conv2dAttrs);
  const relu = (attrs as Conv2dAttrs).relu === true;
  const out = backend.allocate('conv2d', outShape);
  const tiled = g.groups === 1 ? forwardConv(g, x.storage, f.storage, bias?.storage, out, relu) : null;
  const request = { op: 'conv2d', inputs: inputs.map((i) => i.shape), attrs, outShape };
  return runFamily(
    backend,
    conv2dFamily,
    { g, inputs: request.inputs, tiled, phases: null, out, source: x.storage, filter: f.storage, bias: bias?.storage, relu },
    request,
  );
};

export const conv2d_grad_input: WebGPUKernel = (backend, [dy, f], attrs, outShape) => {
  const a = attrs as Conv2dGradInputAttrs;
  const g = conv2dGeometry('conv2d_grad_input', a.inputShape, f.shape, a);
  const out = backend.allocate('conv2d_grad_input', outShape);
  const tiled = flippable(g) ? flippedConv(g, dy.storage, f.storage, out) : null;
  const phases = gradInputPhases(g, dy.storage, f.storage);
  const request = { op: 'conv2d_grad_input', inputs: [dy.shape, f.shape], attrs, outShape };
  return runFamily(
    backend,
    conv2dGradInputFamily,
    { g, inputs: request.inputs, tiled, phases, out, source: dy.storage, filter: f.storage, relu: false },
    request,
  );
};

/** The filter gradient as its variants see it. */
interface GradFilterProblem {
  g: Conv2dGeometry;
  inputs: readonly Shape[];
  x: GpuStorage;
  dy: GpuStorage;
  outShape: Shape;
}

/** Aim for at least this many invocations when splitting grad-filter's reduction over images. */
const GRAD_FILTER_TARGET_INVOCATIONS = 4096;

/** conv2d_grad_filter.wgsl (4x4 per invocation) or its 8x8 form, the images split into parts that are then summed. */
const registerGradFilter = (name: string, tile: 4 | 8): KernelVariant<GradFilterProblem> => ({
  name,
  shaders: [name],
  leads: tile === 4 ? 'any' : 'fallback',
  fits: () => true,
  run: (backend, { g, x, dy, outShape }) => {
    const taps = g.cg * g.kh * g.kw;
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
      buffers: { x, dy, out: target },
      uniforms: { ...geometryUniforms(g, tiles), parts, images_per_part: imagesPerPart },
      workgroups: tiles.tilesM * tiles.tilesN * g.groups * parts,
    });
    // Sum the per-part partial filters: [parts, O*taps] -> [O, cg, KH, KW].
    return sumPartials(backend, target, parts, g.o * taps, outShape);
  },
});

/**
 * The filter gradient's variants, in their order on fallback adapters: Winograd F(2x2, 3x3)
 * where the forward takes it (conv2d_winograd.ts), 8x8 register tiles, 4x4; for real GPUs
 * (first there) the implicit GEMM through workgroup-memory tiles (one group).
 */
export const conv2dGradFilterFamily = defineFamily<GradFilterProblem>({
  op: 'conv2d_grad_filter',
  choice: 'tuned',
  shapeClass: (p) => shapeClassOf(p.inputs, p.g),
  variants: [
    {
      name: 'conv2d_winograd_grad_filter',
      shaders: ['conv2d_winograd_input', 'conv2d_winograd_grad_dy', 'conv2d_winograd_gemm', 'conv2d_winograd_grad_filter'],
      leads: 'fallback',
      fits: ({ g }, a) => winogradGradFilterFit(g, a.maxBindingBytes),
      run: (backend, { g, x, dy, outShape }) => {
        const out = backend.allocate('conv2d_grad_filter', outShape);
        dispatchWinogradGradFilter(backend, g, x, dy, out);
        return out;
      },
    },
    registerGradFilter('conv2d_grad_filter_tile8', 8),
    registerGradFilter('conv2d_grad_filter', 4),
    {
      name: 'conv2d_grad_filter_implicit_gemm',
      shaders: ['conv2d_grad_filter_implicit_gemm'],
      leads: 'gpu',
      fits: ({ g }, a) => g.groups === 1 && implicitGemmFits(a),
      run: (backend, { g, x, dy, outShape }) => dispatchGradFilterImplicitGemm(backend, g, x, dy, outShape),
    },
  ],
});

export const conv2d_grad_filter: WebGPUKernel = (backend, [x, dy], attrs, outShape) => {
  const a = attrs as Conv2dGradFilterAttrs;
  const g = conv2dGeometry('conv2d_grad_filter', x.shape, a.filterShape, a);
  const request = { op: 'conv2d_grad_filter', inputs: [x.shape, dy.shape], attrs, outShape };
  return runFamily(backend, conv2dGradFilterFamily, { g, inputs: request.inputs, x: x.storage, dy: dy.storage, outShape }, request);
};

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { conv2d, conv2d_grad_filter, conv2d_grad_input };
