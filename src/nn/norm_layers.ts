import { batchNorm } from '../ops/batch_norm';
import { dropout } from '../ops/dropout';
import { lrn, type LrnOptions } from '../ops/lrn';
import { assign } from '../ops/optimizer';
import { sizeOf, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { Layer, type ForwardContext, type ParamSpec } from './layer';
import { checkPositive, checkPositiveInt, checkRange } from './layer_options';

export interface BatchNormLayerOptions {
  momentum?: number;
  eps?: number;
  name?: string;
}

/**
 * Batch normalisation over channels. Training mode normalises with the batch's
 * statistics and writes the blended running statistics back in place; inference
 * mode (and a frozen layer) uses the running statistics.
 */
export class BatchNorm extends Layer {
  readonly kind = 'batch_norm';
  readonly options: BatchNormLayerOptions;
  constructor(options: BatchNormLayerOptions = {}) {
    super(options.name);
    this.options = options;
    checkRange(options.name ?? 'batch_norm', 'momentum', options.momentum, 0, 1);
    checkPositive(options.name ?? 'batch_norm', 'eps', options.eps);
  }

  override params([x]: readonly Shape[]): ParamSpec[] {
    const c = [x[0]];
    return [
      { name: 'gamma', shape: c, init: 'ones', kind: 'weight' },
      { name: 'beta', shape: c, init: 'zeros', kind: 'weight' },
      { name: 'running_mean', shape: c, init: 'zeros', kind: 'state' },
      { name: 'running_var', shape: c, init: 'ones', kind: 'state' },
    ];
  }

  forward(ctx: ForwardContext, [x]: readonly Tensor[], p: Readonly<Record<string, Tensor>>): Tensor {
    const training = ctx.training && !this.frozen;
    const state = { gamma: p.gamma, beta: p.beta, runningMean: p.running_mean, runningVar: p.running_var };
    const out = batchNorm(x, state, { training, momentum: this.options.momentum, eps: this.options.eps });
    if (training) {
      assign(p.running_mean, out.runningMean);
      assign(p.running_var, out.runningVar);
    }
    return out.y;
  }

  override flops(_x: readonly Shape[], out: Shape): number {
    return sizeOf(out) * 4;
  }
}

export interface DropoutLayerOptions {
  rate: number;
  /** Mixed with the step counter so each step draws a new mask (default: from the layer's position). */
  seed?: number;
  name?: string;
}

/** Inverted dropout while training; the identity in inference. */
export class Dropout extends Layer {
  readonly kind = 'dropout';
  /** Set by the model from its seed when not given. */
  seed: number;
  readonly options: DropoutLayerOptions;
  constructor(options: DropoutLayerOptions) {
    super(options.name);
    this.options = options;
    if (!(options.rate >= 0 && options.rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${options.rate}`);
    this.seed = options.seed ?? 0;
  }

  forward(ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    return dropout(x, this.options.rate, { training: ctx.training && ctx.dropout !== false, seed: this.seed, step: ctx.step });
  }

  /** In inference (summary's count) dropout passes its input through. */
  override storesOutputFor(): boolean {
    return false;
  }
}

/** Local response normalisation across channels (AlexNet). */
export class Lrn extends Layer {
  readonly kind = 'lrn';
  readonly options: LrnOptions & { name?: string };
  constructor(options: LrnOptions & { name?: string } = {}) {
    super(options.name);
    this.options = options;
    const label = options.name ?? 'lrn';
    if (options.size !== undefined) checkPositiveInt(label, 'size', options.size);
    for (const k of ['alpha', 'beta', 'k'] as const) {
      const v = options[k];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v))) throw new Error(`${label}: ${k} must be a finite number, got ${String(v)}`);
    }
  }
  forward(_ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    return lrn(x, this.options);
  }
  override flops(_x: readonly Shape[], out: Shape): number {
    return sizeOf(out) * (2 * (this.options.size ?? 5) + 4);
  }
}
