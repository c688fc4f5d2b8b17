// Transposed convolution, PyTorch's ConvTranspose2d: the convolution's input gradient
// used as a forward op. Its weight [Cin, Cout/groups, KH, KW] is exactly the filter of
// the convolution it transposes (that convolution maps Cout channels to Cin), so the op
// runs conv2d_grad_input, with every variant of that family, and trains through its
// gradient rule (conv2d.ts): the input gradient is conv2d, the filter gradient is the
// convolution's filter gradient with the roles of input and output swapped.
import { formatShape, type Shape } from '../shape';
import { scope, type Tensor } from '../tensor';
import { add } from './binary';
import { conv2dGradInput, pair, type Conv2dAttrs } from './conv2d';
import { reshape } from './reshape';

export interface Conv2dTransposeOptions {
  stride?: number | readonly [number, number];
  /** PyTorch's padding: removed from both sides of each axis of the output. */
  padding?: number | readonly [number, number];
  /** Rows and columns added to the bottom and right of the output (below the stride). */
  outputPadding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  groups?: number;
  /** [Cout], added to every output position of its channel. */
  bias?: Tensor;
}

/** The resolved geometry: the output shape and the attributes of the convolution it transposes. */
export interface Conv2dTransposeGeometry {
  outputShape: Shape;
  convAttrs: Conv2dAttrs;
}

function checkPair(name: string, v: readonly [number, number], min: number): void {
  if (v.some((k) => !Number.isInteger(k) || k < min)) {
    throw new Error(`conv2d_transpose: ${name} must be ${min > 0 ? 'positive' : 'non-negative'} integers, got [${v.join(',')}]`);
  }
}

/**
 * Output size along one axis, PyTorch's formula:
 * (in - 1) * stride - 2 * padding + dilation * (k - 1) + outputPadding + 1.
 */
export function transposedOutputSize(input: number, k: number, stride: number, padding: number, outputPadding: number, dilation: number): number {
  return (input - 1) * stride - 2 * padding + dilation * (k - 1) + outputPadding + 1;
}

/** Checks x [N, Cin, H, W] against w [Cin, Cout/groups, KH, KW] and the options; errors name the shapes. */
export function conv2dTransposeGeometry(x: Shape, w: Shape, options: Omit<Conv2dTransposeOptions, 'bias'> = {}): Conv2dTransposeGeometry {
  const what = `input ${formatShape(x)}, weight ${formatShape(w)}`;
  if (x.length !== 4) throw new Error(`conv2d_transpose: input must be NCHW (rank 4), got ${what}`);
  if (w.length !== 4) throw new Error(`conv2d_transpose: weight must be [Cin, Cout/groups, KH, KW] (rank 4), got ${what}`);
  const stride = pair(options.stride ?? 1);
  const padding = pair(options.padding ?? 0);
  const outputPadding = pair(options.outputPadding ?? 0);
  const dilation = pair(options.dilation ?? 1);
  checkPair('stride', stride, 1);
  checkPair('dilation', dilation, 1);
  checkPair('padding', padding, 0);
  checkPair('outputPadding', outputPadding, 0);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups <= 0) throw new Error(`conv2d_transpose: groups must be a positive integer, got ${groups}`);
  const [n, cin, h, wd] = x;
  const [wcin, coutPerGroup, kh, kw] = w;
  if (wcin !== cin) throw new Error(`conv2d_transpose: the weight's first axis (${wcin}) must equal the input channels (${cin}); ${what}`);
  if (cin % groups !== 0) throw new Error(`conv2d_transpose: groups=${groups} must divide the input channels (${cin}); ${what}`);
  if (outputPadding.some((p, i) => p >= stride[i])) {
    throw new Error(`conv2d_transpose: outputPadding [${outputPadding.join(',')}] must be smaller than the stride [${stride.join(',')}] on each axis; ${what}`);
  }
  const oh = transposedOutputSize(h, kh, stride[0], padding[0], outputPadding[0], dilation[0]);
  const ow = transposedOutputSize(wd, kw, stride[1], padding[1], outputPadding[1], dilation[1]);
  if (oh <= 0 || ow <= 0) {
    throw new Error(`conv2d_transpose: the output would be ${oh}x${ow}: padding [${padding.join(',')}] removes more than the ${kh}x${kw} kernel adds; ${what}`);
  }
  return {
    outputShape: [n, coutPerGroup * groups, oh, ow],
    convAttrs: { stride, padding: [padding[0], padding[1], padding[0], padding[1]], dilation, groups },
  };
}

/**
 * Transposed convolution of NCHW `x` with `weight` [Cin, Cout/groups, KH, KW], as
 * torch.nn.functional.conv_transpose2d: each input pixel scatters weight * value into a
 * KxK window of the output, windows `stride` apart.
 */
export function conv2dTranspose(x: Tensor, weight: Tensor, options: Conv2dTransposeOptions = {}): Tensor {
  const { outputShape, convAttrs } = conv2dTransposeGeometry(x.shape, weight.shape, options);
  const bias = options.bias;
  if (!bias) return conv2dGradInput(x, weight, outputShape, convAttrs);
  if (bias.shape.length !== 1 || bias.shape[0] !== outputShape[1]) {
    throw new Error(`conv2d_transpose: bias must have shape [${outputShape[1]}] (one value per output channel), got ${formatShape(bias.shape)}`);
  }
  return scope(() => add(conv2dGradInput(x, weight, outputShape, convAttrs), reshape(bias, [1, outputShape[1], 1, 1])));
}
