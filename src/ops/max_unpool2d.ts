// Max unpooling (Zeiler and Fergus's DeConvNet, SegNet) through max pooling's switches:
// maxpool2d_indices (pool2d.ts) records where each window's maximum was, as PyTorch's flat index
// within its (n, c) plane; max_unpool2d puts values back at those places, zeros
// elsewhere. Unpooling reads the pool's kernel, stride and padding (as PyTorch's
// MaxUnpool2d does), so each output position gathers from the few windows that cover
// it: no scatter, no race. Where two windows name one position the later window in
// row-major order wins (PyTorch's CPU order); an index outside its own window is not
// written (max pooling never makes one).
import { formatShape, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { defineOp, runOp } from './op';
import { pool2dAttrs, pool2dGeometry, type Pool2dAttrs, type Pool2dOptions } from './pool2d';

export { maxpool2dIndices, maxpool2dIndicesOp } from './pool2d';

export interface MaxUnpool2dAttrs extends Pool2dAttrs {
  /** Output height and width: the pooled input's size. */
  readonly outputSize: readonly [number, number];
}

function unpoolGeometry(op: string, pooled: Shape, attrs: MaxUnpool2dAttrs) {
  if (pooled.length !== 4) throw new Error(`${op}: input must be NCHW (rank 4), got ${formatShape(pooled)}`);
  const [oh, ow] = attrs.outputSize;
  if (![oh, ow].every((v) => Number.isInteger(v) && v > 0))
    throw new Error(`${op}: outputSize must be two positive integers, got [${attrs.outputSize.join(',')}]`);
  const g = pool2dGeometry(op, [pooled[0], pooled[1], oh, ow], attrs);
  if (g.oh !== pooled[2] || g.ow !== pooled[3]) {
    throw new Error(
      `${op}: a ${g.kh}x${g.kw} pool of stride ${g.strideH}x${g.strideW} over ${oh}x${ow} gives ${g.oh}x${g.ow}, but the input is ${formatShape(pooled)}; give the outputSize the pool's input had`,
    );
  }
  return g;
}

function checkIndices(op: string, x: Shape, indices: Shape): void {
  if (formatShape(x) !== formatShape(indices))
    throw new Error(`${op}: indices ${formatShape(indices)} must have the input's shape ${formatShape(x)} (one switch per pooled value)`);
}

/** Inputs: pooled values, their switches. out[n,c,p] = the value whose switch is p, else 0. */
export const maxUnpool2dOp = defineOp<MaxUnpool2dAttrs>({
  name: 'max_unpool2d',
  inputs: 2,
  inferShape([x, indices], attrs) {
    checkIndices('max_unpool2d', x, indices);
    const g = unpoolGeometry('max_unpool2d', x, attrs);
    return [g.n, g.c, g.h, g.w];
  },
  grad: ([, indices], _y, dy, attrs) => [runOp(maxUnpool2dGradOp, [dy, indices], attrs), null],
});

/** Inputs: dy of the unpooled map, the switches. dx[i] = dy at i's switch, where i's value was the one written there. */
export const maxUnpool2dGradOp = defineOp<MaxUnpool2dAttrs>({
  name: 'max_unpool2d_grad',
  inputs: 2,
  inferShape([dy, indices], attrs) {
    const g = unpoolGeometry('max_unpool2d_grad', indices, attrs);
    const want = [g.n, g.c, g.h, g.w];
    if (formatShape(dy) !== formatShape(want))
      throw new Error(`max_unpool2d_grad: dy has shape ${formatShape(dy)} but the unpooled output is ${formatShape(want)}`);
    return indices;
  },
});

export interface MaxUnpool2dOptions extends Pool2dOptions {
  /** The pool's input height and width (default PyTorch's: (in - 1) * stride - pad_before - pad_after + kernel). */
  outputSize?: readonly [number, number];
}

/**
 * torch.nn.functional.max_unpool2d: values back at their switches, zeros elsewhere.
 * `kernel` and the options are the pool's.
 */
export function maxUnpool2d(x: Tensor, indices: Tensor, kernel: number | readonly [number, number], options: MaxUnpool2dOptions = {}): Tensor {
  if (x.shape.length !== 4) throw new Error(`max_unpool2d: input must be NCHW (rank 4), got ${formatShape(x.shape)}`);
  const k = typeof kernel === 'number' ? [kernel, kernel] : kernel;
  const s = options.stride === undefined ? k : typeof options.stride === 'number' ? [options.stride, options.stride] : options.stride;
  // Padding resolves against the output, which is what the pool saw; 'same' needs the size given.
  const guess: [number, number] = options.outputSize
    ? [options.outputSize[0], options.outputSize[1]]
    : [(x.shape[2] - 1) * s[0] + k[0], (x.shape[3] - 1) * s[1] + k[1]];
  const pool = pool2dAttrs([x.shape[0], x.shape[1], guess[0], guess[1]], kernel, options);
  const [pt, pl, pb, pr] = pool.padding;
  const outputSize: [number, number] = options.outputSize ? guess : [guess[0] - pt - pb, guess[1] - pl - pr];
  return runOp(maxUnpool2dOp, [x, indices], { ...pool, outputSize });
}
