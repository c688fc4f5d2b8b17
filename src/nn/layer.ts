import { TraceBackend } from '../graph/trace';
import { formatShape, type Shape } from '../shape';
import type { Tensor } from '../tensor';

/** How a parameter's first values are drawn (see init.ts). */
export type Init = 'he' | 'glorot' | 'small' | 'zeros' | 'ones';

/** A tensor a layer owns. Running statistics are state: saved, never trained. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: Shape;
  readonly init: Init;
  /** Fan-in and fan-out for He/Glorot. */
  readonly fans?: readonly [number, number];
  readonly kind: 'weight' | 'state';
}

/**
 * What a forward pass runs under. `use` maps a layer's real tensor to the one the
 * pass computes with: itself when running eagerly, its traced stand-in when a graph
 * is being built, so one forward method serves both.
 */
export interface ForwardContext {
  readonly training: boolean;
  use(t: Tensor): Tensor;
  /** False turns dropout off in a training pass (gradient checks against another engine). Default true. */
  readonly dropout?: boolean;
  /** A step counter [1] (dropout masks change every step of a compiled graph). */
  readonly step?: Tensor;
}

/** A symbolic value in the functional builder: a per-example shape and who produces it. */
export class SymbolicTensor {
  /** Shape of one example (no batch axis). */
  readonly shape: Shape;
  readonly producer: Layer | null;
  readonly inputs: readonly SymbolicTensor[];
  readonly id: number;
  constructor(shape: Shape, producer: Layer | null, inputs: readonly SymbolicTensor[], id: number) {
    this.shape = shape;
    this.producer = producer;
    this.inputs = inputs;
    this.id = id;
  }
}

let symbolicIds = 0;

/** A model input: the shape of one example, e.g. [1, 28, 28]. */
export function input(shape: Shape): SymbolicTensor {
  if (shape.some((d) => !Number.isInteger(d) || d <= 0)) throw new Error(`input: shape must be positive integers, got ${formatShape(shape)}`);
  return new SymbolicTensor([...shape], null, [], symbolicIds++);
}

/** A sliding window's kernel, stride and dilation ([rows, columns] each), or how else a layer sees its input. */
export type LayerWindow =
  | 'pointwise'
  | 'global'
  | {
      kernel: readonly [number, number];
      stride: readonly [number, number];
      dilation: readonly [number, number];
      /** Rows and columns of padding before the first window (top, left): where output 0's window starts. */
      padding: readonly [number, number];
    }
  | {
      /** Output positions per input position ([rows, columns]): a transposed convolution's stride, an upsampling's scale. */
      upsample: readonly [number, number];
      /** Input positions one output position reads at most, per axis. */
      reach: readonly [number, number];
    };

/**
 * A layer: its parameters (given the shapes of its inputs), its forward computation
 * written with eager ops, and its forward FLOPs per example. Output shapes are not
 * written twice: `apply` traces `forward` on a batch of one and reads the shape.
 */
export abstract class Layer {
  abstract readonly kind: string;
  /** Unique within a model; set by the model when not given. */
  name: string;
  /** A frozen layer gets no gradient and no update (batch norm then uses its running statistics). */
  frozen = false;
  /**
   * Multiplies the optimizer's learning rate for this layer's weights (Model.scaleLearningRate):
   * the transfer-learning decks' "a tenth of the rate for the body". Part of the compiled step.
   */
  lrScale = 1;

  constructor(name?: string) {
    this.name = name ?? '';
  }

  /**
   * How the layer looks at its input in space, for receptive fields (summary()):
   * 'pointwise' (each output position sees the same position of its inputs: activations,
   * batch norm, adds, concats), 'global' (every output sees the whole input: dense,
   * flatten, global pooling), or a sliding window.
   */
  window(_inputs: readonly Shape[]): LayerWindow {
    return 'pointwise';
  }

  /** Parameters for inputs of these per-example shapes. */
  params(_inputs: readonly Shape[]): ParamSpec[] {
    return [];
  }

  abstract forward(ctx: ForwardContext, inputs: readonly Tensor[], params: Readonly<Record<string, Tensor>>): Tensor;

  /** Forward floating-point operations per example (a multiply-add counts 2). */
  flops(_inputs: readonly Shape[], output: Shape): number {
    return output.reduce((a, b) => a * b, 1);
  }

  /** False for layers whose output is a view of their input (Flatten): no new activation memory. */
  get storesOutput(): boolean {
    return true;
  }

  /**
   * Whether inference's forward pass holds a new output for inputs of these shapes
   * (summary's activation count): `storesOutput`, unless the layer passes its input
   * through at these shapes.
   */
  storesOutputFor(_inputs: readonly Shape[], _output: Shape): boolean {
    return this.storesOutput;
  }

  /** How many inputs the layer takes (Add and Concat take several). */
  get arity(): number | 'many' {
    return 1;
  }

  /** Connects the layer to symbolic inputs and infers its output shape. */
  apply(...inputs: SymbolicTensor[]): SymbolicTensor {
    const label = this.name || this.kind;
    if (this.arity !== 'many' && inputs.length !== this.arity) throw new Error(`${label}: takes ${this.arity} input(s), got ${inputs.length}`);
    if (this.arity === 'many' && inputs.length < 2) throw new Error(`${label}: takes two or more inputs, got ${inputs.length}`);
    return new SymbolicTensor(this.outputShape(inputs.map((i) => i.shape)), this, inputs, symbolicIds++);
  }

  /** Per-example output shape, by tracing the forward pass on a batch of one. */
  outputShape(inputs: readonly Shape[]): Shape {
    const trace = new TraceBackend();
    const xs = inputs.map((s, i) => trace.input(`x${i}`, [1, ...s]));
    const ctx: ForwardContext = { training: false, use: (t) => t };
    try {
      const params = Object.fromEntries(this.params(inputs).map((p) => [p.name, trace.input(`p.${p.name}`, p.shape)]));
      return this.forward(ctx, xs, params).shape.slice(1);
    } catch (e) {
      throw new Error(`${this.name || this.kind} (input ${inputs.map(formatShape).join(', ')}): ${(e as Error).message}`);
    }
  }
}
