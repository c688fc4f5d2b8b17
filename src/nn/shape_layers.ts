// Layers that ONNX graphs need beyond the zoo's: a reshape to a per-example shape, and
// elementwise arithmetic between two activations or an activation and a constant
// (input normalisation, scaling, squeeze-and-excitation gates).
import { binaryOps, type BinaryOpName } from '../ops/binary';
import { runOp } from '../ops/op';
import { reshape } from '../ops/reshape';
import { formatShape, sizeOf, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { Layer, type ForwardContext, type LayerWindow, type ParamSpec } from './layer';

/** Reshapes each example to `shape` (the batch axis stays): no copy in a compiled graph. */
export class Reshape extends Layer {
  readonly kind = 'reshape';
  /** A reshape may move any value anywhere: what follows sees the whole input. */
  override window(): LayerWindow {
    return 'global';
  }
  readonly shape: Shape;
  constructor(shape: Shape, name?: string) {
    super(name);
    this.shape = shape;
    if (shape.some((d) => !Number.isInteger(d) || d <= 0))
      throw new Error(`${name ?? 'reshape'}: the target shape must be positive integers, got ${formatShape(shape)}`);
  }
  override get storesOutput(): boolean {
    return false;
  }
  forward(_ctx: ForwardContext, [x]: readonly Tensor[]): Tensor {
    const per = sizeOf(x.shape.slice(1));
    if (per !== sizeOf(this.shape))
      throw new Error(`${this.name}: cannot reshape ${formatShape(x.shape.slice(1))} (${per} values) per example to ${formatShape(this.shape)}`);
    return reshape(x, [x.shape[0], ...this.shape]);
  }
  override flops(): number {
    return 0;
  }
}

export type ElementwiseOp = Extract<BinaryOpName, 'add' | 'sub' | 'mul' | 'div'>;

export interface ElementwiseOptions {
  op: ElementwiseOp;
  /** A constant operand of this shape (NumPy broadcasting against [batch, ...]), kept as state: saved, never trained. */
  constant?: Shape;
  /** The constant is the left operand (`c - x`, `c / x`). */
  constantFirst?: boolean;
  name?: string;
}

/** a op b with NumPy broadcasting, between two activations or an activation and a constant. */
export class Elementwise extends Layer {
  readonly kind: string;
  readonly options: ElementwiseOptions;
  constructor(options: ElementwiseOptions) {
    super(options.name);
    this.options = options;
    if (!['add', 'sub', 'mul', 'div'].includes(options.op))
      throw new Error(`${options.name ?? 'elementwise'}: op must be add, sub, mul or div, got ${String(options.op)}`);
    this.kind = options.op;
  }
  override get arity(): number {
    return this.options.constant ? 1 : 2;
  }
  override params(): ParamSpec[] {
    return this.options.constant ? [{ name: 'constant', shape: this.options.constant, init: 'zeros', kind: 'state' }] : [];
  }
  forward(_ctx: ForwardContext, inputs: readonly Tensor[], p: Readonly<Record<string, Tensor>>): Tensor {
    const [a, b] = !this.options.constant ? inputs : this.options.constantFirst ? [p.constant, inputs[0]] : [inputs[0], p.constant];
    return runOp(binaryOps[this.options.op], [a, b], {});
  }
}
