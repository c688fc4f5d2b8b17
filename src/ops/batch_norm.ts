import { formatShape, type Shape } from '../shape';
import { full, scope, type Tensor } from '../tensor';
import { add, mul, sub } from './binary';
import { slice } from './concat';
import { defineOp, runOp, type OpDef } from './op';
import { sum } from './reduce';
import { reshape } from './reshape';
import { rsqrt } from './unary';

export interface BatchNormAttrs {
  [key: string]: unknown;
  /** Added to the variance before the square root. */
  readonly eps: number;
}

/** Channels of a [N, C] or [N, C, H, W] input; throws naming the op otherwise. */
export function bnChannels(op: string, x: Shape): number {
  if (x.length !== 2 && x.length !== 4) throw new Error(`${op}: input must be [N, C] or [N, C, H, W], got ${formatShape(x)}`);
  if (x[0] === 0) throw new Error(`${op}: needs at least one example, got ${formatShape(x)}`);
  return x[1];
}

function checkPerChannel(op: string, x: Shape, params: readonly Shape[], names: readonly string[]): void {
  const c = bnChannels(op, x);
  params.forEach((p, i) => {
    if (p.length !== 1 || p[0] !== c) throw new Error(`${op}: ${names[i]} must have shape [${c}] for input ${formatShape(x)}, got ${formatShape(p)}`);
  });
}

/** The axes batch norm reduces over: all but the channel axis. */
const statAxes = (x: Tensor) => (x.rank === 4 ? [0, 2, 3] : [0]);
/** Reshapes a per-channel [C] tensor to broadcast against x. */
const perChannel = (t: Tensor, x: Tensor) => reshape(t, x.rank === 4 ? [1, x.shape[1], 1, 1] : [1, x.shape[1]]);

/** Per-channel mean (row 0) and biased variance (row 1) of x over the batch and positions: [2, C]. */
export const batchNormStatsOp = defineOp({
  name: 'batch_norm_stats',
  inputs: 1,
  inferShape: ([x]) => [2, bnChannels('batch_norm_stats', x)],
});

/** Throws unless `stats` is the [2, C] of batch_norm_stats for x. */
function checkStats(op: string, x: Shape, stats: Shape | undefined): void {
  if (stats && formatShape(stats) !== formatShape([2, x[1]]))
    throw new Error(`${op}: stats must be [2, ${x[1]}] (mean; variance) for input ${formatShape(x)}, got ${formatShape(stats)}`);
}

/**
 * Training mode: normalise with the batch's own statistics. Inputs: x, gamma, beta,
 * and optionally the batch's [2, C] statistics from batch_norm_stats (then the kernel
 * does not compute them again: batchNorm() computes them once for the output, the
 * running statistics and the backward pass).
 */
export const batchNormTrainOp: OpDef<BatchNormAttrs> = defineOp<BatchNormAttrs>({
  name: 'batch_norm_train',
  inputs: [3, 4],
  inferShape([x, gamma, beta, stats]) {
    checkPerChannel('batch_norm_train', x, [gamma, beta], ['gamma', 'beta']);
    checkStats('batch_norm_train', x, stats);
    return x;
  },
  grad([x, gamma, , stats], _y, dy, attrs): (Tensor | null)[] {
    // One pass gives both per-channel sums; they are dbeta and dgamma, and dx needs them too.
    // dx is the full gradient (through the statistics too), so the stats input gets none.
    const given = stats ? [stats] : [];
    const sums = runOp(batchNormGradSumsOp, [x, dy, ...given], attrs);
    const c = x.shape[1];
    return [
      runOp(batchNormTrainGradOp, [x, dy, gamma, sums, ...given], attrs),
      scope(() => reshape(slice(sums, 0, 1, 1), [c])), // dgamma = sum(dy * xhat)
      scope(() => reshape(slice(sums, 0, 0, 1), [c])), // dbeta = sum(dy)
      ...(stats ? [null] : []),
    ];
  },
});

/**
 * The per-channel sums of training-mode batch norm's backward pass: row 0 sum(dy), row 1
 * sum(dy * xhat) with xhat normalised by the batch statistics: [2, C]. Inputs: x, dy,
 * and optionally the batch's statistics.
 */
export const batchNormGradSumsOp = defineOp<BatchNormAttrs>({
  name: 'batch_norm_grad_sums',
  inputs: [2, 3],
  inferShape([x, dy, stats]) {
    const c = bnChannels('batch_norm_grad_sums', x);
    if (formatShape(dy) !== formatShape(x)) throw new Error(`batch_norm_grad_sums: dy ${formatShape(dy)} must match x ${formatShape(x)}`);
    checkStats('batch_norm_grad_sums', x, stats);
    return [2, c];
  },
});

/**
 * dx of training-mode batch norm, where the statistics depend on x too:
 * dx = gamma * invstd / M * (M * dy - sum(dy) - xhat * sum(dy * xhat)), M = values per channel.
 * Inputs: x, dy, gamma, the [2, C] sums of batch_norm_grad_sums, optionally the batch's statistics.
 */
export const batchNormTrainGradOp = defineOp<BatchNormAttrs>({
  name: 'batch_norm_train_grad',
  inputs: [4, 5],
  inferShape([x, dy, gamma, sums, stats]) {
    checkStats('batch_norm_train_grad', x, stats);
    checkPerChannel('batch_norm_train_grad', x, [gamma], ['gamma']);
    if (formatShape(dy) !== formatShape(x)) throw new Error(`batch_norm_train_grad: dy ${formatShape(dy)} must match x ${formatShape(x)}`);
    if (formatShape(sums) !== formatShape([2, x[1]]))
      throw new Error(`batch_norm_train_grad: sums must be [2, ${x[1]}] (sum dy; sum dy*xhat), got ${formatShape(sums)}`);
    return x;
  },
});

/** Inference mode: normalise with given (running) statistics. Inputs: x, mean, variance, gamma, beta. */
export const batchNormInferOp = defineOp<BatchNormAttrs>({
  name: 'batch_norm_infer',
  inputs: 5,
  inferShape([x, mean, variance, gamma, beta]) {
    checkPerChannel('batch_norm_infer', x, [mean, variance, gamma, beta], ['mean', 'variance', 'gamma', 'beta']);
    return x;
  },
  grad([x, mean, variance, gamma], _y, dy, attrs) {
    return scope(() => {
      const invStd = rsqrt(add(variance, full(x.backend, [], attrs.eps)));
      const xhat = mul(sub(x, perChannel(mean, x)), perChannel(invStd, x));
      return [mul(dy, perChannel(mul(gamma, invStd), x)), null, null, sum(mul(dy, xhat), statAxes(x)), sum(dy, statAxes(x))];
    });
  },
});

export interface BatchNormState {
  gamma: Tensor;
  beta: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
}

export interface BatchNormOptions {
  training: boolean;
  /** Weight of the new batch in the running statistics (PyTorch's convention), default 0.1. */
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalisation over channels. In training it normalises with batch statistics
 * and returns new running statistics (mean, and unbiased variance) blended with
 * `momentum`; the caller swaps them in and disposes the old ones. In inference it uses
 * the running statistics and returns them unchanged.
 */
export function batchNorm(x: Tensor, state: BatchNormState, options: BatchNormOptions): { y: Tensor; runningMean: Tensor; runningVar: Tensor } {
  const eps = options.eps ?? 1e-5;
  if (!options.training) {
    return {
      y: runOp(batchNormInferOp, [x, state.runningMean, state.runningVar, state.gamma, state.beta], { eps }),
      runningMean: state.runningMean,
      runningVar: state.runningVar,
    };
  }
  const m = options.momentum ?? 0.1;
  const count = x.size / x.shape[1];
  // The statistics once: for the output, the running statistics and the backward pass.
  const stats = runOp(batchNormStatsOp, [x], {});
  const y = runOp(batchNormTrainOp, [x, state.gamma, state.beta, stats], { eps });
  const running = scope(() => {
    // Row r of the [2, C] statistics.
    const row = (r: 0 | 1) => reshape(slice(stats, 0, r, 1), [x.shape[1]]);
    const unbiased = mul(row(1), full(x.backend, [], count > 1 ? count / (count - 1) : 1));
    const keep = full(x.backend, [], 1 - m);
    const take = full(x.backend, [], m);
    return {
      runningMean: add(mul(state.runningMean, keep), mul(row(0), take)),
      runningVar: add(mul(state.runningVar, keep), mul(unbiased, take)),
    };
  });
  return { y, ...running };
}
