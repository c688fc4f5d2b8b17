import { conv2d, type Conv2dOptions, type Padding } from '../ops/conv2d';
import { depthwiseConv2d } from '../ops/depthwise_conv2d';
import { pair, resolvePadding } from '../ops/conv2d';
import { sizeOf, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { Layer, type ForwardContext, type Init, type LayerWindow, type ParamSpec } from './layer';
import { activate, type Activation } from './activations';
import { checkActivation, checkOptionsObject, checkPadding, checkPositiveInt, checkPositivePair } from './layer_options';

/** The options both convolution layers share: kernel, stride, dilation, padding, activation. */
function checkWindowOptions(label: string, o: Omit<Conv2dLayerOptions, 'filters'>): void {
  checkPositivePair(label, 'kernel', o.kernel);
  if (o.stride !== undefined) checkPositivePair(label, 'stride', o.stride);
  if (o.dilation !== undefined) checkPositivePair(label, 'dilation', o.dilation);
  checkPadding(label, o.padding);
  checkActivation(label, o.activation);
}

export interface Conv2dLayerOptions {
  filters: number;
  kernel: number | readonly [number, number];
  stride?: number | readonly [number, number];
  padding?: Padding;
  dilation?: number | readonly [number, number];
  groups?: number;
  bias?: boolean;
  /** Applied after the convolution (fused into the layer, not a separate layer). */
  activation?: Activation;
  init?: Init;
  name?: string;
}

/** 2-D convolution over NCHW input with an OIHW filter and an optional bias. */
export class Conv2d extends Layer {
  readonly kind = 'conv2d';
  readonly options: Conv2dLayerOptions;
  constructor(options: Conv2dLayerOptions) {
    checkOptionsObject('conv2d', options, '{ filters: 16, kernel: 3 }');
    super(options.name);
    this.options = options;
    const label = options.name ?? 'conv2d';
    checkPositiveInt(label, 'filters', options.filters);
    checkWindowOptions(label, options);
    if (options.groups !== undefined) {
      checkPositiveInt(label, 'groups', options.groups);
      if (options.filters % options.groups !== 0) throw new Error(`${label}: ${options.filters} filters do not split into ${options.groups} groups`);
    }
  }

  override window([x]: readonly Shape[]): LayerWindow {
    const [kernel, stride, dilation] = [pair(this.options.kernel), pair(this.options.stride ?? 1), pair(this.options.dilation ?? 1)];
    const [top, left] = resolvePadding(this.options.padding ?? 'valid', [x[1], x[2]], kernel, stride, dilation);
    return { kernel, stride, dilation, padding: [top, left] };
  }

  override params([x]: readonly Shape[]): ParamSpec[] {
    const [kh, kw] = pair(this.options.kernel);
    const groups = this.options.groups ?? 1;
    if (x[0] % groups !== 0)
      throw new Error(
        `groups=${groups} must divide the input's ${x[0]} channels; give the layer before it a multiple of ${groups} channels, or choose another groups`,
      );
    const cg = x[0] / groups;
    const o = this.options.filters;
    const specs: ParamSpec[] = [
      { name: 'weight', shape: [o, cg, kh, kw], init: this.options.init ?? 'he', fans: [cg * kh * kw, (o / groups) * kh * kw], kind: 'weight' },
    ];
    if (this.options.bias ?? true) specs.push({ name: 'bias', shape: [o], init: 'zeros', kind: 'weight' });
    return specs;
  }

  forward(_ctx: ForwardContext, [x]: readonly Tensor[], p: Readonly<Record<string, Tensor>>): Tensor {
    const { stride, padding, dilation, groups } = this.options;
    // ReLU runs inside the convolution's kernel; other activations as their own op.
    const relu = this.options.activation === 'relu';
    const options: Conv2dOptions = { stride, padding, dilation, groups, bias: p.bias, relu };
    return activate(conv2d(x, p.weight, options), relu ? undefined : this.options.activation);
  }

  override flops([x]: readonly Shape[], out: Shape): number {
    const [kh, kw] = pair(this.options.kernel);
    const taps = (x[0] / (this.options.groups ?? 1)) * kh * kw;
    return sizeOf(out) * (2 * taps + ((this.options.bias ?? true) ? 1 : 0));
  }
}

export interface DepthwiseConv2dLayerOptions extends Omit<Conv2dLayerOptions, 'filters' | 'groups'> {
  /** Output channels per input channel (default 1). */
  multiplier?: number;
}

/** Depthwise convolution: each input channel convolved with its own filters (MobileNet). */
export class DepthwiseConv2d extends Layer {
  readonly kind = 'depthwise_conv2d';
  readonly options: DepthwiseConv2dLayerOptions;
  constructor(options: DepthwiseConv2dLayerOptions) {
    checkOptionsObject('depthwise_conv2d', options, '{ kernel: 3 }');
    super(options.name);
    this.options = options;
    const label = options.name ?? 'depthwise_conv2d';
    checkWindowOptions(label, options);
    if (options.multiplier !== undefined) checkPositiveInt(label, 'multiplier', options.multiplier);
  }

  override window([x]: readonly Shape[]): LayerWindow {
    const [kernel, stride, dilation] = [pair(this.options.kernel), pair(this.options.stride ?? 1), pair(this.options.dilation ?? 1)];
    const [top, left] = resolvePadding(this.options.padding ?? 'valid', [x[1], x[2]], kernel, stride, dilation);
    return { kernel, stride, dilation, padding: [top, left] };
  }

  override params([x]: readonly Shape[]): ParamSpec[] {
    const [kh, kw] = pair(this.options.kernel);
    const m = this.options.multiplier ?? 1;
    const specs: ParamSpec[] = [
      { name: 'weight', shape: [x[0] * m, 1, kh, kw], init: this.options.init ?? 'he', fans: [kh * kw, m * kh * kw], kind: 'weight' },
    ];
    if (this.options.bias ?? true) specs.push({ name: 'bias', shape: [x[0] * m], init: 'zeros', kind: 'weight' });
    return specs;
  }

  forward(_ctx: ForwardContext, [x]: readonly Tensor[], p: Readonly<Record<string, Tensor>>): Tensor {
    const { stride, padding, dilation } = this.options;
    return activate(depthwiseConv2d(x, p.weight, { stride, padding, dilation, bias: p.bias }), this.options.activation);
  }

  override flops(_x: readonly Shape[], out: Shape): number {
    const [kh, kw] = pair(this.options.kernel);
    return sizeOf(out) * (2 * kh * kw + ((this.options.bias ?? true) ? 1 : 0));
  }
}
