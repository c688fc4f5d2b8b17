// ONNX file -> Model: walks the graph in order, turning each node into a layer of this
// engine (onnx_ops.ts) and each initializer into that layer's weights. Activations are
// SymbolicTensors (per-example shapes); constants stay values and fold where a node
// computes from constants only.
import { formatShape, type Shape } from '../../shape';
import { input as symbolicInput, type Layer, type SymbolicTensor } from '../../nn/layer';
import { attributes, decodeModel, int, tensorValues, type OnnxTypes as onnx, type AttributeValue, type ConstValue, type ExternalData, type OnnxNode } from './onnx_proto';
import { ImportedModel } from './onnx_model';
import { ONNX_OPS } from './onnx_ops';

export interface ImportOnnxOptions {
  /** The file's name, for errors (default 'model.onnx'). */
  file?: string;
  /** External tensor data: each `location` a tensor names, to its bytes. */
  externalData?: ExternalData;
  /** The model's name (default the graph's). */
  name?: string;
}

/** The opsets whose operator forms the importer knows (attributes that later became inputs are read either way). */
export const ONNX_OPSETS = [7, 18] as const;

/** A value of the graph: an activation of the network, a constant, or an activation waiting for a Pad to fold into its consumer. */
export type OnnxValue =
  | { kind: 'act'; t: SymbolicTensor }
  | { kind: 'const'; c: ConstValue }
  | { kind: 'padded'; t: SymbolicTensor; pads: [number, number, number, number] };

/** What an op handler sees of its node. */
export class NodeContext {
  readonly node: OnnxNode;
  readonly importer: OnnxImporter;
  readonly attrs: Map<string, AttributeValue>;
  constructor(
    node: OnnxNode,
    importer: OnnxImporter,
    attrs: Map<string, AttributeValue>,
  ) {
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
    if (v.kind === 'padded') this.fail(`input '${this.node.input![i]}' comes from a Pad with non-zero pads, which folds only into a following Conv or AveragePool`);
    if (v.kind !== 'act') this.fail(`input ${i} ('${this.node.input![i]}') must be an activation of the network, but it is a constant`);
    return v.t;
  }

  /** Input i as a constant (an initializer, a Constant node, or folded from them). */
  constant(i: number): ConstValue {
    const v = this.value(i);
    if (v.kind !== 'const') this.fail(`input ${i} ('${this.node.input![i]}') must be a constant (an initializer), but it is computed from the network's input`);
    return v.c;
  }

  attr<T extends AttributeValue>(name: string, fallback: T): T extends number ? number : T extends string ? string : T {
    return (this.attrs.has(name) ? this.attrs.get(name) : fallback) as T extends number ? number : T extends string ? string : T;
  }

  /**
   * Applies a new layer to activations and records its weights by parameter name,
   * checking each against the shape the layer needs for these inputs.
   */
  layer(layer: Layer, inputs: SymbolicTensor[], weights: Record<string, { dims: readonly number[]; data: ArrayLike<number> }> = {}, hint?: string): SymbolicTensor {
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
      if (formatShape(w.dims) !== formatShape(spec.shape)) this.fail(`${param} has shape ${formatShape(w.dims)} but the layer needs ${formatShape(spec.shape)} for input ${inputs.map((t) => formatShape(t.shape)).join(', ')} per example`);
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

/**
 * Reads a .onnx file (opsets 7 to 18) into a Model of this engine: its layers from the
 * graph's nodes, its weights from the initializers, taken by `build(backend)`. The model
 * runs, trains (fine-tuning an imported network) and saves like any other. An
 * unsupported op fails naming the op, the node and the supported ones; a weight of the
 * wrong shape names the node and both shapes. Nothing is built until `build`.
 */
export function importOnnx(bytes: Uint8Array, options: ImportOnnxOptions = {}): ImportedModel {
  const file = options.file ?? 'model.onnx';
  const proto = decodeModel(bytes, file);
  const graph = proto.graph!;
  const importer = new OnnxImporter(file);
  const opset = (proto.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  importer.opset = opset ? int(opset.version) : 0;
  if (importer.opset < ONNX_OPSETS[0] || importer.opset > ONNX_OPSETS[1]) throw new Error(`${file}: opset ${importer.opset} of the default domain; supported: ${ONNX_OPSETS[0]} to ${ONNX_OPSETS[1]}`);
  for (const t of graph.initializer ?? []) {
    importer.values.set(t.name!, { kind: 'const', c: tensorValues(t, file, options.externalData) });
    importer.initializerNames.add(t.name!);
  }
  const inputs = (graph.input ?? []).filter((i) => !importer.initializerNames.has(i.name!));
  if (inputs.length !== 1) throw new Error(`${file}: the graph has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); a model of this engine takes one`);
  const x = symbolicInput(inputShape(inputs[0], file));
  importer.values.set(inputs[0].name!, { kind: 'act', t: x });
  for (const node of graph.node ?? []) for (const name of node.input ?? []) importer.readers.set(name, [...(importer.readers.get(name) ?? []), node]);
  for (const node of graph.node ?? []) {
    if (importer.fused.has(node)) continue;
    if (node.domain && node.domain !== 'ai.onnx') throw new Error(`${file}: node '${node.name}' (${node.opType}) is in domain '${node.domain}'; only the default ONNX domain is supported`);
    const handler = ONNX_OPS[node.opType ?? ''];
    if (!handler) throw new Error(`${file}: node '${node.name}' uses op ${node.opType}, which is not supported; supported: ${Object.keys(ONNX_OPS).sort().join(', ')}`);
    const outputs = handler(new NodeContext(node, importer, attributes(node)));
    outputs.forEach((v, i) => importer.values.set(node.output![i], v));
  }
  const outputs = graph.output ?? [];
  if (outputs.length !== 1) throw new Error(`${file}: the graph has ${outputs.length} outputs; a model of this engine has one`);
  const out = importer.values.get(outputs[0].name!);
  if (!out || out.kind !== 'act') throw new Error(`${file}: the output '${outputs[0].name}' is not computed from the input`);
  return new ImportedModel(x, out.t, options.name ?? (graph.name || 'onnx_model'), importer.weights);
}

/** The per-example shape of the graph input: its dims after the batch axis, which must be known. */
function inputShape(value: onnx.IValueInfoProto, file: string): Shape {
  const dims = value.type?.tensorType?.shape?.dim ?? [];
  const shape = dims.slice(1).map((d) => int(d.dimValue));
  if (dims.length < 2 || shape.some((d) => !(d > 0))) {
    const described = dims.map((d) => (d.dimParam ? d.dimParam : String(int(d.dimValue)))).join(', ');
    throw new Error(`${file}: input '${value.name}' has shape [${described}]; the dims after the batch axis must be fixed numbers`);
  }
  return shape;
}
