// Layers that go back up from a feature map towards pixels, named as PyTorch names them.
import { pair, type Padding } from '../ops/conv2d';
import { conv2dTranspose, type Conv2dTransposeOptions } from '../ops/conv2d_transpose';
import { maxpool2dIndices, maxUnpool2d } from '../ops/max_unpool2d';
import { sizeOf, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { upsample2d, upsample2dAttrs, type Upsample2dOptions } from '../ops/upsample2d';
import { activate, type Activation } from './activations';
import { Layer, type ForwardContext, type Init, type LayerWindow, type ParamSpec } from './layer';
import { checkActivation, checkOptionsObject, checkPadding, checkPositiveInt, checkPositivePair, show } from './layer_options';
import { WindowPool } from './pool_layers';

export interface ConvTranspose2dLayerOptions {
  /** Output channels (PyTorch's out_channels). */
  filters: number;
  kernel: number | readonly [number, number];
  stride?: number | readonly [number, number];
  /** PyTorch's padding: rows and columns removed from each side of the output. */
  padding?: number | readonly [number, number];
  /** Rows and columns added to the bottom and right of the output (smaller than the stride). */
  outputPadding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  groups?: number;
  bias?: boolean;
  activation?: Activation;
  init?: Init;
  name?: string;
}

function checkNonNegativePair(layer: string, option: string, v: unknown): void {
  if (v === undefined) return;
  const parts = Array.isArray(v) ? v : [v];
  if (parts.length !== (Array.isArray(v) ? 2 : 1) || parts.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new Error(`${layer}: ${option} must be a non-negative integer or a [height, width] pair of them, got ${show(v)}`);
  }
}

/**
 * Transposed convolution, PyTorch's ConvTranspose2d: weight [Cin, Cout/groups, KH, KW]
 * and bias [Cout], so a state dict maps name for name. A 4x4 kernel of stride 2 and
 * padding 1 doubles the height and width (FCN's learned upsampling); 2x2 of stride 2,
 * U-Net's up-convolution.
 */
export class ConvTranspose2d extends Layer {
  readonly kind = 'conv_transpose2d';
  readonly options: ConvTranspose2dLayerOptions;
  constructor(options: ConvTranspose2dLayerOptions) {
    checkOptionsObject('conv_transpose2d', options, '{ filters: 16, kernel: 4, stride: 2, padding: 1 }');
    super(options.name);
    this.options = options;
    const label = options.name ?? 'conv_transpose2d';
    checkPositiveInt(label, 'filters', options.filters);
    checkPositivePair(label, 'kernel', options.kernel);
    if (options.stride !== undefined) checkPositivePair(label, 'stride', options.stride);
    if (options.dilation !== undefined) checkPositivePair(label, 'dilation', options.dilation);
    checkNonNegativePair(label, 'padding', options.padding);
    checkNonNegativePair(label, 'outputPadding', options.outputPadding);
    checkActivation(label, options.activation);
    if (options.groups !== undefined) {
      checkPositiveInt(label, 'groups', options.groups);
      if (options.filters % options.groups !== 0) throw new Error(`${label}: ${options.filters} filters do not split into ${options.groups} groups`);
    }
  }

  private convOptions(): Omit<Conv2dTransposeOptions, 'bias'> {
    const { stride, padding, outputPadding, dilation, groups } = this.options;
    return { stride, padding, outputPadding, dilation, groups };
  }

  override window(): LayerWindow {
    const stride = pair(this.options.stride ?? 1);
    const [kh, kw] = pair(this.options.kernel);
    const [dh, dw] = pair(this.options.dilation ?? 1);
    return { upsample: stride, reach: [Math.ceil((dh * (kh - 1) + 1) / stride[0]), Math.ceil((dw * (kw - 1) + 1) / stride[1])] };
  }

  override params([x]: readonly Shape[]): ParamSpec[] {
    const [kh, kw] = pair(this.options.kernel);
    const groups = this.options.groups ?? 1;
    if (x[0] % groups !== 0)
      throw new Error(
        `groups=${groups} must divide the input's ${x[0]} channels; give the layer before it a multiple of ${groups} channels, or choose another groups`,
      );
    const o = this.options.filters;
    // Each output value sums Cin/groups * KH*KW / stride^2 taps on average; PyTorch's fan-in is weight.size(1) * KH * KW.
    const specs: ParamSpec[] = [
      {
        name: 'weight',
        shape: [x[0], o / groups, kh, kw],
        init: this.options.init ?? 'he',
        fans: [(o / groups) * kh * kw, (x[0] / groups) * kh * kw],
        kind: 'weight',
      },
    ];
    if (this.options.bias ?? true) specs.push({ name: 'bias', shape: [o], init: 'zeros', kind: 'weight' });
    return specs;
  }

  forward(_ctx: ForwardContext, [x]: readonly Tensor[], p: Readonly<Record<string, Tensor>>): Tensor {
    return activate(conv2dTranspose(x, p.weight, { ...this.convOptions(), bias: p.bias }), this.options.activation);
  }

  override flops([x]: readonly Shape[], out: Shape): number {
    const [kh, kw] = pair(this.options.kernel);
    const groups = this.options.groups ?? 1;
    // Every input value meets every tap of its group's Cout/groups filters once.
    const macs = sizeOf(x) * (this.options.filters / groups) * kh * kw;
    return 2 * macs + ((this.options.bias ?? true) ? sizeOf(out) : 0);
  }
}

export interface UpsampleLayerOptions extends Upsample2dOptions {
  name?: string;
}

/**
 * PyTorch's nn.Upsample (and interpolate): nearest or bilinear, by `scale` or to `size`.
 * No weights. FCN's final bilinear step to the image size is one.
 */
export class Upsample extends Layer {
  readonly kind = 'upsample';
  readonly options: UpsampleLayerOptions;
  constructor(options: UpsampleLayerOptions) {
    checkOptionsObject('upsample', options, "{ scale: 2, mode: 'bilinear' }");
    super(options.name);
    this.options = options;
    // Checked against a stand-in input now, so a bad option fails where it is written.
    upsample2dAttrs([1, 1, 64, 64], options);
  }

  override window([x]: readonly Shape[]): LayerWindow {
    const { size } = upsample2dAttrs([1, ...x], this.options);
    const reach = this.options.mode === 'bilinear' ? 2 : 1;
    return { upsample: [size[0] / x[1], size[1] / x[2]], reach: [reach, reach] };
  }

  forward(_ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    return upsample2d(x, this.options);
  }

  override flops(_x: readonly Shape[], out: Shape): number {
    // Bilinear: four products and three sums per output value; nearest copies.
    return this.options.mode === 'bilinear' ? 7 * sizeOf(out) : 0;
  }
}

export interface MaxPoolSwitchesOptions {
  kernel: number | readonly [number, number];
  /** Defaults to the kernel (non-overlapping windows). */
  stride?: number | readonly [number, number];
  padding?: Padding;
  name?: string;
}

/**
 * Max pooling's switches (PyTorch's MaxPool2d(..., return_indices=True) second output):
 * where each window's maximum sits in its input plane, as the flat index h * W + w
 * (float32). Apply it to the same input as the MaxPool2d with the same options; its output
 * feeds a MaxUnpool2d. Not differentiable: the unpooling's gradient skips it.
 */
export class MaxPoolSwitches extends WindowPool {
  readonly kind = 'maxpool2d_indices';
  constructor(options: MaxPoolSwitchesOptions) {
    super(options, 'maxpool2d_indices');
  }

  forward(_ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    return maxpool2dIndices(x, this.options.kernel, this.options);
  }
}

export interface MaxUnpool2dLayerOptions {
  /** The pool's kernel, stride and padding. */
  kernel: number | readonly [number, number];
  stride?: number | readonly [number, number];
  padding?: Padding;
  /** The pool's input height and width (default PyTorch's: (in - 1) * stride - padding + kernel). */
  outputSize?: readonly [number, number];
  name?: string;
}

/**
 * PyTorch's MaxUnpool2d: takes two inputs, the values and the switches of a MaxPoolSwitches
 * with the same kernel, stride and padding (`unpool.apply(values, switches)`), and puts
 * each value back where its maximum was, zeros elsewhere (SegNet's decoder, Zeiler and
 * Fergus's DeConvNet). No weights; the gradient flows to the values only.
 */
export class MaxUnpool2d extends Layer {
  readonly kind = 'max_unpool2d';
  readonly options: MaxUnpool2dLayerOptions;
  constructor(options: MaxUnpool2dLayerOptions) {
    checkOptionsObject('max_unpool2d', options, '{ kernel: 2 }');
    super(options.name);
    this.options = options;
    const label = options.name ?? 'max_unpool2d';
    checkPositivePair(label, 'kernel', options.kernel);
    if (options.stride !== undefined) checkPositivePair(label, 'stride', options.stride);
    checkPadding(label, options.padding);
    if (options.outputSize !== undefined && (!Array.isArray(options.outputSize) || options.outputSize.length !== 2)) {
      throw new Error(`${label}: outputSize must be a [height, width] pair of positive integers, got ${show(options.outputSize)}`);
    }
    if (options.outputSize !== undefined) checkPositivePair(label, 'outputSize', options.outputSize);
  }

  override get arity(): number {
    return 2;
  }

  override window(): LayerWindow {
    const kernel = pair(this.options.kernel);
    const stride = pair(this.options.stride ?? kernel);
    // Each output position is written by the windows that cover it: ceil(k / s) per axis at most.
    return { upsample: stride, reach: [Math.ceil(kernel[0] / stride[0]), Math.ceil(kernel[1] / stride[1])] };
  }

  forward(_ctx: ForwardContext, [x, switches]: readonly Tensor[]): Tensor {
    const { kernel, stride, padding, outputSize } = this.options;
    return maxUnpool2d(x, switches, kernel, { stride, padding, outputSize });
  }

  override flops(): number {
    return 0;
  }
}
