import { add } from '../ops/binary';
import { concat } from '../ops/concat';
import { dense } from '../ops/matmul';
import { flatten } from '../ops/reshape';
import { formatShape, sizeOf, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { activate, type Activation } from './activations';
import { Layer, type ForwardContext, type Init, type LayerWindow, type ParamSpec } from './layer';
import { checkActivation, checkOptionsObject, checkPositiveInt } from './layer_options';

export interface DenseLayerOptions {
  units: number;
  bias?: boolean;
  activation?: Activation;
  init?: Init;
  name?: string;
}

/** Fully connected: [N, in] x [in, units] + bias (the GEMM kernel). */
export class Dense extends Layer {
  readonly kind = 'dense';
  override window(): LayerWindow {
    return 'global';
  }
  readonly options: DenseLayerOptions;
  constructor(options: DenseLayerOptions) {
    checkOptionsObject('dense', options, '{ units: 10 }');
    super(options.name);
    this.options = options;
    const label = options.name ?? 'dense';
    checkPositiveInt(label, 'units', options.units);
    checkActivation(label, options.activation);
  }

  override params([x]: readonly Shape[]): ParamSpec[] {
    if (x.length !== 1) throw new Error(`${this.name || 'dense'}: input must be flat [features], got ${formatShape(x)} per example; add a Flatten layer first`);
    const specs: ParamSpec[] = [
      { name: 'weight', shape: [x[0], this.options.units], init: this.options.init ?? 'he', fans: [x[0], this.options.units], kind: 'weight' },
    ];
    if (this.options.bias ?? true) specs.push({ name: 'bias', shape: [this.options.units], init: 'zeros', kind: 'weight' });
    return specs;
  }

  forward(_ctx: ForwardContext, [x]: readonly Tensor[], p: Readonly<Record<string, Tensor>>): Tensor {
    // ReLU runs inside the GEMM kernel; other activations as their own op.
    const relu = this.options.activation === 'relu';
    return activate(dense(x, p.weight, p.bias, relu), relu ? undefined : this.options.activation);
  }

  override flops([x]: readonly Shape[]): number {
    return this.options.units * (2 * x[0] + ((this.options.bias ?? true) ? 1 : 0));
  }
}

/** [C, H, W] -> [C*H*W] (a reshape: no copy in a compiled graph). */
export class Flatten extends Layer {
  readonly kind = 'flatten';
  override window(): LayerWindow {
    return 'global';
  }
  override get storesOutput(): boolean {
    return false;
  }
  forward(_ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    return flatten(x);
  }
  override flops(): number {
    return 0;
  }
}

/** Element-wise sum of two or more same-shape inputs (residual connections). */
export class Add extends Layer {
  readonly kind = 'add';
  override get arity(): 'many' {
    return 'many';
  }
  forward(_ctx: ForwardContext, inputs: readonly Tensor[]): Tensor {
    return inputs.slice(1).reduce((acc, t) => add(acc, t), inputs[0]);
  }
  override flops(inputs: readonly Shape[], out: Shape): number {
    return sizeOf(out) * (inputs.length - 1);
  }
}

/** Concatenation along channels (Inception branches, DenseNet blocks). */
export class Concat extends Layer {
  readonly kind = 'concat';
  override get arity(): 'many' {
    return 'many';
  }
  forward(_ctx: ForwardContext, inputs: readonly Tensor[]): Tensor {
    return concat(inputs, 1);
  }
  override flops(): number {
    return 0;
  }
}
