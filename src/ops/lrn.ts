import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { defineOp, runOp } from './op';

/**
 * Local response normalisation across channels (AlexNet):
 *   y[c] = x[c] / d[c]^beta,  d[c] = k + alpha / size * sum_{c' in window(c)} x[c']^2
 * with window(c) = [c - floor(size/2), c + floor((size-1)/2)] clipped to the channels
 * (PyTorch's convention, which divides alpha by size).
 */
export interface LrnAttrs {
  [key: string]: unknown;
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
}

function checkLrn(op: string, x: readonly number[], attrs: LrnAttrs): void {
  if (x.length !== 4) throw new Error(`${op}: input must be NCHW (rank 4), got ${formatShape(x)}`);
  if (!Number.isInteger(attrs.size) || attrs.size <= 0) throw new Error(`${op}: size must be a positive integer, got ${attrs.size}`);
}

export const lrnOp = defineOp<LrnAttrs>({
  name: 'lrn',
  inputs: 1,
  inferShape([x], attrs) {
    checkLrn('lrn', x, attrs);
    return x;
  },
  grad: ([x], _y, dy, attrs) => [runOp(lrnGradOp, [x, dy], attrs)],
});

/**
 * dx[c] = dy[c] d[c]^-beta - (2 alpha beta / size) x[c] sum_{j: c in window(j)} dy[j] x[j] d[j]^(-beta-1).
 * Inputs: x, dy.
 */
export const lrnGradOp = defineOp<LrnAttrs>({
  name: 'lrn_grad',
  inputs: 2,
  inferShape([x, dy], attrs) {
    checkLrn('lrn_grad', x, attrs);
    if (formatShape(x) !== formatShape(dy)) throw new Error(`lrn_grad: dy ${formatShape(dy)} must match x ${formatShape(x)}`);
    return x;
  },
});

export interface LrnOptions {
  size?: number;
  alpha?: number;
  beta?: number;
  k?: number;
}

/** AlexNet's defaults: size 5, alpha 1e-4, beta 0.75, k 2. */
export function lrn(x: Tensor, options: LrnOptions = {}): Tensor {
  return runOp(lrnOp, [x], { size: options.size ?? 5, alpha: options.alpha ?? 1e-4, beta: options.beta ?? 0.75, k: options.k ?? 2 });
}
