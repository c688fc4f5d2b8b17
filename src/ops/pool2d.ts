import { formatShape, type Shape } from '../shape';
import { full, type Tensor } from '../tensor';
import { mul } from './binary';
import { pair, resolvePadding, windowOutputSize, type Padding } from './conv2d';
import { defineOp, runOp } from './op';

/** Resolved pooling attributes. */
export interface Pool2dAttrs {
  [key: string]: unknown;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  /** [top, left, bottom, right]; each side smaller than the kernel, so no window is all padding. */
  readonly padding: readonly [number, number, number, number];
  /** Average pooling only: divide by the full window (true) or by its in-bounds part (false). */
  readonly countIncludePad: boolean;
}

export interface Pool2dGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padT: number;
  padL: number;
}

export function pool2dGeometry(op: string, x: Shape, attrs: Pool2dAttrs): Pool2dGeometry {
  if (x.length !== 4) throw new Error(`${op}: input must be NCHW (rank 4), got ${formatShape(x)}`);
  const [kh, kw] = attrs.kernel;
  const [strideH, strideW] = attrs.stride;
  const [padT, padL, padB, padR] = attrs.padding;
  if ([kh, kw, strideH, strideW].some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new Error(`${op}: kernel and stride must be positive integers, got kernel [${kh},${kw}], stride [${strideH},${strideW}]`);
  }
  if ([padT, padL, padB, padR].some((p, i) => !Number.isInteger(p) || p < 0 || p >= (i % 2 === 0 ? kh : kw))) {
    throw new Error(`${op}: padding [${attrs.padding.join(',')}] must be non-negative and smaller than the ${kh}x${kw} kernel`);
  }
  const [n, c, h, w] = x;
  if (kh > h + padT + padB || kw > w + padL + padR) {
    throw new Error(`${op}: the ${kh}x${kw} window is larger than the padded input ${h + padT + padB}x${w + padL + padR} (input ${formatShape(x)})`);
  }
  return {
    n,
    c,
    h,
    w,
    kh,
    kw,
    strideH,
    strideW,
    padT,
    padL,
    oh: windowOutputSize(h, kh, strideH, padT, padB),
    ow: windowOutputSize(w, kw, strideW, padL, padR),
  };
}

const outShape = (op: string, x: Shape, attrs: Pool2dAttrs): Shape => {
  const g = pool2dGeometry(op, x, attrs);
  return [g.n, g.c, g.oh, g.ow];
};

function checkDy(op: string, dy: Shape, x: Shape, attrs: Pool2dAttrs): void {
  const want = outShape(op, x, attrs);
  if (formatShape(dy) !== formatShape(want)) throw new Error(`${op}: dy has shape ${formatShape(dy)} but the pool's output is ${formatShape(want)}`);
}

export const maxpool2dOp = defineOp<Pool2dAttrs>({
  name: 'maxpool2d',
  inputs: 1,
  inferShape: ([x], attrs) => outShape('maxpool2d', x, attrs),
  grad: ([x], _y, dy, attrs) => [runOp(maxpool2dGradOp, [x, dy], attrs)],
});

export interface MaxPool2dGradAttrs extends Pool2dAttrs {
  /**
   * Also pass the gradient through the ReLU whose output x is: zero where x <= 0. Set by
   * the planner when it folds a relu_grad into this op (src/graph/plan.ts).
   */
  readonly relu?: boolean;
}

/** Routes each output gradient to its window's arg-max (the first maximum in row-major order). Inputs: x, dy. */
export const maxpool2dGradOp = defineOp<MaxPool2dGradAttrs>({
  name: 'maxpool2d_grad',
  inputs: 2,
  inferShape([x, dy], attrs) {
    checkDy('maxpool2d_grad', dy, x, attrs);
    return x;
  },
});

export const avgpool2dOp = defineOp<Pool2dAttrs>({
  name: 'avgpool2d',
  inputs: 1,
  inferShape: ([x], attrs) => outShape('avgpool2d', x, attrs),
  grad: ([x], _y, dy, attrs) => [runOp(avgpool2dGradOp, [dy], { ...attrs, inputShape: [...x.shape] })],
});

export interface AvgPool2dGradAttrs extends Pool2dAttrs {
  readonly inputShape: readonly number[];
}

/** Spreads each output gradient evenly over its window's counted elements. Input: dy. */
export const avgpool2dGradOp = defineOp<AvgPool2dGradAttrs>({
  name: 'avgpool2d_grad',
  inputs: 1,
  inferShape([dy], attrs) {
    checkDy('avgpool2d_grad', dy, attrs.inputShape, attrs);
    return attrs.inputShape;
  },
});

/** Mean over each channel's H x W: [N, C, H, W] -> [N, C, 1, 1]. */
export const globalAvgPoolOp = defineOp({
  name: 'global_avg_pool',
  inputs: 1,
  inferShape([x]) {
    if (x.length !== 4) throw new Error(`global_avg_pool: input must be NCHW (rank 4), got ${formatShape(x)}`);
    return [x[0], x[1], 1, 1];
  },
  grad([x], _y, dy) {
    // NOTE: dx[n,c,h,w] = dy[n,c] / (H*W): broadcast dy over H x W with a constant.
    const spread = full(x.backend, x.shape, 1 / (x.shape[2] * x.shape[3]));
    const dx = mul(spread, dy);
    spread.dispose();
    return [dx];
  },
});

export interface Pool2dOptions {
  /** Defaults to the kernel size (non-overlapping windows). */
  stride?: number | readonly [number, number];
  padding?: Padding;
  countIncludePad?: boolean;
}

export function pool2dAttrs(x: Shape, kernel: number | readonly [number, number], options: Pool2dOptions = {}): Pool2dAttrs {
  const k = pair(kernel);
  const stride = pair(options.stride ?? k);
  return {
    kernel: k,
    stride,
    padding: resolvePadding(options.padding ?? 'valid', [x[2], x[3]], k, stride),
    countIncludePad: options.countIncludePad ?? false,
  };
}

/**
 * Max pooling over kernel x kernel windows (AlexNet's overlapping 3x3/2: `maxpool2d(x, 3, { stride: 2 })`).
 * With `returnIndices: true`, also each maximum's switch (PyTorch's return_indices), for maxUnpool2d.
 */
export function maxpool2d(x: Tensor, kernel: number | readonly [number, number], options?: Pool2dOptions & { returnIndices?: false }): Tensor;
export function maxpool2d(
  x: Tensor,
  kernel: number | readonly [number, number],
  options: Pool2dOptions & { returnIndices: true },
): { output: Tensor; indices: Tensor };
export function maxpool2d(
  x: Tensor,
  kernel: number | readonly [number, number],
  options: Pool2dOptions & { returnIndices?: boolean } = {},
): Tensor | { output: Tensor; indices: Tensor } {
  const attrs = pool2dAttrs(x.shape, kernel, options);
  const output = runOp(maxpool2dOp, [x], attrs);
  return options.returnIndices ? { output, indices: runOp(maxpool2dIndicesOp, [x], attrs) } : output;
}

/** Max pooling's switches: the flat per-plane index (h * W + w) of each window's first maximum, as float32. Not differentiable. */
export const maxpool2dIndicesOp = defineOp<Pool2dAttrs>({
  name: 'maxpool2d_indices',
  inputs: 1,
  inferShape([x], attrs) {
    const g = pool2dGeometry('maxpool2d_indices', x, attrs);
    return [g.n, g.c, g.oh, g.ow];
  },
});

/** Max pooling's switches: where each output's maximum sits in its input plane (PyTorch's return_indices). */
export function maxpool2dIndices(x: Tensor, kernel: number | readonly [number, number], options: Pool2dOptions = {}): Tensor {
  return runOp(maxpool2dIndicesOp, [x], pool2dAttrs(x.shape, kernel, options));
}

/** Average pooling; padded positions count only with `countIncludePad`. */
export function avgpool2d(x: Tensor, kernel: number | readonly [number, number], options: Pool2dOptions = {}): Tensor {
  return runOp(avgpool2dOp, [x], pool2dAttrs(x.shape, kernel, options));
}

export function globalAvgPool(x: Tensor): Tensor {
  return runOp(globalAvgPoolOp, [x], {});
}
