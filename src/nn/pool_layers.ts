import { avgpool2d, globalAvgPool, maxpool2d, type Pool2dOptions } from '../ops/pool2d';
import { pair } from '../ops/conv2d';
import { reshape } from '../ops/reshape';
import { sizeOf, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { Layer, type ForwardContext } from './layer';
import { checkOptionsObject, checkPadding, checkPositivePair } from './layer_options';

export interface Pool2dLayerOptions extends Pool2dOptions {
  kernel: number | readonly [number, number];
  name?: string;
}

/** Shared by both window poolings: options, and FLOPs of one compare or add per window tap. */
abstract class WindowPool extends Layer {
  constructor(readonly options: Pool2dLayerOptions) {
    checkOptionsObject('pool', options, '{ kernel: 2 }');
    super(options.name);
    const label = options.name ?? 'pool';
    checkPositivePair(label, 'kernel', options.kernel);
    if (options.stride !== undefined) checkPositivePair(label, 'stride', options.stride);
    checkPadding(label, options.padding);
  }
  override flops(_x: readonly Shape[], out: Shape): number {
    const [kh, kw] = pair(this.options.kernel);
    return sizeOf(out) * kh * kw;
  }
}

/** Max pooling (the gradient goes to the first maximum of each window). */
export class MaxPool2d extends WindowPool {
  readonly kind = 'maxpool2d';
  forward(_ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    return maxpool2d(x, this.options.kernel, this.options);
  }
}

/** Average pooling (padded positions count only with countIncludePad). */
export class AvgPool2d extends WindowPool {
  readonly kind = 'avgpool2d';
  forward(_ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    return avgpool2d(x, this.options.kernel, this.options);
  }
}

/** Mean over each channel's positions: [C, H, W] -> [C] (flattened for a dense head). */
export class GlobalAvgPool extends Layer {
  readonly kind = 'global_avg_pool';
  forward(_ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    return reshape(globalAvgPool(x), [x.shape[0], x.shape[1]]);
  }
  override flops([x]: readonly Shape[]): number {
    return sizeOf(x);
  }
}
