import { avgpool2d, globalAvgPool, maxpool2d, type Pool2dOptions } from '../ops/pool2d';
import { pair, resolvePadding } from '../ops/conv2d';
import { reshape } from '../ops/reshape';
import { concat, slice } from '../ops/concat';
import { sizeOf, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { Layer, type ForwardContext, type LayerWindow } from './layer';
import { checkOptionsObject, checkPadding, checkPositivePair } from './layer_options';

export interface Pool2dLayerOptions extends Pool2dOptions {
  kernel: number | readonly [number, number];
  /**
   * Max pooling only: round the output size up, as PyTorch's ceil_mode (GoogLeNet's
   * pools). The windows that overhang the bottom and right edge see the in-bounds part.
   */
  ceilMode?: boolean;
  name?: string;
}

/**
 * The bottom or right padding that turns floor into ceil rounding of the output size,
 * with PyTorch's rule that the last window must start inside the input or its leading
 * padding.
 */
function ceilExtra(size: number, k: number, s: number, before: number, after: number): number {
  const span = size + before + after - k;
  let out = Math.ceil(span / s) + 1;
  if ((out - 1) * s >= size + before) out--;
  return Math.max(0, (out - 1) * s + k - (size + before + after));
}

/** Shared by the window poolings (and max pooling's switches): options, and FLOPs of one compare or add per window tap. */
export abstract class WindowPool extends Layer {
  readonly options: Pool2dLayerOptions;
  /** `kind` names the layer in option errors when it has no name. */
  constructor(options: Pool2dLayerOptions, kind = 'pool') {
    checkOptionsObject(kind, options, '{ kernel: 2 }');
    super(options.name);
    this.options = options;
    const label = options.name ?? kind;
    checkPositivePair(label, 'kernel', options.kernel);
    if (options.stride !== undefined) checkPositivePair(label, 'stride', options.stride);
    checkPadding(label, options.padding);
  }
  override flops(_x: readonly Shape[], out: Shape): number {
    const [kh, kw] = pair(this.options.kernel);
    return sizeOf(out) * kh * kw;
  }
  override window([x]: readonly Shape[]): LayerWindow {
    const kernel = pair(this.options.kernel);
    const stride = pair(this.options.stride ?? kernel);
    // Ceil mode only adds rows and columns at the bottom and right: the first window stays put.
    const [top, left] = resolvePadding(this.options.padding ?? 'valid', [x[1], x[2]], kernel, stride);
    return { kernel, stride, dilation: [1, 1], padding: [top, left] };
  }
}

/** Max pooling (the gradient goes to the first maximum of each window). */
export class MaxPool2d extends WindowPool {
  readonly kind = 'maxpool2d';
  forward(_ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    if (!this.options.ceilMode) return maxpool2d(x, this.options.kernel, this.options);
    const k = pair(this.options.kernel);
    const s = pair(this.options.stride ?? k);
    const [t, l, b, r] = resolvePadding(this.options.padding ?? 'valid', [x.shape[2], x.shape[3]], k, s);
    // Padded positions never win a max window, so extra bottom/right padding is ceil rounding.
    const padding = [t, l, b + ceilExtra(x.shape[2], k[0], s[0], t, b), r + ceilExtra(x.shape[3], k[1], s[1], l, r)] as const;
    return maxpool2d(x, k, { ...this.options, stride: s, padding });
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
  override window(): LayerWindow {
    return 'global';
  }
  forward(_ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    return reshape(globalAvgPool(x), [x.shape[0], x.shape[1]]);
  }
  override flops([x]: readonly Shape[]): number {
    return sizeOf(x);
  }
}

/**
 * Average pooling to a fixed output size, as torchvision's AdaptiveAvgPool2d (AlexNet's
 * 6x6, VGG's 7x7, GoogLeNet's auxiliary 4x4): the identity when the input already has
 * that size, one average pool when the sizes divide, else PyTorch's uneven windows
 * (output i averages rows floor(i*H/oh) to ceil((i+1)*H/oh)), one slice and pool each.
 */
export class AdaptiveAvgPool2d extends Layer {
  readonly kind = 'adaptive_avg_pool2d';
  readonly size: readonly [number, number];
  constructor(size: number | readonly [number, number], name?: string) {
    super(name);
    checkPositivePair(name ?? 'adaptive_avg_pool2d', 'size', size);
    this.size = pair(size);
  }
  forward(_ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    const [h, w] = [x.shape[2], x.shape[3]];
    const [oh, ow] = this.size;
    if (h === oh && w === ow) return x;
    if (h % oh === 0 && w % ow === 0) return avgpool2d(x, [h / oh, w / ow]);
    const window = (i: number, size: number, out: number) => [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)];
    const rows = [...Array(oh).keys()].map((i) => {
      const [h0, h1] = window(i, h, oh);
      const band = slice(x, 2, h0, h1 - h0);
      const cells = [...Array(ow).keys()].map((j) => {
        const [w0, w1] = window(j, w, ow);
        return avgpool2d(slice(band, 3, w0, w1 - w0), [h1 - h0, w1 - w0]);
      });
      return cells.length === 1 ? cells[0] : concat(cells, 3);
    });
    return rows.length === 1 ? rows[0] : concat(rows, 2);
  }
  /** PyTorch's windows: ceil(H / oh) rows at steps of about H / oh (floor here); one window is the whole input. */
  override window([x]: readonly Shape[]): LayerWindow {
    const [oh, ow] = this.size;
    if (oh === 1 && ow === 1) return 'global';
    return {
      kernel: [Math.ceil(x[1] / oh), Math.ceil(x[2] / ow)],
      stride: [Math.max(1, Math.floor(x[1] / oh)), Math.max(1, Math.floor(x[2] / ow))],
      dilation: [1, 1],
      padding: [0, 0],
    };
  }
  /** At its output size it passes the input through: no new activation. */
  override storesOutputFor([x]: readonly Shape[]): boolean {
    return x[1] !== this.size[0] || x[2] !== this.size[1];
  }
  override flops([x]: readonly Shape[]): number {
    return this.storesOutputFor([x]) ? sizeOf(x) : 0;
  }
}
