import conv2dGradFilterImplicitGemmSource from '../../../../../shaders/conv2d/conv2d_grad_filter_implicit_gemm.wgsl?raw';
import conv2dImplicitGemmSource from '../../../../../shaders/conv2d/conv2d_implicit_gemm.wgsl?raw';
import conv2dImplicitGemmF16Source from '../../../../../shaders/conv2d/conv2d_implicit_gemm_f16.wgsl?raw';
import conv2dSubgroupSource from '../../../../../shaders/conv2d/conv2d_subgroup.wgsl?raw';
import type { Conv2dGeometry } from '../../../../ops/conv2d';
import type { ShaderSpec } from '../../shader';
import { defineShader } from '../../shader_registry';
import type { GpuStorage, WebGPUKernelHost } from '../../kernel_host';
import { sumPartials } from '../reduce';
import { filterUniforms, type TiledConv } from './conv2d_tiled';

/**
 * The convolution kernels written for real GPUs: implicit GEMMs through workgroup-memory
 * tiles (forward and stride-1 input gradient in one shader through signed filter strides,
 * and the filter gradient), and the forward with the filter shared by subgroup shuffles.
 */

const WINDOW = ['N', 'IC', 'H', 'W', 'OC', 'OH', 'OW', 'KH', 'KW', 'stride_h', 'stride_w', 'pad_t', 'pad_l', 'dil_h', 'dil_w'];

export const conv2dImplicitGemmShader = defineShader({
  name: 'conv2d_implicit_gemm',
  source: conv2dImplicitGemmSource,
  bindings: ['x', 'w', 'bias', 'out'],
  uniforms: [...WINDOW, 'w_base', 'w_oc', 'w_ic', 'w_kh', 'w_kw', 'tiles_m', 'tiles_n'],
});

export const conv2dImplicitGemmF16Shader = defineShader({
  name: 'conv2d_implicit_gemm_f16',
  source: conv2dImplicitGemmF16Source,
  bindings: ['x', 'w', 'bias', 'out'],
  uniforms: [...WINDOW, 'w_base', 'w_oc', 'w_ic', 'w_kh', 'w_kw', 'tiles_m', 'tiles_n'],
});

export const conv2dSubgroupShader = defineShader({
  name: 'conv2d_subgroup',
  source: conv2dSubgroupSource,
  bindings: ['x', 'w', 'bias', 'out'],
  uniforms: [...WINDOW, 'w_base', 'w_oc', 'w_ic', 'w_kh', 'w_kw', 'tiles_m', 'tiles_n'],
});

export const conv2dGradFilterImplicitGemmShader = defineShader({
  name: 'conv2d_grad_filter_implicit_gemm',
  source: conv2dGradFilterImplicitGemmSource,
  bindings: ['x', 'dy', 'out'],
  uniforms: [...WINDOW, 'tiles_m', 'tiles_n', 'parts', 'images_per_part'],
});

const windowOf = (t: TiledConv) => ({
  N: t.n,
  IC: t.inChannels,
  H: t.h,
  W: t.width,
  OC: t.outChannels,
  OH: t.oh,
  OW: t.ow,
  KH: t.kh,
  KW: t.kw,
  stride_h: t.strideH,
  stride_w: t.strideW,
  pad_t: t.padT,
  pad_l: t.padL,
  dil_h: t.dilH,
  dil_w: t.dilW,
});

/** The workgroup-memory tiles need 8 KiB of workgroup memory and 256 invocations. */
export const implicitGemmFits = (adapter: { maxWorkgroupStorageBytes: number; maxInvocations: number }) =>
  adapter.maxWorkgroupStorageBytes >= 8192 && adapter.maxInvocations >= 256;

/** conv2d_implicit_gemm.wgsl: tiles of 64 output channels by 64 positions. */
export function dispatchImplicitGemm(backend: WebGPUKernelHost, t: TiledConv): void {
  dispatchGemmTiles(backend, t, conv2dImplicitGemmShader);
}

/** conv2d_implicit_gemm_f16.wgsl: the same tiles with the input window and filter stored in f16. */
export function dispatchImplicitGemmF16(backend: WebGPUKernelHost, t: TiledConv): void {
  dispatchGemmTiles(backend, t, conv2dImplicitGemmF16Shader);
}

function dispatchGemmTiles(backend: WebGPUKernelHost, t: TiledConv, spec: ShaderSpec): void {
  const tilesM = Math.ceil(t.outChannels / 64);
  const tilesN = Math.ceil((t.n * t.oh * t.ow) / 64);
  backend.dispatch({
    spec,
    overrides: { HAS_BIAS: t.bias !== undefined, RELU: t.relu },
    buffers: { x: t.x, w: t.w, bias: t.bias ?? t.w, out: t.out },
    uniforms: { ...windowOf(t), ...filterUniforms(t), tiles_m: tilesM, tiles_n: tilesN },
    workgroups: tilesM * tilesN,
  });
}

/** conv2d_subgroup.wgsl: tiles of 8 output channels by 256 positions. */
export function dispatchSubgroup(backend: WebGPUKernelHost, t: TiledConv): void {
  const tilesM = Math.ceil(t.outChannels / 8);
  const tilesN = Math.ceil((t.n * t.oh * t.ow) / 256);
  backend.dispatch({
    spec: conv2dSubgroupShader,
    overrides: { HAS_BIAS: t.bias !== undefined, RELU: t.relu },
    buffers: { x: t.x, w: t.w, bias: t.bias ?? t.w, out: t.out },
    uniforms: { ...windowOf(t), ...filterUniforms(t), tiles_m: tilesM, tiles_n: tilesN },
    workgroups: tilesM * tilesN,
  });
}

/** Aim for at least this many workgroups when splitting the filter gradient's reduction over images. */
const TARGET_WORKGROUPS = 64;

/**
 * conv2d_grad_filter_implicit_gemm.wgsl (one group): tiles of 64 output channels by 64
 * filter taps, the images split into parts until there are enough workgroups, the parts'
 * partial filters then summed.
 */
export function dispatchGradFilterImplicitGemm(
  backend: WebGPUKernelHost,
  g: Conv2dGeometry,
  x: GpuStorage,
  dy: GpuStorage,
  outShape: readonly number[],
): GpuStorage {
  const reduction = g.c * g.kh * g.kw;
  const tilesM = Math.ceil(g.o / 64);
  const tilesN = Math.ceil(reduction / 64);
  const wantParts = Math.max(1, Math.min(g.n, Math.ceil(TARGET_WORKGROUPS / (tilesM * tilesN))));
  const imagesPerPart = Math.ceil(g.n / wantParts);
  const parts = Math.ceil(g.n / imagesPerPart);
  const target = backend.allocate('conv2d_grad_filter', parts === 1 ? outShape : [parts, g.o * reduction]);
  backend.dispatch({
    spec: conv2dGradFilterImplicitGemmShader,
    buffers: { x, dy, out: target },
    uniforms: {
      N: g.n,
      IC: g.c,
      H: g.h,
      W: g.w,
      OC: g.o,
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
      tiles_m: tilesM,
      tiles_n: tilesN,
      parts,
      images_per_part: imagesPerPart,
    },
    workgroups: tilesM * tilesN * parts,
  });
  return sumPartials(backend, target, parts, g.o * reduction, outShape);
}
