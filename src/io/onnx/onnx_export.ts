// Model -> .onnx (opset 13), the inference form: batch norm as BatchNormalization with
// its running statistics, dropout removed, fused activations as nodes of their own.
// Going back up: ConvTranspose2d as ConvTranspose, Upsample as Resize, and max pooling's
// switches as MaxPool's Indices output read by MaxUnpool (ONNX's flat N x C x H x W
// indices never leave ONNX Runtime there, so no conversion is written).
// Initializers carry the parameter names (`layer1.0.conv1.weight`), so the file reads as
// PyTorch's export of the same module would.
import { ActivationLayer } from '../../nn/activations';
import { Conv2d, DepthwiseConv2d } from '../../nn/conv_layers';
import { Add, Concat, Dense, Flatten } from '../../nn/dense_layers';
import type { Layer, SymbolicTensor } from '../../nn/layer';
import type { Model } from '../../nn/model';
import { BatchNorm, Dropout, Lrn } from '../../nn/norm_layers';
import { AdaptiveAvgPool2d, AvgPool2d, GlobalAvgPool, MaxPool2d } from '../../nn/pool_layers';
import { Elementwise, Reshape } from '../../nn/shape_layers';
import { ConvTranspose2d, MaxPoolSwitches, MaxUnpool2d, Upsample, type UpsampleLayerOptions } from '../../nn/upsampling_layers';
import { pair, resolvePadding, type Padding } from '../../ops/conv2d';
import { upsample2dAttrs } from '../../ops/upsample2d';
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
    return this.nodeOutputs(op, inputs, name, attrs, 1)[0];
  }

  /** A node of several outputs (MaxPool's values and Indices). */
  nodeOutputs(op: string, inputs: string[], name: string, attrs: Record<string, Attr>, count: number): string[] {
    const first = `${name}:${op}${this.count++}`;
    const outputs = Array.from({ length: count }, (_, i) => (i === 0 ? first : `${first}:${i}`));
    this.nodes.push({ opType: op, input: inputs, output: outputs, name: `${name}/${op}`, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return outputs;
  }

  initializer(name: string, dims: readonly number[], data: Float32Array): string {
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
    });
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

function windowAttrs(
  kernel: number | readonly [number, number],
  stride: number | readonly [number, number] | undefined,
  padding: Padding | undefined,
  input: Shape,
  dilation?: number | readonly [number, number],
) {
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
      const group = layer instanceof Conv2d ? ((o as Conv2d['options']).groups ?? 1) : x[0];
      const args = [ins[0], param(layer, 'weight'), ...((o.bias ?? true) ? [param(layer, 'bias')] : [])];
      out = g.node('Conv', args, n, { ...windowAttrs(o.kernel, o.stride, o.padding, x, o.dilation), group });
      activation = o.activation;
    } else if (layer instanceof Dense) {
      const args = [ins[0], param(layer, 'weight'), ...((layer.options.bias ?? true) ? [param(layer, 'bias')] : [])];
      out = g.node('Gemm', args, n);
      activation = layer.options.activation;
    } else if (layer instanceof BatchNorm) {
      const stats = ['gamma', 'beta', 'running_mean', 'running_var'].map((p) => param(layer, p));
      out = g.node('BatchNormalization', [ins[0], ...stats], n, {
        epsilon: { f: layer.options.eps ?? 1e-5 },
        momentum: { f: 1 - (layer.options.momentum ?? 0.1) },
      });
    } else if (layer instanceof ConvTranspose2d) {
      const o = layer.options;
      const [ph, pw] = pair(o.padding ?? 0);
      const args = [ins[0], param(layer, 'weight'), ...((o.bias ?? true) ? [param(layer, 'bias')] : [])];
      out = g.node('ConvTranspose', args, n, {
        kernel_shape: [...pair(o.kernel)],
        strides: [...pair(o.stride ?? 1)],
        pads: [ph, pw, ph, pw],
        dilations: [...pair(o.dilation ?? 1)],
        output_padding: [...pair(o.outputPadding ?? 0)],
        group: o.groups ?? 1,
      });
      activation = o.activation;
    } else if (layer instanceof Upsample) {
      out = resizeNode(g, ins[0], n, layer.options, x);
    } else if (layer instanceof MaxPoolSwitches) {
      // The values output is left unread: the model's MaxPool2d on the same input is its own node.
      out = g.nodeOutputs('MaxPool', [ins[0]], n, poolAttrs(layer.options, x), 2)[1];
    } else if (layer instanceof MaxUnpool2d) {
      out = g.node('MaxUnpool', unpoolInputs(g, layer, inputs, output.shape, names), n, poolAttrs(layer.options, switchesInput(layer, inputs).shape));
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
      else if (x[1] % oh === 0 && x[2] % ow === 0)
        out = g.node('AveragePool', [ins[0]], n, { kernel_shape: [x[1] / oh, x[2] / ow], strides: [x[1] / oh, x[2] / ow] });
      else
        throw new Error(
          `exportOnnx: ${n} (adaptive average pool) maps ${formatShape(x)} to ${oh}x${ow} with uneven windows, which ONNX's AveragePool cannot express`,
        );
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

/** MaxPool's (and MaxUnpool's) kernel_shape, strides and pads, padding resolved against the pool's input. */
function poolAttrs(
  o: { kernel: number | readonly [number, number]; stride?: number | readonly [number, number]; padding?: Padding },
  input: Shape,
): Record<string, Attr> {
  const { kernel_shape, strides, pads } = windowAttrs(o.kernel, o.stride ?? o.kernel, o.padding, input);
  return { kernel_shape, strides, pads };
}

/** The input of the MaxPoolSwitches whose switches an unpooling reads: ONNX's MaxUnpool needs a MaxPool's Indices. */
function switchesInput(layer: MaxUnpool2d, inputs: readonly SymbolicTensor[]): SymbolicTensor {
  const producer = inputs[1].producer;
  if (!(producer instanceof MaxPoolSwitches)) {
    throw new Error(
      `exportOnnx: unpooling '${layer.name}' reads its switches from ${producer ? `'${producer.name}' (${producer.kind})` : 'the model input'}, not from a MaxPoolSwitches; ONNX's MaxUnpool takes a MaxPool's Indices`,
    );
  }
  return inputs[1].inputs[0];
}

/**
 * MaxUnpool's inputs: values, Indices, and output_shape where the output is not ONNX's
 * default size, as Shape of the pool's input (the batch axis is dynamic, so no constant
 * can give it). This engine unpools through the pool's windows and ONNX Runtime scatters
 * to the indices: the two agree when the unpooling has the pool's kernel, stride and pads.
 */
function unpoolInputs(g: GraphWriter, layer: MaxUnpool2d, inputs: readonly SymbolicTensor[], out: Shape, names: Map<number, string>): string[] {
  const pooled = switchesInput(layer, inputs);
  const switches = inputs[1].producer as MaxPoolSwitches;
  const pool = JSON.stringify(poolAttrs(switches.options, pooled.shape));
  const own = JSON.stringify(poolAttrs(layer.options, out));
  if (pool !== own)
    throw new Error(
      `exportOnnx: unpooling '${layer.name}' has ${own}, its switches' pool '${switches.name}' ${pool}; ONNX's MaxUnpool scatters where this engine gathers through the pool's windows, so they must be the same`,
    );
  const ins = [names.get(inputs[0].id)!, names.get(inputs[1].id)!];
  const { kernel_shape: k, strides: s, pads: p } = JSON.parse(own) as { kernel_shape: number[]; strides: number[]; pads: number[] };
  const x = inputs[0].shape;
  const fallback = [0, 1].map((a) => (x[a + 1] - 1) * s[a] + k[a] - p[a] - p[a + 2]);
  if (fallback[0] === out[1] && fallback[1] === out[2]) return ins;
  if (formatShape(pooled.shape) !== formatShape(out)) {
    throw new Error(
      `exportOnnx: unpooling '${layer.name}' outputs ${formatShape(out)} per example, neither ONNX's default ${fallback.join('x')} nor its pool's input ${formatShape(pooled.shape)}; ONNX's MaxUnpool takes its output_shape from a tensor, which a dynamic batch leaves only Shape to give`,
    );
  }
  return [...ins, g.node('Shape', [names.get(pooled.id)!], layer.name)];
}

/** The float32 next to `s` upwards (+1) or downwards (-1); s > 0. */
function nextFloat32(s: number, direction: 1 | -1): number {
  const bits = new Int32Array(Float32Array.of(s).buffer);
  bits[0] += direction;
  return new Float32Array(bits.buffer)[0];
}

/**
 * The float32 scale from `input` to `out` pixels: near the scale given (or out / input),
 * such that ONNX Runtime's output size, floor(f32(scale * in)), is `out`, and preferably
 * such that f32(1 / scale) is the ratio this engine maps coordinates with (`ratio`), so
 * that the file read back (onnx_ops.ts, resizeTarget) computes what the model did.
 */
function resizeScale(input: number, out: number, ratio: number, given?: number): number {
  const fits = (s: number) => Math.floor(Math.fround(s * input)) === out;
  const start = Math.fround(given ?? out / input);
  const candidates = [start];
  for (let k = 0, up = start, down = start; k < 8; k++) candidates.push((up = nextFloat32(up, 1)), (down = nextFloat32(down, -1)));
  const found = candidates.find((s) => fits(s) && Math.fround(1 / s) === ratio) ?? candidates.find(fits);
  if (found === undefined) throw new Error(`exportOnnx: no float32 scale takes ${input} to ${out} pixels in Resize`);
  return found;
}

/**
 * Upsample as Resize (opset 13: X, roi, scales): nearest as PyTorch exports it (asymmetric,
 * floor), bilinear with half_pixel (PyTorch's map, clamped at 0, an output of 1 included) or
 * align_corners. Scales, not sizes: sizes would fix the batch.
 */
function resizeNode(g: GraphWriter, x: string, name: string, o: UpsampleLayerOptions, input: Shape): string {
  const { mode, size, ratio, alignCorners } = upsample2dAttrs([1, ...input], o);
  const given = o.scale === undefined ? [undefined, undefined] : typeof o.scale === 'number' ? [o.scale, o.scale] : [o.scale[0], o.scale[1]];
  const scales = Float32Array.of(1, 1, resizeScale(input[1], size[0], ratio[0], given[0]), resizeScale(input[2], size[1], ratio[1], given[1]));
  const attrs: Record<string, Attr> =
    mode === 'nearest'
      ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
      : { mode: 'linear', coordinate_transformation_mode: alignCorners ? 'align_corners' : 'half_pixel' };
  return g.node('Resize', [x, '', g.initializer(`${name}.scales`, [4], scales)], name, attrs);
}

function activationNode(g: GraphWriter, x: string, name: string, activation: string, alpha?: number): string {
  switch (activation) {
    case 'relu':
      return g.node('Relu', [x], name);
    case 'sigmoid':
      return g.node('Sigmoid', [x], name);
    case 'tanh':
      return g.node('Tanh', [x], name);
    case 'softmax':
      return g.node('Softmax', [x], name, { axis: -1 });
    case 'relu6':
      return g.node('Clip', [x, g.initializer(`${name}.clip_min`, [], Float32Array.of(0)), g.initializer(`${name}.clip_max`, [], Float32Array.of(6))], name);
    case 'leaky_relu':
    case 'elu':
      return g.node(activation === 'elu' ? 'Elu' : 'LeakyRelu', [x], name, { alpha: { f: alpha ?? (activation === 'elu' ? 1 : 0.01) } });
    default:
      throw new Error(`exportOnnx: ${name}: activation '${activation}' has no ONNX form here`);
  }
}
