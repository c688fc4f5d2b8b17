import conv2dPhaseScatterSource from '../../../../../shaders/conv2d/conv2d_phase_scatter.wgsl?raw';
import type { Conv2dGeometry } from '../../../../ops/conv2d';
import { defineShader } from '../../shader_registry';
import type { GpuStorage, WebGPUKernelHost } from '../../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from '../elementwise';
import type { TiledConv } from './conv2d_tiled';

/**
 * A strided convolution's input gradient as stride-1 convolutions, one per phase.
 *
 * With stride s, dx[ih] gathers dy[oh] * w[kh] over oh*s + kh = ih + pad: only the taps
 * kh = r, r + s, r + 2s, ... with r = (ih + pad) mod s reach it. The dx positions of one
 * phase r (along each axis) are therefore a stride-1 convolution of dy with that phase's
 * sub-filter, flipped, which the register-tiled kernels run through their signed filter
 * strides; conv2d_phase_scatter.wgsl then puts each phase's values at their places in dx.
 * The gather kernel (conv2d_grad_input.wgsl) instead masks the taps that miss: at stride 2
 * about half of them, and its 4x4 tile is the slowest of the family (resnet20's figures
 * are at PHASE_ROWS in conv2d.ts).
 */

export const conv2dPhaseScatterShader = defineShader({
  name: 'conv2d_phase_scatter',
  source: conv2dPhaseScatterSource,
  bindings: ['src', 'out'],
  uniforms: ['NC', 'H', 'W', 'PH', 'PW', 'stride_h', 'stride_w', 'ih0', 'iw0'],
});

/** One axis of a phase: the sub-filter's taps (0: none reach), its padding, and the dx positions it holds. */
interface PhaseAxis {
  /** Taps of the sub-filter: kernel positions r, r + s, ... below the kernel size. */
  taps: number;
  /** The first tap read by the flipped sub-filter: r + s*(taps - 1). */
  lastTap: number;
  /** Padding of the stride-1 convolution (taps - 1 - first phase index). */
  pad: number;
  /** dx's first position in this phase, and how many there are. */
  first: number;
  count: number;
}

function phaseAxis(r: number, stride: number, kernel: number, pad: number, size: number): PhaseAxis {
  const taps = r < kernel ? Math.ceil((kernel - r) / stride) : 0;
  const qMin = Math.ceil((pad - r) / stride);
  const qMax = Math.floor((size - 1 + pad - r) / stride);
  return { taps, lastTap: r + stride * (taps - 1), pad: taps - 1 - qMin, first: qMin * stride + r - pad, count: Math.max(0, qMax - qMin + 1) };
}

/** One phase: its dx positions and, where some tap reaches them, the stride-1 convolution that computes them. */
export interface GradInputPhase {
  rows: PhaseAxis;
  cols: PhaseAxis;
  /** The phase's convolution writing into `out` (N x C x rows.count x cols.count); null for a phase no tap reaches. */
  conv: ((out: GpuStorage) => TiledConv) | null;
}

/**
 * The phases of conv2d's input gradient, or null where the decomposition does not apply:
 * groups, dilation, stride 1 (the flipped convolution serves it whole), or padding so
 * large that a phase's convolution would need negative padding.
 */
export function gradInputPhases(g: Conv2dGeometry, dy: GpuStorage, w: GpuStorage): GradInputPhase[] | null {
  if (g.groups !== 1 || g.dilH !== 1 || g.dilW !== 1 || (g.strideH === 1 && g.strideW === 1)) return null;
  const phases: GradInputPhase[] = [];
  const taps = g.kh * g.kw;
  for (let rh = 0; rh < g.strideH; rh++) {
    for (let rw = 0; rw < g.strideW; rw++) {
      const rows = phaseAxis(rh, g.strideH, g.kh, g.padT, g.h);
      const cols = phaseAxis(rw, g.strideW, g.kw, g.padL, g.w);
      if (rows.count === 0 || cols.count === 0) continue;
      const reached = rows.taps > 0 && cols.taps > 0;
      if (reached && (rows.pad < 0 || cols.pad < 0)) return null;
      const conv = (out: GpuStorage): TiledConv => ({
        x: dy,
        w,
        out,
        relu: false,
        n: g.n,
        inChannels: g.o,
        h: g.oh,
        width: g.ow,
        outChannels: g.c,
        oh: rows.count,
        ow: cols.count,
        kh: rows.taps,
        kw: cols.taps,
        strideH: 1,
        strideW: 1,
        padT: rows.pad,
        padL: cols.pad,
        dilH: 1,
        dilW: 1,
        filter: { base: rows.lastTap * g.kw + cols.lastTap, oc: taps, ic: g.c * taps, kh: -g.strideH * g.kw, kw: -g.strideW },
      });
      phases.push({ rows, cols, conv: reached ? conv : null });
    }
  }
  return phases;
}

/** Runs every phase through `run` (a tiled kernel) into its own tensor and scatters it into dx. */
export function dispatchPhases(
  backend: WebGPUKernelHost,
  g: Conv2dGeometry,
  phases: readonly GradInputPhase[],
  dy: GpuStorage,
  dx: GpuStorage,
  run: (backend: WebGPUKernelHost, t: TiledConv) => void,
): void {
  for (const p of phases) {
    const values = p.rows.count * p.cols.count * g.n * g.c;
    const part = p.conv ? backend.allocate('conv2d_grad_input', [g.n, g.c, p.rows.count, p.cols.count]) : null;
    if (p.conv) run(backend, p.conv(part!));
    backend.dispatch({
      spec: conv2dPhaseScatterShader,
      overrides: { WG: ELEMENTWISE_WG, ZERO: part === null },
      // A zero phase reads nothing; dy only fills the binding (dx itself may not be bound twice).
      buffers: { src: part ?? dy, out: dx },
      uniforms: {
        NC: g.n * g.c,
        H: g.h,
        W: g.w,
        PH: p.rows.count,
        PW: p.cols.count,
        stride_h: g.strideH,
        stride_w: g.strideW,
        ih0: p.rows.first,
        iw0: p.cols.first,
      },
      workgroups: elementwiseWorkgroups(values),
    });
    if (part) backend.release(part);
  }
}
