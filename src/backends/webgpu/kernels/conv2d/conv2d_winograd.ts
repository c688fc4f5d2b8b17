import conv2dWinogradFilterSource from '../../../../../shaders/conv2d/conv2d_winograd_filter.wgsl?raw';
import conv2dWinogradGemmSource from '../../../../../shaders/conv2d/conv2d_winograd_gemm.wgsl?raw';
import conv2dWinogradGradDySource from '../../../../../shaders/conv2d/conv2d_winograd_grad_dy.wgsl?raw';
import conv2dWinogradGradFilterSource from '../../../../../shaders/conv2d/conv2d_winograd_grad_filter.wgsl?raw';
import conv2dWinogradInputSource from '../../../../../shaders/conv2d/conv2d_winograd_input.wgsl?raw';
import conv2dWinogradOutputSource from '../../../../../shaders/conv2d/conv2d_winograd_output.wgsl?raw';
import type { Conv2dGeometry } from '../../../../ops/conv2d';
import { defineShader } from '../../shader_registry';
import type { GpuStorage, WebGPUKernelHost } from '../../kernel_host';
import { filterUniforms, type TiledConv } from './conv2d_tiled';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from '../elementwise';

/**
 * Winograd's F(2x2, 3x3) for 3x3 stride-1 convolutions, forward and (through the flipped
 * filter addressing of TiledConv) input gradient: each 2x2 block of outputs takes 16
 * multiply-adds per channel pair instead of 36. Four dispatches: the filter and the input
 * are transformed into 16 matrices each, multiplied position by position as 16 GEMMs, and
 * the products transformed back into the output. The filter gradient runs the same
 * machinery the other way round (dispatchWinogradGradFilter).
 */

export const conv2dWinogradFilterShader = defineShader({
  name: 'conv2d_winograd_filter',
  source: conv2dWinogradFilterSource,
  bindings: ['w', 'u'],
  uniforms: ['IC', 'OC', 'OC8', 'w_base', 'w_oc', 'w_ic', 'w_kh', 'w_kw'],
});

export const conv2dWinogradInputShader = defineShader({
  name: 'conv2d_winograd_input',
  source: conv2dWinogradInputSource,
  bindings: ['x', 'v'],
  uniforms: ['IC', 'H', 'W', 'pad_t', 'pad_l', 'TH', 'TW', 'T', 'T8', 'IC8'],
});

export const conv2dWinogradGemmShader = defineShader({
  name: 'conv2d_winograd_gemm',
  source: conv2dWinogradGemmSource,
  bindings: ['u', 'v', 'm'],
  uniforms: ['IC', 'OC8', 'T8', 'K', 'PARTS'],
});

export const conv2dWinogradOutputShader = defineShader({
  name: 'conv2d_winograd_output',
  source: conv2dWinogradOutputSource,
  bindings: ['m', 'bias', 'out'],
  uniforms: ['OC', 'OH', 'OW', 'OC8', 'TH', 'TW', 'T', 'T8'],
});

export const conv2dWinogradGradDyShader = defineShader({
  name: 'conv2d_winograd_grad_dy',
  source: conv2dWinogradGradDySource,
  bindings: ['dy', 'dm'],
  uniforms: ['OC', 'OH', 'OW', 'OC8', 'TH', 'TW', 'T'],
});

export const conv2dWinogradGradFilterShader = defineShader({
  name: 'conv2d_winograd_grad_filter',
  source: conv2dWinogradGradFilterSource,
  bindings: ['p', 'dw'],
  uniforms: ['OC', 'IC', 'OC8', 'IC8', 'PARTS'],
});

/** Rounds up to a multiple of 8 (the GEMM's 8x8 blocks). */
export const up8 = (n: number) => Math.ceil(n / 8) * 8;

/** The 2x2 output tiles of a convolution (TiledConv and Conv2dGeometry both name these n, oh, ow): per image th x tw, in all `tiles`. */
function outputTiles(c: { n: number; oh: number; ow: number }) {
  const th = Math.ceil(c.oh / 2);
  const tw = Math.ceil(c.ow / 2);
  return { th, tw, tiles: c.n * th * tw };
}

/** Sizes of the Winograd temporaries: 2x2 output tiles, and channel and tile counts padded to 8. */
function winogradSizes(t: TiledConv) {
  const o = outputTiles(t);
  return { ...o, tiles8: up8(o.tiles), oc8: up8(t.outChannels) };
}

/** The window both Winograd paths take: 3x3, stride 1, undilated, padding 0-2 (the flipped gradient of padding 3 would be -1). */
export function winogradWindow(w: {
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padT: number;
  padL: number;
}): boolean {
  const unit = w.strideH === 1 && w.strideW === 1 && w.dilH === 1 && w.dilW === 1;
  return unit && w.kh === 3 && w.kw === 3 && w.padT >= 0 && w.padL >= 0 && w.padT <= 2 && w.padL <= 2;
}

/**
 * Whether Winograd F(2x2, 3x3) applies to a convolution (or a flipped input gradient): its
 * window, 8 or more channels on both sides (narrower layers keep the one-dispatch kernels),
 * and transformed input and products that fit in a binding.
 */
export function winogradFit(t: TiledConv, maxBindingBytes: number): boolean {
  if (!winogradWindow(t) || t.inChannels < 8 || t.outChannels < 8) return false;
  const s = winogradSizes(t);
  const largest = 16 * s.tiles8 * Math.max(t.inChannels, s.oc8) * 4;
  return largest <= maxBindingBytes;
}

export function dispatchWinograd(backend: WebGPUKernelHost, t: TiledConv): void {
  const s = winogradSizes(t);
  const ic = t.inChannels;
  const u = backend.allocate('conv2d_winograd_filter', [16, ic, s.oc8]);
  backend.dispatch({
    spec: conv2dWinogradFilterShader,
    overrides: { WG: ELEMENTWISE_WG },
    buffers: { w: t.w, u },
    uniforms: { IC: ic, OC: t.outChannels, OC8: s.oc8, ...filterUniforms(t) },
    workgroups: elementwiseWorkgroups(ic * s.oc8),
  });
  const v = backend.allocate('conv2d_winograd_input', [16, ic, s.tiles8]);
  backend.dispatch({
    spec: conv2dWinogradInputShader,
    overrides: { WG: ELEMENTWISE_WG },
    buffers: { x: t.x, v },
    uniforms: { IC: ic, H: t.h, W: t.width, pad_t: t.padT, pad_l: t.padL, TH: s.th, TW: s.tw, T: s.tiles, T8: s.tiles8, IC8: ic },
    workgroups: elementwiseWorkgroups(ic * s.tiles8),
  });
  const m = backend.allocate('conv2d_winograd_gemm', [16, s.oc8, s.tiles8]);
  backend.dispatch({
    spec: conv2dWinogradGemmShader,
    buffers: { u, v, m },
    uniforms: { IC: ic, OC8: s.oc8, T8: s.tiles8, K: ic, PARTS: 1 },
    workgroups: gemmWorkgroups(s.oc8, s.tiles8, 1),
  });
  backend.release(u);
  backend.release(v);
  backend.dispatch({
    spec: conv2dWinogradOutputShader,
    overrides: { WG: ELEMENTWISE_WG, HAS_BIAS: t.bias !== undefined, RELU: t.relu },
    buffers: { m, bias: t.bias ?? t.w, out: t.out },
    uniforms: { OC: t.outChannels, OH: t.oh, OW: t.ow, OC8: s.oc8, TH: s.th, TW: s.tw, T: s.tiles, T8: s.tiles8 },
    workgroups: elementwiseWorkgroups(t.outChannels * s.tiles),
  });
  backend.release(m);
}

/** Workgroups of conv2d_winograd_gemm.wgsl for `parts` x `xi` products of rows x cols (both multiples of 8), 8x8 per invocation. */
export function gemmWorkgroups(rows: number, cols: number, parts: number, xi = 16): number {
  return Math.ceil((parts * xi * (rows / 8) * (cols / 8)) / 64);
}

/** Invocations the filter gradient's GEMM aims for by splitting its reduction over tiles. */
const GRAD_FILTER_GEMM_INVOCATIONS = 1024;
/** The fewest tiles a part of that reduction sums. */
const GRAD_FILTER_MIN_PART_TILES = 16;

/**
 * How the filter gradient's GEMM splits its reduction over `tiles`: products of 16 x oc8 x
 * ic8 give only 16 * (oc8 / 8) * (ic8 / 8) invocations (64 for 16 channels: one workgroup,
 * one core of a CPU adapter, a sliver of a GPU), so the tiles are split into parts until
 * about GRAD_FILTER_GEMM_INVOCATIONS run, each part at least GRAD_FILTER_MIN_PART_TILES long.
 */
export function gradFilterParts(tiles: number, oc8: number, ic8: number): { parts: number; perPart: number } {
  const invocations = 16 * (oc8 / 8) * (ic8 / 8);
  const want = Math.max(1, Math.min(Math.ceil(GRAD_FILTER_GEMM_INVOCATIONS / invocations), Math.floor(tiles / GRAD_FILTER_MIN_PART_TILES)));
  const perPart = Math.ceil(tiles / want);
  return { parts: Math.ceil(tiles / perPart), perPart };
}

/**
 * Whether the Winograd filter gradient applies: the forward would run Winograd (3x3, stride
 * 1, undilated, ungrouped, padding 0-2, 8+ channels both sides) and its tile-major
 * temporaries fit in a binding.
 */
export function winogradGradFilterFit(g: Conv2dGeometry, maxBindingBytes: number): boolean {
  if (!winogradWindow(g) || g.groups !== 1 || g.c < 8 || g.o < 8) return false;
  return 16 * outputTiles(g).tiles * Math.max(up8(g.c), up8(g.o)) * 4 <= maxBindingBytes;
}

/**
 * conv2d's filter gradient by Winograd F(2x2, 3x3): dg = G^T (sum over tiles of
 * (A dY A^T) . (B^T d B)) G. The input goes through conv2d_winograd_input.wgsl tile-major,
 * dY through conv2d_winograd_grad_dy.wgsl, the sums over tiles are conv2d_winograd_gemm.wgsl
 * with tiles as its reduction, and conv2d_winograd_grad_filter.wgsl applies G^T . G.
 */
export function dispatchWinogradGradFilter(backend: WebGPUKernelHost, g: Conv2dGeometry, x: GpuStorage, dy: GpuStorage, out: GpuStorage): void {
  const { th, tw, tiles } = outputTiles(g);
  const ic8 = up8(g.c);
  const oc8 = up8(g.o);
  const v = backend.allocate('conv2d_winograd_input', [16, tiles, ic8]);
  backend.dispatch({
    spec: conv2dWinogradInputShader,
    overrides: { WG: ELEMENTWISE_WG, TILE_MAJOR: true },
    buffers: { x, v },
    uniforms: { IC: g.c, H: g.h, W: g.w, pad_t: g.padT, pad_l: g.padL, TH: th, TW: tw, T: tiles, T8: tiles, IC8: ic8 },
    workgroups: elementwiseWorkgroups(tiles * ic8),
  });
  const dm = backend.allocate('conv2d_winograd_grad_dy', [16, tiles, oc8]);
  backend.dispatch({
    spec: conv2dWinogradGradDyShader,
    overrides: { WG: ELEMENTWISE_WG },
    buffers: { dy, dm },
    uniforms: { OC: g.o, OH: g.oh, OW: g.ow, OC8: oc8, TH: th, TW: tw, T: tiles },
    workgroups: elementwiseWorkgroups(tiles * oc8),
  });
  // The GEMM's reduction is over tiles here: p[xi][oc][ic] = sum_t dm[xi][t][oc] * v[xi][t][ic],
  // in parts that conv2d_winograd_grad_filter.wgsl adds.
  const { parts, perPart } = gradFilterParts(tiles, oc8, ic8);
  const p = backend.allocate('conv2d_winograd_gemm', [parts, 16, oc8, ic8]);
  backend.dispatch({
    spec: conv2dWinogradGemmShader,
    buffers: { u: dm, v, m: p },
    uniforms: { IC: tiles, OC8: oc8, T8: ic8, K: perPart, PARTS: parts },
    workgroups: gemmWorkgroups(oc8, ic8, parts),
  });
  backend.release(v);
  backend.release(dm);
  backend.dispatch({
    spec: conv2dWinogradGradFilterShader,
    overrides: { WG: ELEMENTWISE_WG },
    buffers: { p, dw: out },
    uniforms: { OC: g.o, IC: g.c, OC8: oc8, IC8: ic8, PARTS: parts },
    workgroups: elementwiseWorkgroups(g.o * g.c),
  });
  backend.release(p);
}
