import { formatShape, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { defineOp, runOp } from './op';
import { activationGradOps } from './activation_grad';
import { sum } from './reduce';

/** Resolved convolution attributes: every padding side explicit. */
export interface Conv2dAttrs {
  [key: string]: unknown;
  readonly stride: readonly [number, number];
  /** [top, left, bottom, right] */
  readonly padding: readonly [number, number, number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
  /** conv2d only: ReLU applied to the result in the same kernel (fused activation). */
  readonly relu?: boolean;
}

/** Every size a conv2d kernel needs, from NCHW input and OIHW filter shapes. */
export interface Conv2dGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  groups: number;
  cg: number;
  og: number;
  strideH: number;
  strideW: number;
  padT: number;
  padL: number;
  dilH: number;
  dilW: number;
}

function checkPositive(op: string, name: string, values: readonly number[]): void {
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new Error(`${op}: ${name} must be positive integers, got [${values.join(',')}]`);
  }
}

/**
 * Output size of a sliding window along one axis:
 * floor((in + padBefore + padAfter - dilation * (k - 1) - 1) / stride) + 1.
 */
export function windowOutputSize(input: number, k: number, stride: number, padBefore: number, padAfter: number, dilation = 1): number {
  return Math.floor((input + padBefore + padAfter - dilation * (k - 1) - 1) / stride) + 1;
}

/** Validates shapes and attributes and derives the geometry; errors name `op`, shapes and attribute. */
export function conv2dGeometry(op: string, x: Shape, f: Shape, attrs: Conv2dAttrs): Conv2dGeometry {
  const what = `input ${formatShape(x)}, filter ${formatShape(f)}`;
  if (x.length !== 4) throw new Error(`${op}: input must be NCHW (rank 4), got ${what}`);
  if (f.length !== 4) throw new Error(`${op}: filter must be OIHW (rank 4), got ${what}`);
  checkPositive(op, 'stride', attrs.stride);
  checkPositive(op, 'dilation', attrs.dilation);
  if (attrs.padding.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new Error(`${op}: padding must be non-negative integers, got [${attrs.padding.join(',')}]`);
  }
  const [n, c, h, w] = x;
  const [o, cg, kh, kw] = f;
  const groups = attrs.groups;
  if (!Number.isInteger(groups) || groups <= 0) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  if (c % groups !== 0 || o % groups !== 0) {
    throw new Error(`${op}: groups=${groups} must divide both the input channels (${c}) and the output channels (${o}); ${what}`);
  }
  if (cg !== c / groups) {
    throw new Error(`${op}: filter expects ${cg} input channels per group but the input has ${c} channels in ${groups} group(s) (${c / groups} each); ${what}`);
  }
  const [strideH, strideW] = attrs.stride;
  const [dilH, dilW] = attrs.dilation;
  const [padT, padL, padB, padR] = attrs.padding;
  const spanH = dilH * (kh - 1) + 1;
  const spanW = dilW * (kw - 1) + 1;
  if (spanH > h + padT + padB || spanW > w + padL + padR) {
    throw new Error(
      `${op}: the ${kh}x${kw} kernel (dilated span ${spanH}x${spanW}) is larger than the padded input ${h + padT + padB}x${w + padL + padR}; ${what}, padding [${attrs.padding.join(',')}]`,
    );
  }
  return {
    n,
    c,
    h,
    w,
    o,
    kh,
    kw,
    groups,
    cg,
    og: o / groups,
    strideH,
    strideW,
    padT,
    padL,
    dilH,
    dilW,
    oh: windowOutputSize(h, kh, strideH, padT, padB, dilH),
    ow: windowOutputSize(w, kw, strideW, padL, padR, dilW),
  };
}

export const conv2dOp = defineOp<Conv2dAttrs>({
  name: 'conv2d',
  inputs: [2, 3],
  inferShape([x, f, bias], attrs) {
    const g = conv2dGeometry('conv2d', x, f, attrs);
    if (bias && (bias.length !== 1 || bias[0] !== g.o)) {
      throw new Error(`conv2d: bias must have shape [${g.o}] (one value per output channel), got ${formatShape(bias)}`);
    }
    return [g.n, g.o, g.oh, g.ow];
  },
  grad([x, f, bias], y, dy, attrs) {
    // With a fused ReLU, the gradient first passes the ReLU: y > 0 exactly where its input was.
    const { relu, ...plain } = attrs;
    const g = relu ? runOp(activationGradOps.relu_grad, [y, dy], {}) : dy;
    return [conv2dGradInput(g, f, x.shape, plain), conv2dGradFilter(x, g, f.shape, plain), ...(bias ? [sum(g, [0, 2, 3])] : [])];
  },
});

/** Throws unless dy has the convolution's output shape [N, O, OH, OW]. */
export function checkConvDy(op: string, dy: Shape, g: Conv2dGeometry): void {
  const want = [g.n, g.o, g.oh, g.ow];
  if (formatShape(dy) !== formatShape(want)) {
    throw new Error(`${op}: dy has shape ${formatShape(dy)} but the convolution's output is ${formatShape(want)}`);
  }
}

export interface Conv2dGradInputAttrs extends Conv2dAttrs {
  /** Shape of the forward input, which the gradient takes. */
  readonly inputShape: readonly number[];
}

/**
 * dx = the "full" convolution of dy with the spatially flipped filter (inputs: dy, filter).
 * Also the forward of a transposed convolution (conv2d_transpose.ts), so it has a rule:
 * out[x] = sum over taps of dy[y] * f[w] is linear in each input, giving
 * d(dy) = conv2d(g, f) and d(f) = conv2d_grad_filter(g, dy) with g in the input's place.
 */
export const conv2dGradInputOp = defineOp<Conv2dGradInputAttrs>({
  name: 'conv2d_grad_input',
  inputs: 2,
  inferShape([dy, f], attrs) {
    checkConvDy('conv2d_grad_input', dy, conv2dGeometry('conv2d_grad_input', attrs.inputShape, f, attrs));
    return attrs.inputShape;
  },
  grad([dy, f], _out, g, attrs) {
    const { inputShape: _, relu: __, ...conv } = attrs;
    const plain = conv as Conv2dAttrs;
    return [runOp(conv2dOp, [g, f], plain), conv2dGradFilter(g, dy, f.shape, plain)];
  },
});

export interface Conv2dGradFilterAttrs extends Conv2dAttrs {
  /** Shape of the filter, which the gradient takes. */
  readonly filterShape: readonly number[];
}

/** dW[o,c,kh,kw] = sum over batch and output positions of dy * x (inputs: x, dy). */
export const conv2dGradFilterOp = defineOp<Conv2dGradFilterAttrs>({
  name: 'conv2d_grad_filter',
  inputs: 2,
  inferShape([x, dy], attrs) {
    checkConvDy('conv2d_grad_filter', dy, conv2dGeometry('conv2d_grad_filter', x, attrs.filterShape, attrs));
    return attrs.filterShape;
  },
});

export type Padding = 'valid' | 'same' | number | readonly [number, number] | readonly [number, number, number, number];

export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  /** 'valid' (none), 'same' (output = ceil(input / stride), extra on the bottom/right), one value, [h, w] or [top, left, bottom, right]. */
  padding?: Padding;
  dilation?: number | readonly [number, number];
  groups?: number;
  bias?: Tensor;
  /** Apply ReLU in the convolution's own kernel (one dispatch and one pass over memory fewer). */
  relu?: boolean;
}

/** A single number or an [h, w] pair as [h, w]. */
export const pair = (v: number | readonly [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** Resolves a padding spec against input size, kernel, stride and dilation. */
export function resolvePadding(
  padding: Padding,
  input: readonly [number, number],
  kernel: readonly [number, number],
  stride: readonly [number, number],
  dilation: readonly [number, number] = [1, 1],
): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    const total = [0, 1].map((i) => Math.max((Math.ceil(input[i] / stride[i]) - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 - input[i], 0));
    return [Math.floor(total[0] / 2), Math.floor(total[1] / 2), Math.ceil(total[0] / 2), Math.ceil(total[1] / 2)];
  }
  if (typeof padding === 'number') return [padding, padding, padding, padding];
  if (padding.length === 2) return [padding[0], padding[1], padding[0], padding[1]];
  return [padding[0], padding[1], padding[2], padding[3]];
}

/** Resolved attributes for conv2d of input `x` with filter `f`. */
export function conv2dAttrs(x: Shape, f: Shape, options: Omit<Conv2dOptions, 'bias' | 'relu'> = {}): Conv2dAttrs {
  const stride = pair(options.stride ?? 1);
  const dilation = pair(options.dilation ?? 1);
  const padding = resolvePadding(options.padding ?? 'valid', [x[2], x[3]], [f[2], f[3]], stride, dilation);
  return { stride, padding, dilation, groups: options.groups ?? 1 };
}

/** 2-D convolution (cross-correlation) of NCHW `x` with OIHW `filter`. */
export function conv2d(x: Tensor, filter: Tensor, options: Conv2dOptions = {}): Tensor {
  const attrs = conv2dAttrs(x.shape, filter.shape, options);
  return runOp(conv2dOp, options.bias ? [x, filter, options.bias] : [x, filter], options.relu ? { ...attrs, relu: true } : attrs);
}

export function conv2dGradInput(dy: Tensor, filter: Tensor, inputShape: Shape, attrs: Conv2dAttrs): Tensor {
  return runOp(conv2dGradInputOp, [dy, filter], { ...attrs, inputShape: [...inputShape] });
}

export function conv2dGradFilter(x: Tensor, dy: Tensor, filterShape: Shape, attrs: Conv2dAttrs): Tensor {
  return runOp(conv2dGradFilterOp, [x, dy], { ...attrs, filterShape: [...filterShape] });
}
