// Looking back from a unit to the pixels: Zeiler and Fergus's DeConvNet projection, and
// Simonyan et al.'s saliency (the gradient of a class score with respect to the image).
// Both run in the engine's ops on the model's own backend; the one host step is picking
// the single activation to keep.
import { gradients } from '../graph/autograd';
import { planGraph } from '../graph/plan';
import { Program } from '../graph/program';
import { TraceBackend } from '../graph/trace';
import { mul } from '../ops/binary';
import { conv2dAttrs, conv2dGradInput, pair, resolvePadding } from '../ops/conv2d';
import { maxUnpool2d } from '../ops/max_unpool2d';
import { maxpool2d } from '../ops/pool2d';
import { sum } from '../ops/reduce';
import { relu } from '../ops/unary';
import { formatShape, sizeOf } from '../shape';
import { scope, tensor, type Tensor } from '../tensor';
import { ActivationLayer } from './activations';
import { Conv2d } from './conv_layers';
import { externalsOf } from './graph_externals';
import type { Model, ModelNode } from './model';
import { Dropout } from './norm_layers';
import { MaxPool2d } from './pool_layers';

export interface DeconvOptions {
  /** The layer whose unit is projected (a convolution, pool or activation on the path from the input). */
  layer: string;
  channel: number;
  /** One example, [...model input shape] values. */
  input: ArrayLike<number>;
}

export interface DeconvProjection {
  /** The projection in pixel space, the input's shape. */
  image: Float32Array;
  /** Where the kept activation was in the layer's map, and its value. */
  y: number;
  x: number;
  value: number;
}

/** The nodes from the input to `layer`, each reading the one before: the path DeConvNet walks back down. */
function pathTo(model: Model, layer: string): ModelNode[] {
  const out = model.outputOf(layer, 'deconvProject');
  const path: ModelNode[] = [];
  for (let at = out; at.id !== model.input.id; ) {
    const node = model.nodes.find((n) => n.output.id === at.id)!;
    if (node.inputs.length !== 1)
      throw new Error(`deconvProject: layer '${node.layer.name}' joins ${node.inputs.length} inputs; DeConvNet goes back down a chain of single-input layers`);
    const l = node.layer;
    const down = l instanceof Conv2d || l instanceof MaxPool2d || l instanceof Dropout || (l instanceof ActivationLayer && l.activation === 'relu');
    if (!down)
      throw new Error(`deconvProject: layer '${l.name}' (${l.kind}) has no way back down (DeConvNet reverses convolutions, max pools, ReLU and dropout)`);
    if (l instanceof Conv2d && l.options.activation !== undefined && l.options.activation !== 'relu' && l.options.activation !== 'linear') {
      throw new Error(`deconvProject: layer '${l.name}' applies ${l.options.activation}; DeConvNet rectifies with ReLU only`);
    }
    if (l instanceof MaxPool2d && l.options.ceilMode) throw new Error(`deconvProject: layer '${l.name}' pools with ceilMode; its switches are not recorded`);
    path.unshift(node);
    at = node.inputs[0];
  }
  return path;
}

/**
 * The layers `deconvProject` can start from, in model order: the convolutions and max
 * pools whose outputs are maps and whose path from the input it can walk back down (a
 * chain of single-input convolutions, max pools, ReLU and dropout).
 */
export function deconvLayers(model: Model): string[] {
  return model.nodes
    .filter((n) => (n.layer instanceof Conv2d || n.layer instanceof MaxPool2d) && n.output.shape.length === 3)
    .filter((n) => {
      try {
        return pathTo(model, n.layer.name).length > 0;
      } catch {
        return false;
      }
    })
    .map((n) => n.layer.name);
}

/** One layer back down: unpool with the forward pass's switches, rectify, or filter with the layer's own weights transposed. */
function down(node: ModelNode, signal: Tensor, below: Tensor, weights: ReadonlyMap<string, Tensor>): Tensor {
  const l = node.layer;
  if (l instanceof Dropout) return signal;
  if (l instanceof ActivationLayer) return relu(signal);
  if (l instanceof MaxPool2d) {
    const k = pair(l.options.kernel);
    const stride = pair(l.options.stride ?? k);
    const padding = resolvePadding(l.options.padding ?? 'valid', [below.shape[2], below.shape[3]], k, stride);
    const { indices } = maxpool2d(below, k, { stride, padding, returnIndices: true });
    return maxUnpool2d(signal, indices, k, { stride, padding, outputSize: [below.shape[2], below.shape[3]] });
  }
  const conv = l as Conv2d;
  const w = weights.get(`${conv.name}.weight`)!;
  const rectified = conv.options.activation === 'relu' ? relu(signal) : signal;
  const attrs = conv2dAttrs(below.shape, w.shape, {
    stride: conv.options.stride,
    padding: conv.options.padding,
    dilation: conv.options.dilation,
    groups: conv.options.groups,
  });
  return conv2dGradInput(rectified, w, below.shape, attrs);
}

/**
 * Zeiler and Fergus's DeConvNet: runs `input` forward, keeps the strongest activation of
 * `channel` in `layer` and zeroes the rest, then goes back down through each layer in
 * reverse (max unpooling with the forward pass's switches, ReLU, the convolution's own
 * filters transposed) to an image of the input's shape.
 */
export async function deconvProject(model: Model, options: DeconvOptions): Promise<DeconvProjection> {
  const path = pathTo(model, options.layer);
  const shape = model.outputOf(options.layer, 'deconvProject').shape;
  if (shape.length !== 3) throw new Error(`deconvProject: '${options.layer}' outputs ${formatShape(shape)}, not [channels, height, width] maps`);
  const [channels, h, w] = shape;
  if (!Number.isInteger(options.channel) || options.channel < 0 || options.channel >= channels)
    throw new Error(`deconvProject: '${options.layer}' has channels 0..${channels - 1}, not ${options.channel}`);
  if (options.input.length !== sizeOf(model.input.shape))
    throw new Error(
      `deconvProject: input has ${options.input.length} values, ${model.name} takes ${formatShape(model.input.shape)} (${sizeOf(model.input.shape)})`,
    );
  const backend = model.backend;
  const x = tensor(backend, options.input, [1, ...model.input.shape]);
  const values = model.forwardAll({ training: false, use: (t) => t }, x);
  try {
    const top = await values.get(path.at(-1)!.output.id)!.read();
    const plane = top.subarray(options.channel * h * w, (options.channel + 1) * h * w);
    let at = 0;
    for (let i = 1; i < plane.length; i++) if (plane[i] > plane[at]) at = i;
    const kept = new Float32Array(top.length);
    kept[options.channel * h * w + at] = plane[at];
    const weights = new Map(model.params().map((p) => [p.name, p.tensor]));
    const image = scope(() => {
      let signal = tensor(backend, kept, [1, ...shape]);
      for (let i = path.length - 1; i >= 0; i--) signal = down(path[i], signal, values.get(path[i].inputs[0].id)!, weights);
      return signal;
    });
    const result = await image.read();
    image.dispose();
    return { image: result, y: Math.floor(at / w), x: at % w, value: plane[at] };
  } finally {
    for (const [id, t] of values) if (id !== model.input.id) t.dispose();
    x.dispose();
  }
}

export interface SaliencyMap {
  /** d score / d input, the input's shape. */
  gradient: Float32Array;
  /** max over channels of |gradient|, [height, width]: Simonyan et al.'s map. */
  map: Float32Array;
  /** The class's score (logit) for this input. */
  score: number;
}

/** Simonyan et al.'s saliency: the gradient of one class's score (the logit) with respect to the input image. */
export async function saliency(model: Model, input: ArrayLike<number>, classIndex: number): Promise<SaliencyMap> {
  if (input.length !== sizeOf(model.input.shape))
    throw new Error(`saliency: input has ${input.length} values, ${model.name} takes ${formatShape(model.input.shape)} (${sizeOf(model.input.shape)})`);
  const out = model.output.shape;
  if (out.length !== 1) throw new Error(`saliency: ${model.name} outputs ${formatShape(out)} per example, not class scores`);
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= out[0])
    throw new Error(`saliency: classIndex must be in 0..${out[0] - 1}, got ${classIndex}`);
  const trace = new TraceBackend();
  const xs = trace.input('x', [1, ...model.input.shape]);
  const pick = trace.input('pick', [1, out[0]]);
  const logits = model.forward({ training: false, use: externalsOf(model, trace) }, xs);
  const score = sum(mul(logits, pick));
  const [g] = gradients(trace, score, [xs]);
  const ids = [score, g].map((t) => trace.valueOf(t).id);
  const program = new Program(model.backend, planGraph(trace, ids));
  try {
    const onehot = new Float32Array(out[0]);
    onehot[classIndex] = 1;
    const [s, gradient] = await program.run({ x: Float32Array.from(input), pick: onehot }, ids);
    const [c, h, w] = model.input.shape.length === 3 ? model.input.shape : [1, 1, sizeOf(model.input.shape)];
    const map = new Float32Array(h * w);
    for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) map[i] = Math.max(map[i], Math.abs(gradient[ch * h * w + i]));
    return { gradient, map, score: s[0] };
  } finally {
    program.dispose();
  }
}
