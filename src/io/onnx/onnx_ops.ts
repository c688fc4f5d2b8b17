// One handler per ONNX op: reads the node's inputs and attributes, checks what this
// engine can express, and returns the node's outputs as layers' activations (or
// constants). Attributes that later opsets moved to inputs (Clip's min/max, Dropout's
// ratio, Pad's pads, ReduceMean's axes) are read from either place.
import { ActivationLayer, type Activation } from '../../nn/activations';
import { Conv2d, DepthwiseConv2d } from '../../nn/conv_layers';
import { Add, Concat, Dense, Flatten } from '../../nn/dense_layers';
import type { SymbolicTensor } from '../../nn/layer';
import { BatchNorm, Dropout, Lrn } from '../../nn/norm_layers';
import { AvgPool2d, GlobalAvgPool, MaxPool2d } from '../../nn/pool_layers';
import { Elementwise, Reshape, type ElementwiseOp } from '../../nn/shape_layers';
import { resolvePadding } from '../../ops/conv2d';
import { formatShape, sizeOf } from '../../shape';
import type { NodeContext, OnnxValue, OpHandler } from './onnx_context';
import { tensorValues, UnsupportedAttribute, type OnnxTensor } from './onnx_proto';
import type { ConstValue } from './onnx_values';

const act = (t: SymbolicTensor): OnnxValue => ({ kind: 'act', t });
const constant = (dims: number[], data: ArrayLike<number>, dataType = 1): OnnxValue => ({ kind: 'const', c: { dims, data: Float64Array.from(data), dataType } });

/** ONNX pads [top, left, bottom, right] (x1_begin, x2_begin, x1_end, x2_end) of a 2-D window op, resolving auto_pad. */
function windowPads(ctx: NodeContext, x: SymbolicTensor, kernel: number[], stride: number[], dilation: number[]): [number, number, number, number] {
  const auto = ctx.attr('auto_pad', 'NOTSET');
  if (auto === 'NOTSET') {
    const pads = ctx.attr<number[]>('pads', [0, 0, 0, 0]);
    if (pads.length !== 4) ctx.fail(`pads must have 4 values for a 2-D window, got [${pads.join(', ')}]`);
    return [pads[0], pads[1], pads[2], pads[3]];
  }
  if (auto === 'VALID') return [0, 0, 0, 0];
  if (auto !== 'SAME_UPPER' && auto !== 'SAME_LOWER') ctx.fail(`auto_pad ${auto} is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER`);
  // This engine's 'same' puts the odd pixel at the bottom and right: SAME_UPPER. SAME_LOWER mirrors it.
  const [t, l, b, r] = resolvePadding('same', [x.shape[1], x.shape[2]], [kernel[0], kernel[1]], [stride[0], stride[1]], [dilation[0], dilation[1]]);
  return auto === 'SAME_UPPER' ? [t, l, b, r] : [b, r, t, l];
}

/** The activation a window op reads, with the pads of a zero Pad before it added to its own. */
function windowInput(ctx: NodeContext): { x: SymbolicTensor; extra: [number, number, number, number] | null } {
  const v = ctx.value(0);
  if (v.kind === 'padded') return { x: v.t, extra: v.pads };
  return { x: ctx.act(0), extra: null };
}

const addPads = (a: number[], b: number[] | null): [number, number, number, number] => [0, 1, 2, 3].map((i) => a[i] + (b ? b[i] : 0)) as [number, number, number, number];

function conv(ctx: NodeContext): OnnxValue[] {
  const { x, extra } = windowInput(ctx);
  const w = ctx.constant(1);
  if (w.dims.length !== 4 || x.shape.length !== 3) ctx.fail(`only 2-D convolution is supported (weight ${formatShape(w.dims)}, input ${formatShape(x.shape)} per example)`);
  const [o, cg, kh, kw] = w.dims;
  const kernel = ctx.attr<number[]>('kernel_shape', [kh, kw]);
  if (kernel[0] !== kh || kernel[1] !== kw) ctx.fail(`kernel_shape [${kernel.join(', ')}] does not match the weight ${formatShape(w.dims)}`);
  const stride = ctx.attr<number[]>('strides', [1, 1]);
  const dilation = ctx.attr<number[]>('dilations', [1, 1]);
  const group = ctx.attr('group', 1);
  const padding = addPads(windowPads(ctx, x, [kh, kw], stride, dilation), extra);
  const c = x.shape[0];
  if (cg * group !== c) ctx.fail(`weight ${formatShape(w.dims)} with group ${group} takes ${cg * group} input channels, the input has ${c}`);
  const bias = ctx.has(2) ? ctx.constant(2) : null;
  const weights: Record<string, ConstValue> = { weight: w };
  if (bias) weights.bias = bias;
  const common = { kernel: [kh, kw] as [number, number], stride: stride as [number, number], dilation: dilation as [number, number], padding, bias: !!bias };
  if (group === c && group > 1 && cg === 1) return [act(ctx.layer(new DepthwiseConv2d({ ...common, multiplier: o / c }), [x], weights))];
  return [act(ctx.layer(new Conv2d({ ...common, filters: o, groups: group }), [x], weights))];
}

/** [rows, cols] to [cols, rows]. */
function transpose(c: ConstValue): ConstValue {
  const [rows, cols] = c.dims;
  const out = new Float64Array(c.data.length);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) out[k * rows + r] = c.data[r * cols + k];
  return { dims: [cols, rows], data: out, dataType: c.dataType };
}

/** A bias of `units` values from a constant of shape [units], [1, units] or a scalar. */
function biasOf(ctx: NodeContext, c: ConstValue, units: number, scale = 1): ConstValue {
  const n = sizeOf(c.dims);
  if (n !== 1 && (n !== units || c.dims[c.dims.length - 1] !== units)) ctx.fail(`bias ${formatShape(c.dims)} does not broadcast to [${units}]`);
  return { dims: [units], data: Float64Array.from({ length: units }, (_, i) => scale * c.data[n === 1 ? 0 : i]), dataType: 1 };
}

function gemm(ctx: NodeContext): OnnxValue[] {
  const x = ctx.act(0);
  if (x.shape.length !== 1) ctx.fail(`input must be [batch, features], got ${formatShape(x.shape)} per example`);
  if (ctx.attr('transA', 0)) ctx.fail('transA = 1 (the batch on the second axis) is not supported');
  const alpha = ctx.attr('alpha', 1);
  const beta = ctx.attr('beta', 1);
  let b = ctx.constant(1);
  if (b.dims.length !== 2) ctx.fail(`B must be a matrix, got ${formatShape(b.dims)}`);
  if (ctx.attr('transB', 0)) b = transpose(b);
  const units = b.dims[1];
  const weight = { dims: b.dims, data: b.data.map((v) => v * alpha) };
  const weights: Record<string, { dims: readonly number[]; data: ArrayLike<number> }> = { weight };
  if (ctx.has(2)) weights.bias = biasOf(ctx, ctx.constant(2), units, beta);
  return [act(ctx.layer(new Dense({ units, bias: ctx.has(2) }), [x], weights))];
}

function matmul(ctx: NodeContext): OnnxValue[] {
  const x = ctx.act(0);
  const b = ctx.constant(1);
  if (x.shape.length !== 1 || b.dims.length !== 2) ctx.fail(`only [batch, features] x constant [features, units] is supported, got ${formatShape(x.shape)} per example and ${formatShape(b.dims)}`);
  const units = b.dims[1];
  // A MatMul whose one reader adds a constant vector is a dense layer with bias.
  const readers = ctx.importer.readers.get(ctx.node.output![0]) ?? [];
  const next = readers.length === 1 && readers[0].opType === 'Add' ? readers[0] : null;
  const other = next?.input?.find((n) => n !== ctx.node.output![0]);
  const biasValue = other ? ctx.importer.values.get(other) : undefined;
  if (next && biasValue?.kind === 'const' && sizeOf(biasValue.c.dims) === units && biasValue.c.dims[biasValue.c.dims.length - 1] === units) {
    ctx.importer.fused.add(next);
    const out = ctx.layer(new Dense({ units }), [x], { weight: b, bias: biasOf(ctx, biasValue.c, units) });
    ctx.importer.values.set(next.output![0], act(out));
    return [act(out)];
  }
  return [act(ctx.layer(new Dense({ units, bias: false }), [x], { weight: b }))];
}

const FOLD: Record<ElementwiseOp, (a: number, b: number) => number> = { add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b };

function elementwise(op: ElementwiseOp): OpHandler {
  return (ctx) => {
    const a = ctx.value(0);
    const b = ctx.value(1);
    if (a.kind === 'const' && b.kind === 'const') {
      const [small, large] = sizeOf(a.c.dims) <= sizeOf(b.c.dims) ? [a.c, b.c] : [b.c, a.c];
      if (sizeOf(small.dims) !== 1 && formatShape(small.dims) !== formatShape(large.dims)) ctx.fail(`folding constants ${formatShape(a.c.dims)} and ${formatShape(b.c.dims)}: only equal shapes or a scalar fold`);
      const at = (c: ConstValue, i: number) => c.data[sizeOf(c.dims) === 1 ? 0 : i];
      return [constant(large.dims, large.data.map((_, i) => FOLD[op](at(a.c, i), at(b.c, i))), large.dataType)];
    }
    if (a.kind === 'act' && b.kind === 'act') {
      if (op === 'add' && formatShape(a.t.shape) === formatShape(b.t.shape)) return [act(ctx.layer(new Add(), [a.t, b.t]))];
      return [act(ctx.layer(new Elementwise({ op }), [a.t, b.t]))];
    }
    const constantFirst = a.kind === 'const';
    const x = constantFirst ? ctx.act(1) : ctx.act(0);
    const c = constantFirst ? ctx.constant(0) : ctx.constant(1);
    if (c.dims.length === x.shape.length + 1 && c.dims[0] !== 1) ctx.fail(`the constant ${formatShape(c.dims)} varies over the batch axis`);
    // A leading batch axis of 1 is dropped: the layer's constant is per example.
    const dims = c.dims.length === x.shape.length + 1 ? c.dims.slice(1) : c.dims;
    return [act(ctx.layer(new Elementwise({ op, constant: dims, constantFirst }), [x], { constant: { dims, data: c.data } }))];
  };
}

const activation = (name: Activation, alpha?: (ctx: NodeContext) => number): OpHandler => (ctx) => [act(ctx.layer(new ActivationLayer(name, alpha?.(ctx)), [ctx.act(0)]))];

/** Clip(0, 6) is ReLU6 and Clip(0, inf) ReLU; min and max are attributes before opset 11, inputs after. */
function clip(ctx: NodeContext): OnnxValue[] {
  const bound = (i: number, name: string, fallback: number) => (ctx.importer.opset >= 11 ? (ctx.has(i) ? ctx.constant(i).data[0] : fallback) : ctx.attr(name, fallback));
  const min = bound(1, 'min', -Infinity);
  const max = bound(2, 'max', Infinity);
  if (min === 0 && max === 6) return activation('relu6')(ctx);
  if (min === 0 && max === Infinity) return activation('relu')(ctx);
  return ctx.fail(`Clip(min=${min}, max=${max}) is supported as ReLU (0, inf) and ReLU6 (0, 6)`);
}

function pool(kind: 'max' | 'average'): OpHandler {
  return (ctx) => {
    if ((ctx.node.output ?? []).filter(Boolean).length > 1 && (ctx.importer.readers.get(ctx.node.output![1])?.length ?? 0) > 0) ctx.fail('the Indices output is not supported');
    const { x, extra } = windowInput(ctx);
    if (x.shape.length !== 3) ctx.fail(`only 2-D pooling is supported, input ${formatShape(x.shape)} per example`);
    const kernel = ctx.attr<number[]>('kernel_shape', []);
    if (kernel.length !== 2) ctx.fail(`kernel_shape must have 2 values, got [${kernel.join(', ')}]`);
    const stride = ctx.attr<number[]>('strides', [1, 1]);
    const dilation = ctx.attr<number[]>('dilations', [1, 1]);
    if (dilation.some((d) => d !== 1)) ctx.fail(`dilations [${dilation.join(', ')}] are not supported in pooling`);
    const own = windowPads(ctx, x, kernel, stride, dilation);
    const ceilMode = ctx.attr('ceil_mode', 0) === 1;
    const options = { kernel: kernel as [number, number], stride: stride as [number, number] };
    if (kind === 'max') {
      if (extra) ctx.fail('a Pad before MaxPool pads with zeros, which max pooling does not (its padding is -inf)');
      return [act(ctx.layer(new MaxPool2d({ ...options, padding: own, ceilMode }), [x]))];
    }
    let countIncludePad = ctx.attr('count_include_pad', 0) === 1;
    if (extra && !countIncludePad && own.some((p) => p > 0)) ctx.fail('a Pad before AveragePool with pads of its own and count_include_pad = 0 is not supported');
    if (extra) countIncludePad = true;
    const padding = addPads(own, extra);
    if (ceilMode) {
      const floorSize = (i: number) => Math.floor((x.shape[i + 1] + padding[i] + padding[i + 2] - kernel[i]) / stride[i]) + 1;
      const ceilSize = (i: number) => Math.ceil((x.shape[i + 1] + padding[i] + padding[i + 2] - kernel[i]) / stride[i]) + 1;
      if (floorSize(0) !== ceilSize(0) || floorSize(1) !== ceilSize(1)) ctx.fail(`ceil_mode = 1 changes the output size here (input ${formatShape(x.shape)}); average pooling supports it only where it does not`);
    }
    return [act(ctx.layer(new AvgPool2d({ ...options, padding, countIncludePad }), [x]))];
  };
}

/** The mean over each channel's positions, kept [C, 1, 1] (keepdims) or [C]. */
function channelMean(ctx: NodeContext, keepdims: boolean): OnnxValue[] {
  const x = ctx.act(0);
  if (x.shape.length !== 3) ctx.fail(`input must be [batch, C, H, W], got ${formatShape(x.shape)} per example`);
  const pooled = ctx.layer(new GlobalAvgPool(), [x]);
  return [act(keepdims ? ctx.layer(new Reshape([x.shape[0], 1, 1]), [pooled]) : pooled)];
}

function reduceMean(ctx: NodeContext): OnnxValue[] {
  const axes = ctx.importer.opset >= 18 && ctx.has(1) ? [...ctx.constant(1).data] : ctx.attr<number[]>('axes', []);
  const rank = ctx.act(0).shape.length + 1;
  const sorted = axes.map((a) => (a < 0 ? a + rank : a)).sort();
  if (rank !== 4 || sorted.join(',') !== '2,3') ctx.fail(`only the mean over the spatial axes [2, 3] of an NCHW input is supported, got axes [${axes.join(', ')}]`);
  return channelMean(ctx, ctx.attr('keepdims', 1) === 1);
}

function batchNormalization(ctx: NodeContext): OnnxValue[] {
  if (ctx.attr('training_mode', 0)) ctx.fail('training_mode = 1 is not supported (the model trains in this engine)');
  const x = ctx.act(0);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => ctx.constant(i));
  if (variance.data.some((v) => !(v >= 0))) ctx.fail(`input_var holds a negative or NaN variance`);
  const layer = new BatchNorm({ eps: ctx.attr('epsilon', 1e-5), momentum: 1 - ctx.attr('momentum', 0.9) });
  return [act(ctx.layer(layer, [x], { gamma: scale, beta: bias, running_mean: mean, running_var: variance }))];
}

function concat(ctx: NodeContext): OnnxValue[] {
  const values = (ctx.node.input ?? []).map((_, i) => ctx.value(i));
  const axis = ctx.attr('axis', 1);
  if (values.every((v) => v.kind === 'const')) {
    const cs = values.map((v) => (v as { c: ConstValue }).c);
    if (cs.some((c) => c.dims.length !== 1)) ctx.fail('folding a Concat of constants: only 1-D constants fold');
    const data = cs.flatMap((c) => [...c.data]);
    return [constant([data.length], data, cs[0].dataType)];
  }
  const xs = values.map((_, i) => ctx.act(i));
  const rank = xs[0].shape.length + 1;
  if ((axis < 0 ? axis + rank : axis) !== 1) ctx.fail(`only channel concatenation (axis 1) is supported, got axis ${axis} of rank ${rank}`);
  if (xs.length === 1) return [act(xs[0])];
  return [act(ctx.layer(new Concat(), xs))];
}

function flatten(ctx: NodeContext): OnnxValue[] {
  const x = ctx.act(0);
  if (ctx.attr('axis', 1) !== 1) ctx.fail(`only axis 1 (keep the batch) is supported, got ${ctx.attr('axis', 1)}`);
  return [act(x.shape.length === 1 ? x : ctx.layer(new Flatten(), [x]))];
}

/** A per-example shape as a reshape, a flatten, or nothing at all. */
function reshapeTo(ctx: NodeContext, x: SymbolicTensor, shape: number[]): OnnxValue[] {
  if (formatShape(shape) === formatShape(x.shape)) return [act(x)];
  if (shape.length === 1) return [act(ctx.layer(new Flatten(), [x]))];
  return [act(ctx.layer(new Reshape(shape), [x]))];
}

function reshape(ctx: NodeContext): OnnxValue[] {
  const x = ctx.act(0);
  const target = [...ctx.constant(1).data];
  const allowZero = ctx.attr('allowzero', 0) === 1;
  const per = sizeOf(x.shape);
  const full = [-1, ...x.shape];
  const dims = target.map((d, i) => (d === 0 && !allowZero ? full[i] : d));
  // The first target dim is the batch: copied (0), inferred (-1), or the exported batch size.
  const rest = dims.slice(1);
  const known = rest.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const free = rest.filter((d) => d === -1).length;
  if (free > 1 || rest.some((d) => d < -1 || d === 0) || (free === 0 ? known !== per : per % known !== 0)) ctx.fail(`cannot reshape ${formatShape(x.shape)} per example to [${target.join(', ')}] keeping the batch axis`);
  return reshapeTo(ctx, x, rest.map((d) => (d === -1 ? per / known : d)));
}

function transposeNode(ctx: NodeContext): OnnxValue[] {
  const x = ctx.act(0);
  const full = [0, ...x.shape];
  const perm = ctx.attr<number[]>('perm', full.map((_, i) => full.length - 1 - i));
  if (perm[0] !== 0) ctx.fail(`perm [${perm.join(', ')}] moves the batch axis`);
  // A transpose moves no data when the axes longer than 1 keep their order.
  const moved = perm.filter((a) => a > 0 && full[a] > 1);
  if (moved.some((a, i) => i > 0 && a < moved[i - 1])) ctx.fail(`perm [${perm.join(', ')}] of ${formatShape(x.shape)} per example moves data; only transposes that are layout no-ops are supported`);
  return reshapeTo(ctx, x, perm.slice(1).map((a) => full[a]));
}

function dropout(ctx: NodeContext): OnnxValue[] {
  const mask = ctx.node.output?.[1];
  if (mask && (ctx.importer.readers.get(mask)?.length ?? 0) > 0) ctx.fail('the mask output is not supported');
  const rate = ctx.importer.opset >= 12 ? (ctx.has(1) ? ctx.constant(1).data[0] : 0.5) : ctx.attr('ratio', 0.5);
  const x = ctx.act(0);
  return [act(rate === 0 ? x : ctx.layer(new Dropout({ rate }), [x]))];
}

function lrn(ctx: NodeContext): OnnxValue[] {
  const size = ctx.attr('size', 0);
  // ONNX's window is [c - floor((size-1)/2), c + ceil((size-1)/2)], this engine's (PyTorch's) [c - floor(size/2), c + floor((size-1)/2)]: equal for odd sizes.
  if (size % 2 !== 1) ctx.fail(`size ${size}: only odd sizes are supported (even windows are placed differently in ONNX and PyTorch)`);
  return [act(ctx.layer(new Lrn({ size, alpha: ctx.attr('alpha', 1e-4), beta: ctx.attr('beta', 0.75), k: ctx.attr('bias', 1) }), [ctx.act(0)]))];
}

function softmaxNode(ctx: NodeContext): OnnxValue[] {
  const x = ctx.act(0);
  const axis = ctx.attr('axis', ctx.importer.opset >= 13 ? -1 : 1);
  if (x.shape.length !== 1 || (axis !== 1 && axis !== -1)) ctx.fail(`only softmax over the classes of [batch, classes] is supported, got axis ${axis} of ${formatShape(x.shape)} per example`);
  return activation('softmax')(ctx);
}

function constantNode(ctx: NodeContext): OnnxValue[] {
  const t = ctx.attrs.get('value');
  if (t instanceof UnsupportedAttribute) ctx.fail(`attribute 'value' is of type ${t.type}, not a tensor`);
  if (t && typeof t === 'object' && !Array.isArray(t)) return [{ kind: 'const', c: tensorValues(t as OnnxTensor, ctx.importer.file) }];
  for (const [name, dims] of [['value_float', []], ['value_int', []], ['value_floats', null], ['value_ints', null]] as const) {
    if (!ctx.attrs.has(name)) continue;
    const data = dims ? [ctx.attr(name, 0)] : ctx.attr<number[]>(name, []);
    return [constant(dims ? [...dims] : [data.length], data)];
  }
  return ctx.fail('only value, value_float(s) and value_int(s) constants are supported');
}

function pad(ctx: NodeContext): OnnxValue[] {
  const mode = ctx.attr('mode', 'constant');
  const pads = ctx.importer.opset >= 11 ? [...ctx.constant(1).data] : ctx.attr<number[]>('pads', []);
  const value = ctx.importer.opset >= 11 ? (ctx.has(2) ? ctx.constant(2).data[0] : 0) : ctx.attr('value', 0);
  const x = ctx.act(0);
  if (pads.every((p) => p === 0)) return [act(x)];
  if (mode !== 'constant' || value !== 0) ctx.fail(`only zero padding (mode constant, value 0) is supported, got mode ${mode}, value ${value}`);
  if (pads.length !== 8 || pads[0] || pads[1] || pads[4] || pads[5] || pads.some((p) => p < 0)) ctx.fail(`only non-negative padding of H and W of an NCHW input is supported, got pads [${pads.join(', ')}]`);
  return [{ kind: 'padded', t: x, pads: [pads[2], pads[3], pads[6], pads[7]] }];
}

const identity: OpHandler = (ctx) => [ctx.value(0)];

/** Every op the importer reads, by ONNX name. */
export const ONNX_OPS: Record<string, OpHandler> = {
  Conv: conv,
  Gemm: gemm,
  MatMul: matmul,
  Add: elementwise('add'),
  Sub: elementwise('sub'),
  Mul: elementwise('mul'),
  Div: elementwise('div'),
  Relu: activation('relu'),
  Sigmoid: activation('sigmoid'),
  Tanh: activation('tanh'),
  LeakyRelu: activation('leaky_relu', (ctx) => ctx.attr('alpha', 0.01)),
  Elu: activation('elu', (ctx) => ctx.attr('alpha', 1)),
  Clip: clip,
  MaxPool: pool('max'),
  AveragePool: pool('average'),
  GlobalAveragePool: (ctx) => channelMean(ctx, true),
  ReduceMean: reduceMean,
  BatchNormalization: batchNormalization,
  Concat: concat,
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transposeNode,
  Dropout: dropout,
  LRN: lrn,
  Softmax: softmaxNode,
  Identity: identity,
  Constant: constantNode,
  Pad: pad,
};
