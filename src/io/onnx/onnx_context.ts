// What the op handlers (onnx_ops.ts) see while importOnnx walks a graph: the values so far,
// the weights collected, and each node's inputs and attributes. Internal to the importer.
import { formatShape } from '../../shape';
import type { Layer, SymbolicTensor } from '../../nn/layer';
import { UnsupportedAttribute, type AttributeValue, type OnnxNode } from './onnx_proto';
import type { ConstValue } from './onnx_values';

/** A max pool's geometry as its node gave it: what a MaxUnpool of its Indices must repeat. */
export interface PoolWindows {
  readonly node: string;
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly pads: readonly number[];
}

/**
 * A value of the graph: an activation of the network, a constant, an activation waiting
 * for a Pad to fold into its consumer, a MaxPool's Indices (this engine's per-plane
 * switches, which only a MaxUnpool reads: ONNX's are flat over N x C x H x W), or the Shape
 * of an activation (its batch unknown until run; MaxUnpool's output_shape reads it).
 */
export type OnnxValue =
  | { kind: 'act'; t: SymbolicTensor }
  | { kind: 'const'; c: ConstValue }
  | { kind: 'padded'; t: SymbolicTensor; pads: [number, number, number, number] }
  | { kind: 'switches'; t: SymbolicTensor; pool: PoolWindows }
  | { kind: 'shape'; t: SymbolicTensor };

/** What an op handler sees of its node. */
export class NodeContext {
  readonly node: OnnxNode;
  readonly importer: OnnxImporter;
  readonly attrs: Map<string, AttributeValue>;
  constructor(node: OnnxNode, importer: OnnxImporter, attrs: Map<string, AttributeValue>) {
    this.node = node;
    this.importer = importer;
    this.attrs = attrs;
  }

  get label(): string {
    return `${this.importer.file}: node '${this.node.name || this.node.output?.[0]}' (${this.node.opType})`;
  }

  fail(message: string): never {
    throw new Error(`${this.label}: ${message}`);
  }

  /** Whether input i is given (ONNX marks a skipped optional input with an empty name). */
  has(i: number): boolean {
    return !!this.node.input?.[i];
  }

  value(i: number): OnnxValue {
    const name = this.node.input?.[i];
    if (!name) this.fail(`input ${i} is missing`);
    const v = this.importer.values.get(name);
    if (!v) this.fail(`input '${name}' is not produced by any earlier node, initializer or graph input`);
    return v;
  }

  /** Input i as an activation (a Pad waiting to fold is refused unless `padded` takes it). */
  act(i = 0): SymbolicTensor {
    const v = this.value(i);
    if (v.kind === 'padded')
      this.fail(`input '${this.node.input![i]}' comes from a Pad with non-zero pads, which folds only into a following Conv or AveragePool`);
    if (v.kind === 'switches') this.fail(`input '${this.node.input![i]}' is the Indices output of MaxPool '${v.pool.node}', which only a MaxUnpool reads here`);
    if (v.kind === 'shape') this.fail(`input '${this.node.input![i]}' is a Shape, which only MaxUnpool's output_shape reads here`);
    if (v.kind !== 'act') this.fail(`input ${i} ('${this.node.input![i]}') must be an activation of the network, but it is a constant`);
    return v.t;
  }

  /** Input i as a constant (an initializer, a Constant node, or folded from them). */
  constant(i: number): ConstValue {
    const v = this.value(i);
    if (v.kind !== 'const')
      this.fail(
        `input ${i} ('${this.node.input![i]}') must be a constant (an initializer), but it is ${v.kind === 'shape' ? 'the Shape of an activation (whose batch is not known until it runs)' : "computed from the network's input"}`,
      );
    return v.c;
  }

  /** An attribute, which must be of the fallback's kind (a number, a string or a list of numbers). */
  attr<T extends AttributeValue>(name: string, fallback: T): T extends number ? number : T extends string ? string : T {
    if (!this.attrs.has(name)) return fallback as T extends number ? number : T extends string ? string : T;
    const value = this.attrs.get(name)!;
    if (kindOf(value) !== kindOf(fallback))
      this.fail(
        `attribute '${name}' must be ${kindOf(fallback)}, got ${kindOf(value)}${typeof value === 'object' && !Array.isArray(value) ? '' : ` ${JSON.stringify(value)}`}`,
      );
    return value as T extends number ? number : T extends string ? string : T;
  }

  /**
   * Applies a new layer to activations and records its weights by parameter name,
   * checking each against the shape the layer needs for these inputs.
   */
  layer(
    layer: Layer,
    inputs: SymbolicTensor[],
    weights: Record<string, { dims: readonly number[]; data: ArrayLike<number> }> = {},
    hint?: string,
  ): SymbolicTensor {
    layer.name = this.importer.uniqueName(hint ?? this.defaultName());
    let out: SymbolicTensor;
    try {
      out = layer.apply(...inputs);
    } catch (e) {
      this.fail(`input ${inputs.map((t) => formatShape(t.shape)).join(', ')} per example: ${(e as Error).message}`);
    }
    const specs = new Map(layer.params(inputs.map((t) => t.shape)).map((s) => [s.name, s]));
    for (const [param, w] of Object.entries(weights)) {
      const spec = specs.get(param);
      if (!spec) this.fail(`the layer has no parameter '${param}'`);
      if (formatShape(w.dims) !== formatShape(spec.shape))
        this.fail(
          `${param} has shape ${formatShape(w.dims)} but the layer needs ${formatShape(spec.shape)} for input ${inputs.map((t) => formatShape(t.shape)).join(', ')} per example`,
        );
      this.importer.weights.set(`${layer.name}.${param}`, Float32Array.from(w.data));
    }
    return out;
  }

  /** A layer's name: the prefix of its weight's initializer (`conv1.weight` -> `conv1`: PyTorch's module path), else the node's name. */
  private defaultName(): string {
    const w = this.node.input?.[1];
    if (w && this.importer.initializerNames.has(w) && w.endsWith('.weight')) return w.slice(0, -'.weight'.length);
    const name = (this.node.name ?? '').replace(/^\//, '');
    return name || `${(this.node.opType ?? 'node').toLowerCase()}`;
  }
}

/** What kind of value an attribute holds, for messages. */
function kindOf(v: AttributeValue): string {
  if (v instanceof UnsupportedAttribute) return `an attribute of unsupported type ${v.type}`;
  if (Array.isArray(v)) return 'a list of numbers';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'string') return 'a string';
  return 'a tensor';
}

export type OpHandler = (ctx: NodeContext) => OnnxValue[];

export class OnnxImporter {
  readonly values = new Map<string, OnnxValue>();
  readonly weights = new Map<string, Float32Array>();
  readonly initializerNames = new Set<string>();
  private readonly names = new Set<string>();
  opset = 0;
  /** How many nodes read each value (a MatMul fuses the Add after it only when that Add is its one reader). */
  readonly readers = new Map<string, OnnxNode[]>();
  /** Nodes an earlier node has taken into its layer (the bias Add after a MatMul). */
  readonly fused = new Set<OnnxNode>();

  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }

  uniqueName(base: string): string {
    let name = base;
    for (let k = 2; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }
}
