import conv2dWinogradF4FilterSource from '../../../../../shaders/conv2d/conv2d_winograd_f4_filter.wgsl?raw';
import conv2dWinogradF4InputSource from '../../../../../shaders/conv2d/conv2d_winograd_f4_input.wgsl?raw';
import conv2dWinogradF4OutputSource from '../../../../../shaders/conv2d/conv2d_winograd_f4_output.wgsl?raw';
import { defineShader } from '../../shader_registry';
import type { WebGPUKernelHost } from '../../kernel_host';
import { filterUniforms, type TiledConv } from './conv2d_tiled';
import { conv2dWinogradGemmShader, gemmWorkgroups, up8, winogradWindow } from './conv2d_winograd';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from '../elementwise';

// Winograd's F(4x4, 3x3) beside F(2x2, 3x3) (conv2d_winograd.ts): the same four steps, with
// 6x6 transforms and 36 GEMMs through conv2d_winograd_gemm.wgsl.

export const conv2dWinogradF4FilterShader = defineShader({
  name: 'conv2d_winograd_f4_filter',
  source: conv2dWinogradF4FilterSource,
  bindings: ['w', 'u'],
  uniforms: ['IC', 'OC', 'OC8', 'w_base', 'w_oc', 'w_ic', 'w_kh', 'w_kw'],
});

export const conv2dWinogradF4InputShader = defineShader({
  name: 'conv2d_winograd_f4_input',
  source: conv2dWinogradF4InputSource,
  bindings: ['x', 'v'],
  uniforms: ['IC', 'H', 'W', 'pad_t', 'pad_l', 'TH', 'TW', 'T', 'T8'],
});

export const conv2dWinogradF4OutputShader = defineShader({
  name: 'conv2d_winograd_f4_output',
  source: conv2dWinogradF4OutputSource,
  bindings: ['m', 'bias', 'out'],
  uniforms: ['OC', 'OH', 'OW', 'OC8', 'TH', 'TW', 'T', 'T8'],
});

/** Sizes of the F(4x4, 3x3) temporaries: 4x4 output tiles, channel and tile counts padded to 8. */
function f4Sizes(t: TiledConv) {
  const th = Math.ceil(t.oh / 4);
  const tw = Math.ceil(t.ow / 4);
  const tiles = t.n * th * tw;
  return { th, tw, tiles, tiles8: up8(tiles), oc8: up8(t.outChannels) };
}

/**
 * Whether Winograd F(4x4, 3x3) applies: as F(2x2, 3x3) (winogradFit), with its 36 x
 * channels x tiles temporaries in one binding.
 */
export function winogradF4Fit(t: TiledConv, maxBindingBytes: number): boolean {
  if (!winogradWindow(t) || t.inChannels < 8 || t.outChannels < 8) return false;
  const s = f4Sizes(t);
  return 36 * s.tiles8 * Math.max(t.inChannels, s.oc8) * 4 <= maxBindingBytes;
}

/**
 * Winograd's F(4x4, 3x3), forward and flipped input gradient: each 4x4 block of outputs takes
 * 36 multiply-adds per channel pair instead of F(2x2, 3x3)'s 64 (16 per 2x2 block) or the
 * direct 144, at the cost of larger transforms and rounding (its transforms scale by up to 8
 * and 1/24). The same four steps, with 36 GEMMs through conv2d_winograd_gemm.wgsl (XI = 36).
 */
export function dispatchWinogradF4(backend: WebGPUKernelHost, t: TiledConv): void {
  const s = f4Sizes(t);
  const ic = t.inChannels;
  const u = backend.allocate('conv2d_winograd_f4_filter', [36, ic, s.oc8]);
  backend.dispatch({
    spec: conv2dWinogradF4FilterShader,
    overrides: { WG: ELEMENTWISE_WG },
    buffers: { w: t.w, u },
    uniforms: { IC: ic, OC: t.outChannels, OC8: s.oc8, ...filterUniforms(t) },
    workgroups: elementwiseWorkgroups(ic * s.oc8),
  });
  const v = backend.allocate('conv2d_winograd_f4_input', [36, ic, s.tiles8]);
  backend.dispatch({
    spec: conv2dWinogradF4InputShader,
    overrides: { WG: ELEMENTWISE_WG },
    buffers: { x: t.x, v },
    uniforms: { IC: ic, H: t.h, W: t.width, pad_t: t.padT, pad_l: t.padL, TH: s.th, TW: s.tw, T: s.tiles, T8: s.tiles8 },
    workgroups: elementwiseWorkgroups(ic * s.tiles8),
  });
  const m = backend.allocate('conv2d_winograd_gemm', [36, s.oc8, s.tiles8]);
  backend.dispatch({
    spec: conv2dWinogradGemmShader,
    overrides: { XI: 36 },
    buffers: { u, v, m },
    uniforms: { IC: ic, OC8: s.oc8, T8: s.tiles8, K: ic, PARTS: 1 },
    workgroups: gemmWorkgroups(s.oc8, s.tiles8, 1, 36),
  });
  backend.release(u);
  backend.release(v);
  backend.dispatch({
    spec: conv2dWinogradF4OutputShader,
    overrides: { WG: ELEMENTWISE_WG, HAS_BIAS: t.bias !== undefined, RELU: t.relu },
    buffers: { m, bias: t.bias ?? t.w, out: t.out },
    uniforms: { OC: t.outChannels, OH: t.oh, OW: t.ow, OC8: s.oc8, TH: s.th, TW: s.tw, T: s.tiles, T8: s.tiles8 },
    workgroups: elementwiseWorkgroups(t.outChannels * s.tiles),
  });
  backend.release(m);
}
