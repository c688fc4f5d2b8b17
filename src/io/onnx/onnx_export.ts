// Model -> .onnx (opset 13), the inference form: batch norm as BatchNormalization with
// its running statistics, dropout removed, fused activations as nodes of their own.
// Initializers carry the parameter names (`layer1.0.conv1.weight`), so the file reads as
// PyTorch's export of the same module would.
import { ActivationLayer } from '../../nn/activations';
import { Conv2d, DepthwiseConv2d } from '../../nn/conv_layers';
import { Add, Concat, Dense, Flatten } from '../../nn/dense_layers';
import type { Layer } from '../../nn/layer';
import type { Model } from '../../nn/model';
import { BatchNorm, Dropout, Lrn } from '../../nn/norm_layers';
import { AdaptiveAvgPool2d, AvgPool2d, GlobalAvgPool, MaxPool2d } from '../../nn/pool_layers';
import { Elementwise, Reshape } from '../../nn/shape_layers';
import { pair, resolvePadding, type Padding } from '../../ops/conv2d';
import { formatShape, type Shape } from '../../shape';
import { onnx, type OnnxTypes } from './onnx_proto';

export interface ExportOnnxOptions {
  /** The graph's name (default the model's). */
  name?: string;
}

export const ONNX_EXPORT_OPSET = 13;

/** An attribute's value: an int, ints, a string, or a float (`{ f }`: ONNX types floats apart from ints, so a float of 1 stays a float). */
type Attr = number | number[] | string | { f: number };

/** The nodes and initializers of the graph being written. */
class GraphWriter {
  readonly nodes: OnnxTypes.INodeProto[] = [];
  readonly initializers: OnnxTypes.ITensorProto[] = [];
  private count = 0;

  node(op: string, inputs: string[], name: string, attrs: Record<string, Attr> = {}): string {
    const output = `${name}:${op}${this.count++}`;
    this.nodes.push({ opType: op, input: inputs, output: [output], name: `${name}/${op}`, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return output;
  }

  initializer(name: string, dims: readonly number[], data: Float32Array): string {
    this.initializers.push({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) });
    return name;
  }

  ints(name: string, values: number[]): string {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: raw });
    return name;
  }
}

function attribute(name: string, v: Attr): OnnxTypes.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if (typeof v === 'object') return { name, type: A.FLOAT, f: v.f };
  return { name, type: A.INT, i: v };
}

function windowAttrs(kernel: number | readonly [number, number], stride: number | readonly [number, number] | undefined, padding: Padding | undefined, input: Shape, dilation?: number | readonly [number, number]) {
  const k = pair(kernel);
  const s = pair(stride ?? 1);
  const d = pair(dilation ?? 1);
  return { kernel_shape: [...k], strides: [...s], pads: resolvePadding(padding ?? 'valid', [input[1], input[2]], k, s, d), dilations: [...d] };
}

/**
 * The model as ONNX bytes (opset 13) that ONNX Runtime runs with this engine's outputs:
 * input `input` [batch, ...] and output `output`, the batch axis dynamic.
 */
export async function exportOnnx(model: Model, options: ExportOnnxOptions = {}): Promise<Uint8Array> {
  const g = new GraphWriter();
  const values = await Promise.all(model.params().map(async (p) => [p.name, await p.tensor.read()] as const));
  const weight = new Map(values);
  const param = (layer: Layer, name: string) => {
    const full = `${layer.name}.${name}`;
    const data = weight.get(full);
    if (!data) throw new Error(`exportOnnx: ${model.name} has no parameter ${full}`);
    return g.initializer(full, model.params().find((p) => p.name === full)!.spec.shape, data);
  };
  const names = new Map<number, string>([[model.input.id, 'input']]);
  const live = liveNodes(model);
  for (const { layer, inputs, output } of model.nodes) {
    if (!live.has(output.id)) continue;
    const ins = inputs.map((i) => names.get(i.id)!);
    const x = inputs[0]?.shape;
    const n = layer.name;
    let out: string;
    let activation: string | undefined;
    let alpha: number | undefined;
    if (layer instanceof Conv2d || layer instanceof DepthwiseConv2d) {
      const o = layer.options;
      const group = layer instanceof Conv2d ? (o as Conv2d['options']).groups ?? 1 : x[0];
      const args = [ins[0], param(layer, 'weight'), ...((o.bias ?? true) ? [param(layer, 'bias')] : [])];
      out = g.node('Conv', args, n, { ...windowAttrs(o.kernel, o.stride, o.padding, x, o.dilation), group });
      activation = o.activation;
    } else if (layer instanceof Dense) {
      const args = [ins[0], param(layer, 'weight'), ...((layer.options.bias ?? true) ? [param(layer, 'bias')] : [])];
      out = g.node('Gemm', args, n);
      activation = layer.options.activation;
    } else if (layer instanceof BatchNorm) {
      const stats = ['gamma', 'beta', 'running_mean', 'running_var'].map((p) => param(layer, p));
      out = g.node('BatchNormalization', [ins[0], ...stats], n, { epsilon: { f: layer.options.eps ?? 1e-5 }, momentum: { f: 1 - (layer.options.momentum ?? 0.1) } });
    } else if (layer instanceof MaxPool2d || layer instanceof AvgPool2d) {
      const o = layer.options;
      const attrs: Record<string, Attr> = windowAttrs(o.kernel, o.stride ?? o.kernel, o.padding, x);
      delete attrs.dilations;
      if (layer instanceof MaxPool2d) attrs.ceil_mode = o.ceilMode ? 1 : 0;
      else attrs.count_include_pad = o.countIncludePad ? 1 : 0;
      out = g.node(layer instanceof MaxPool2d ? 'MaxPool' : 'AveragePool', [ins[0]], n, attrs);
    } else if (layer instanceof GlobalAvgPool) {
      out = g.node('Flatten', [g.node('GlobalAveragePool', [ins[0]], n)], n, { axis: 1 });
    } else if (layer instanceof AdaptiveAvgPool2d) {
      const [oh, ow] = layer.size;
      if (x[1] === oh && x[2] === ow) out = ins[0];
      else if (x[1] % oh === 0 && x[2] % ow === 0) out = g.node('AveragePool', [ins[0]], n, { kernel_shape: [x[1] / oh, x[2] / ow], strides: [x[1] / oh, x[2] / ow] });
      else throw new Error(`exportOnnx: ${n} (adaptive average pool) maps ${formatShape(x)} to ${oh}x${ow} with uneven windows, which ONNX's AveragePool cannot express`);
    } else if (layer instanceof Flatten) {
      out = g.node('Flatten', [ins[0]], n, { axis: 1 });
    } else if (layer instanceof Reshape) {
      out = g.node('Reshape', [ins[0], g.ints(`${n}.shape`, [-1, ...layer.shape])], n);
    } else if (layer instanceof Add) {
      out = g.node(ins.length === 2 ? 'Add' : 'Sum', ins, n);
    } else if (layer instanceof Elementwise) {
      const op = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div' }[layer.options.op];
      const args = layer.options.constant ? (layer.options.constantFirst ? [param(layer, 'constant'), ins[0]] : [ins[0], param(layer, 'constant')]) : ins;
      out = g.node(op, args, n);
    } else if (layer instanceof Concat) {
      out = g.node('Concat', ins, n, { axis: 1 });
    } else if (layer instanceof Dropout) {
      out = ins[0];
    } else if (layer instanceof Lrn) {
      const o = layer.options;
      out = g.node('LRN', [ins[0]], n, { size: o.size ?? 5, alpha: { f: o.alpha ?? 1e-4 }, beta: { f: o.beta ?? 0.75 }, bias: { f: o.k ?? 2 } });
    } else if (layer instanceof ActivationLayer) {
      out = ins[0];
      activation = layer.activation;
      alpha = layer.alpha;
    } else if (layer.kind === 'aux_heads') {
      out = ins[0]; // GoogLeNet's auxiliary heads: the main logits pass through.
    } else {
      throw new Error(`exportOnnx: layer '${n}' (${layer.kind}) has no ONNX form here`);
    }
    names.set(output.id, activation && activation !== 'linear' ? activationNode(g, out, n, activation, alpha) : out);
  }
  let final = names.get(model.output.id)!;
  if (final === 'input') final = g.node('Identity', ['input'], 'output');
  // The graph's output gets the plain name `output`.
  const rename = (v: string) => (v === final ? 'output' : v);
  const valueInfo = (name: string, shape: Shape): OnnxTypes.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, ...shape.map((d) => ({ dimValue: d }))] } } },
  });
  const graph: OnnxTypes.IGraphProto = {
    name: options.name ?? model.name,
    node: g.nodes.map((nd) => ({ ...nd, input: (nd.input ?? []).map(rename), output: (nd.output ?? []).map(rename) })),
    initializer: g.initializers,
    input: [valueInfo('input', model.input.shape)],
    output: [valueInfo('output', model.output.shape)],
  };
  const proto = onnx.ModelProto.create({ irVersion: 7, producerName: 'webgpu-cnn-engine', opsetImport: [{ domain: '', version: ONNX_EXPORT_OPSET }], graph });
  return onnx.ModelProto.encode(proto).finish();
}

/**
 * The nodes inference computes: those the output depends on. GoogLeNet's auxiliary heads
 * feed the output only to keep their weights in the training graph (the aux_heads layer
 * passes its first input through), so they are left out of the inference file.
 */
function liveNodes(model: Model): Set<number> {
  const byOutput = new Map(model.nodes.map((n) => [n.output.id, n]));
  const live = new Set<number>();
  const visit = (id: number) => {
    const node = byOutput.get(id);
    if (!node || live.has(id)) return;
    live.add(id);
    const inputs = node.layer.kind === 'aux_heads' ? node.inputs.slice(0, 1) : node.inputs;
    for (const i of inputs) visit(i.id);
  };
  visit(model.output.id);
  return live;
}

function activationNode(g: GraphWriter, x: string, name: string, activation: string, alpha?: number): string {
  switch (activation) {
    case 'relu': return g.node('Relu', [x], name);
    case 'sigmoid': return g.node('Sigmoid', [x], name);
    case 'tanh': return g.node('Tanh', [x], name);
    case 'softmax': return g.node('Softmax', [x], name, { axis: -1 });
    case 'relu6': return g.node('Clip', [x, g.initializer(`${name}.clip_min`, [], Float32Array.of(0)), g.initializer(`${name}.clip_max`, [], Float32Array.of(6))], name);
    case 'leaky_relu':
    case 'elu':
      return g.node(activation === 'elu' ? 'Elu' : 'LeakyRelu', [x], name, { alpha: { f: alpha ?? (activation === 'elu' ? 1 : 0.01) } });
    default: throw new Error(`exportOnnx: ${name}: activation '${activation}' has no ONNX form here`);
  }
}
