// Upsampling as torch.nn.functional.interpolate: nearest and bilinear, by a scale or to
// a size, align_corners false by default. The coordinate map is PyTorch's, in float32 as
// PyTorch computes it, so the same source pixels are read (upsample2dSource).
import { formatShape, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { defineOp, runOp } from './op';

export type UpsampleMode = 'nearest' | 'bilinear';

export interface Upsample2dAttrs {
  [key: string]: unknown;
  readonly mode: UpsampleMode;
  /** Output height and width. */
  readonly size: readonly [number, number];
  /** Input coordinates per output coordinate on each axis (PyTorch's `scale`: 1/scale_factor, in/out, or (in-1)/(out-1) with alignCorners). */
  readonly ratio: readonly [number, number];
  readonly alignCorners: boolean;
}

export interface Upsample2dGradAttrs extends Upsample2dAttrs {
  /** The forward input's shape [N, C, H, W]. */
  readonly inputShape: readonly number[];
}

export interface Upsample2dOptions {
  /** Output = floor(input * scale) on each axis; give this or `size`. */
  scale?: number | readonly [number, number];
  /** Output [height, width]; give this or `scale`. */
  size?: readonly [number, number];
  mode?: UpsampleMode;
  /** Bilinear only: the corner pixels of input and output are aligned (PyTorch's align_corners). */
  alignCorners?: boolean;
}

const f32 = Math.fround;

/**
 * Where output coordinate `o` reads on one axis, as PyTorch computes it in float32:
 * nearest, the source index; bilinear, the two source indices and their weights.
 */
export function upsample2dSource(
  mode: UpsampleMode,
  o: number,
  ratio: number,
  input: number,
  alignCorners: boolean,
): { i0: number; i1: number; w0: number; w1: number } {
  if (mode === 'nearest') {
    const i = Math.min(Math.floor(f32(o * ratio)), input - 1);
    return { i0: i, i1: i, w0: 1, w1: 0 };
  }
  const src = alignCorners ? f32(ratio * o) : Math.max(f32(f32(ratio * f32(o + 0.5)) - 0.5), 0);
  const i0 = Math.min(Math.floor(src), input - 1);
  const i1 = Math.min(i0 + 1, input - 1);
  const w1 = f32(src - i0);
  return { i0, i1, w0: f32(1 - w1), w1 };
}

/** Resolves options against an input [N, C, H, W]; errors name the op, the shape and the option. */
export function upsample2dAttrs(x: Shape, options: Upsample2dOptions): Upsample2dAttrs {
  const op = 'upsample2d';
  if (x.length !== 4) throw new Error(`${op}: input must be NCHW (rank 4), got ${formatShape(x)}`);
  const mode = options.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear') throw new Error(`${op}: mode must be 'nearest' or 'bilinear', got ${JSON.stringify(mode)}`);
  if ((options.scale === undefined) === (options.size === undefined))
    throw new Error(`${op}: give either scale or size (got ${options.scale === undefined ? 'neither' : 'both'})`);
  const alignCorners = options.alignCorners ?? false;
  if (alignCorners && mode === 'nearest') throw new Error(`${op}: alignCorners applies to bilinear only (PyTorch refuses it for nearest)`);
  const [h, w] = [x[2], x[3]];
  let size: [number, number];
  let ratio: [number, number];
  if (options.size !== undefined) {
    size = [options.size[0], options.size[1]];
    if (size.some((s) => !Number.isInteger(s) || s <= 0)) throw new Error(`${op}: size must be two positive integers, got [${options.size.join(',')}]`);
    ratio = [h / size[0], w / size[1]];
  } else {
    const scale = typeof options.scale === 'number' ? [options.scale, options.scale] : [options.scale![0], options.scale![1]];
    if (scale.some((s) => !Number.isFinite(s) || s <= 0)) throw new Error(`${op}: scale must be positive numbers, got [${scale.join(',')}]`);
    size = [Math.floor(h * scale[0]), Math.floor(w * scale[1])];
    if (size.some((s) => s <= 0)) throw new Error(`${op}: scale [${scale.join(',')}] leaves no pixel of the ${h}x${w} input`);
    ratio = [1 / scale[0], 1 / scale[1]];
  }
  if (alignCorners) ratio = [size[0] > 1 ? (h - 1) / (size[0] - 1) : 0, size[1] > 1 ? (w - 1) / (size[1] - 1) : 0];
  return { mode, size, ratio: [f32(ratio[0]), f32(ratio[1])], alignCorners };
}

/** Nearest or bilinear upsampling of NCHW `x` (any resize, in fact: a size below the input shrinks it). */
export const upsample2dOp = defineOp<Upsample2dAttrs>({
  name: 'upsample2d',
  inputs: 1,
  inferShape([x], attrs) {
    if (x.length !== 4) throw new Error(`upsample2d: input must be NCHW (rank 4), got ${formatShape(x)}`);
    return [x[0], x[1], attrs.size[0], attrs.size[1]];
  },
  grad([x], _y, dy, attrs) {
    return [runOp(upsample2dGradOp, [dy], { ...attrs, inputShape: [...x.shape] })];
  },
});

/** dx: each input pixel gathers dy from the outputs that read it, with the forward's weights. */
export const upsample2dGradOp = defineOp<Upsample2dGradAttrs>({
  name: 'upsample2d_grad',
  inputs: 1,
  inferShape([dy], attrs) {
    const [n, c] = attrs.inputShape;
    const want = [n, c, attrs.size[0], attrs.size[1]];
    if (formatShape(dy) !== formatShape(want))
      throw new Error(`upsample2d_grad: dy has shape ${formatShape(dy)} but the upsampled output is ${formatShape(want)}`);
    return attrs.inputShape;
  },
});

/** torch.nn.functional.interpolate(x, scale_factor | size, mode, align_corners) for 'nearest' and 'bilinear'. */
export function upsample2d(x: Tensor, options: Upsample2dOptions): Tensor {
  return runOp(upsample2dOp, [x], upsample2dAttrs(x.shape, options));
}
