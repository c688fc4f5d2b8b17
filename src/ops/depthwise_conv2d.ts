import { formatShape, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { checkConvDy, conv2dAttrs, conv2dGeometry, type Conv2dAttrs, type Conv2dGeometry, type Conv2dOptions } from './conv2d';
import { defineOp, runOp } from './op';
import { sum } from './reduce';

/**
 * Depthwise convolution: each input channel c is convolved with its own `mult`
 * filters, giving output channels c*mult .. c*mult+mult-1. Filter shape is
 * [C*mult, 1, KH, KW] (OIHW with groups = C, the PyTorch convention), so the geometry,
 * validation and CPU reference are conv2d's with groups = C.
 */
export function depthwiseGeometry(op: string, x: Shape, f: Shape, attrs: Conv2dAttrs): Conv2dGeometry & { mult: number } {
  if (x.length === 4 && attrs.groups !== x[1]) {
    throw new Error(`${op}: groups must equal the input channels (${x[1]}) for a depthwise convolution, got ${attrs.groups}`);
  }
  if (f.length === 4 && f[1] !== 1) throw new Error(`${op}: filter must be [C*multiplier, 1, KH, KW], got ${formatShape(f)}`);
  const g = conv2dGeometry(op, x, f, attrs);
  return { ...g, mult: g.og };
}

export const depthwiseConv2dOp = defineOp<Conv2dAttrs>({
  name: 'depthwise_conv2d',
  inputs: [2, 3],
  inferShape([x, f, bias], attrs) {
    const g = depthwiseGeometry('depthwise_conv2d', x, f, attrs);
    if (bias && (bias.length !== 1 || bias[0] !== g.o)) {
      throw new Error(`depthwise_conv2d: bias must have shape [${g.o}], got ${formatShape(bias)}`);
    }
    return [g.n, g.o, g.oh, g.ow];
  },
  grad([x, f, bias], _y, dy, attrs) {
    return [
      runOp(depthwiseConv2dGradInputOp, [dy, f], { ...attrs, inputShape: [...x.shape] }),
      runOp(depthwiseConv2dGradFilterOp, [x, dy], { ...attrs, filterShape: [...f.shape] }),
      ...(bias ? [sum(dy, [0, 2, 3])] : []),
    ];
  },
});

/** Inputs: dy, filter. */
export const depthwiseConv2dGradInputOp = defineOp<Conv2dAttrs & { inputShape: readonly number[] }>({
  name: 'depthwise_conv2d_grad_input',
  inputs: 2,
  inferShape([dy, f], attrs) {
    checkConvDy('depthwise_conv2d_grad_input', dy, depthwiseGeometry('depthwise_conv2d_grad_input', attrs.inputShape, f, attrs));
    return attrs.inputShape;
  },
});

/** Inputs: x, dy. */
export const depthwiseConv2dGradFilterOp = defineOp<Conv2dAttrs & { filterShape: readonly number[] }>({
  name: 'depthwise_conv2d_grad_filter',
  inputs: 2,
  inferShape([x, dy], attrs) {
    checkConvDy('depthwise_conv2d_grad_filter', dy, depthwiseGeometry('depthwise_conv2d_grad_filter', x, attrs.filterShape, attrs));
    return attrs.filterShape;
  },
});

/** Depthwise 2-D convolution of NCHW `x` with a [C*multiplier, 1, KH, KW] filter. */
export function depthwiseConv2d(x: Tensor, filter: Tensor, options: Omit<Conv2dOptions, 'groups'> = {}): Tensor {
  const attrs = conv2dAttrs(x.shape, filter.shape, { ...options, groups: x.shape[1] });
  return runOp(depthwiseConv2dOp, options.bias ? [x, filter, options.bias] : [x, filter], attrs);
}
