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
import { ConvTranspose2d, MaxPoolSwitches, MaxUnpool2d, Upsample } from '../../nn/upsampling_layers';
import { resolvePadding } from '../../ops/conv2d';
import { formatShape, sizeOf } from '../../shape';
import type { NodeContext, OnnxValue, OpHandler, PoolWindows } from './onnx_context';
import { tensorValues, UnsupportedAttribute, type OnnxTensor } from './onnx_proto';
import type { ConstValue } from './onnx_values';

const act = (t: SymbolicTensor): OnnxValue => ({ kind: 'act', t });
const constant = (dims: number[], data: ArrayLike<number>, dataType = 1): OnnxValue => ({
  kind: 'const',
  c: { dims, data: Float64Array.from(data), dataType },
});

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

const addPads = (a: number[], b: number[] | null): [number, number, number, number] =>
  [0, 1, 2, 3].map((i) => a[i] + (b ? b[i] : 0)) as [number, number, number, number];

function conv(ctx: NodeContext): OnnxValue[] {
  const { x, extra } = windowInput(ctx);
  const w = ctx.constant(1);
  if (w.dims.length !== 4 || x.shape.length !== 3)
    ctx.fail(`only 2-D convolution is supported (weight ${formatShape(w.dims)}, input ${formatShape(x.shape)} per example)`);
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
  if (x.shape.length !== 1 || b.dims.length !== 2)
    ctx.fail(`only [batch, features] x constant [features, units] is supported, got ${formatShape(x.shape)} per example and ${formatShape(b.dims)}`);
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

const FOLD: Record<ElementwiseOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

function elementwise(op: ElementwiseOp): OpHandler {
  return (ctx) => {
    const a = ctx.value(0);
    const b = ctx.value(1);
    if (a.kind === 'const' && b.kind === 'const') {
      const [small, large] = sizeOf(a.c.dims) <= sizeOf(b.c.dims) ? [a.c, b.c] : [b.c, a.c];
      if (sizeOf(small.dims) !== 1 && formatShape(small.dims) !== formatShape(large.dims))
        ctx.fail(`folding constants ${formatShape(a.c.dims)} and ${formatShape(b.c.dims)}: only equal shapes or a scalar fold`);
      const at = (c: ConstValue, i: number) => c.data[sizeOf(c.dims) === 1 ? 0 : i];
      return [
        constant(
          large.dims,
          large.data.map((_, i) => FOLD[op](at(a.c, i), at(b.c, i))),
          large.dataType,
        ),
      ];
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

const activation =
  (name: Activation, alpha?: (ctx: NodeContext) => number): OpHandler =>
  (ctx) => [act(ctx.layer(new ActivationLayer(name, alpha?.(ctx)), [ctx.act(0)]))];

/** Clip(0, 6) is ReLU6 and Clip(0, inf) ReLU; min and max are attributes before opset 11, inputs after. */
function clip(ctx: NodeContext): OnnxValue[] {
  const bound = (i: number, name: string, fallback: number) =>
    ctx.importer.opset >= 11 ? (ctx.has(i) ? ctx.constant(i).data[0] : fallback) : ctx.attr(name, fallback);
  const min = bound(1, 'min', -Infinity);
  const max = bound(2, 'max', Infinity);
  if (min === 0 && max === 6) return activation('relu6')(ctx);
  if (min === 0 && max === Infinity) return activation('relu')(ctx);
  return ctx.fail(`Clip(min=${min}, max=${max}) is supported as ReLU (0, inf) and ReLU6 (0, 6)`);
}

function pool(kind: 'max' | 'average'): OpHandler {
  return (ctx) => {
    const indices = ctx.node.output?.[1];
    const indicesRead = !!indices && (ctx.importer.readers.get(indices)?.length ?? 0) > 0;
    if (indicesRead && kind === 'average') ctx.fail('AveragePool has no Indices output');
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
      const values = act(ctx.layer(new MaxPool2d({ ...options, padding: own, ceilMode }), [x]));
      if (!indicesRead) return [values];
      return [values, maxPoolIndices(ctx, x, { node: ctx.node.name || indices!, kernel, strides: stride, pads: own }, ceilMode)];
    }
    let countIncludePad = ctx.attr('count_include_pad', 0) === 1;
    if (extra && !countIncludePad && own.some((p) => p > 0))
      ctx.fail('a Pad before AveragePool with pads of its own and count_include_pad = 0 is not supported');
    if (extra) countIncludePad = true;
    const padding = addPads(own, extra);
    if (ceilMode) {
      const floorSize = (i: number) => Math.floor((x.shape[i + 1] + padding[i] + padding[i + 2] - kernel[i]) / stride[i]) + 1;
      const ceilSize = (i: number) => Math.ceil((x.shape[i + 1] + padding[i] + padding[i + 2] - kernel[i]) / stride[i]) + 1;
      if (floorSize(0) !== ceilSize(0) || floorSize(1) !== ceilSize(1))
        ctx.fail(`ceil_mode = 1 changes the output size here (input ${formatShape(x.shape)}); average pooling supports it only where it does not`);
    }
    return [act(ctx.layer(new AvgPool2d({ ...options, padding, countIncludePad }), [x]))];
  };
}

/**
 * MaxPool's Indices as this engine's switches. ONNX's indices are flat over the whole
 * N x C x H x W tensor (row-major with storage_order 0, padding not counted), this
 * engine's (PyTorch's) per (n, c) plane: the two differ by (n * C + c) * H * W. Only a
 * MaxUnpool reading them with the pool's own windows undoes the pooling the same way under
 * either convention, so that is the one reader taken; anything else would see other numbers.
 */
function maxPoolIndices(ctx: NodeContext, x: SymbolicTensor, pool: PoolWindows, ceilMode: boolean): OnnxValue {
  const name = ctx.node.output![1];
  if (ctx.attr('storage_order', 0) !== 0)
    ctx.fail(`storage_order ${ctx.attr('storage_order', 0)} (column-major Indices) is not supported; only row-major (0), PyTorch's order`);
  if (ceilMode) ctx.fail('ceil_mode = 1 with the Indices output is not supported (MaxUnpool has no ceil_mode to match it)');
  for (const reader of ctx.importer.readers.get(name) ?? []) {
    const slots = (reader.input ?? []).flatMap((n, i) => (n === name ? [i] : []));
    if (reader.opType !== 'MaxUnpool' || slots.some((i) => i !== 1)) {
      ctx.fail(
        `its Indices output '${name}' is read by node '${reader.name || reader.output?.[0]}' (${reader.opType}); only MaxUnpool's indices input reads it here: ` +
          "ONNX's indices are flat over N x C x H x W, this engine's per (n, c) plane, so other readers would see other numbers",
      );
    }
  }
  const switches = ctx.layer(
    new MaxPoolSwitches({
      kernel: [pool.kernel[0], pool.kernel[1]],
      stride: [pool.strides[0], pool.strides[1]],
      padding: [pool.pads[0], pool.pads[1], pool.pads[2], pool.pads[3]],
    }),
    [x],
    {},
    `${(ctx.node.name || 'maxpool').replace(/^\//, '')}_switches`,
  );
  return { kind: 'switches', t: switches, pool };
}

/**
 * MaxUnpool(X, I, output_shape?): I must be a MaxPool's Indices in this graph (see
 * maxPoolIndices) and the unpooling must have that pool's kernel, strides and pads, since
 * this engine unpools through the pool's windows where ONNX Runtime scatters to the indices.
 */
function maxUnpool(ctx: NodeContext): OnnxValue[] {
  const x = ctx.act(0);
  const s = ctx.value(1);
  if (s.kind !== 'switches') {
    ctx.fail(
      `input 1 ('${ctx.node.input![1]}') must be the Indices output of a MaxPool in this graph: ONNX's indices are flat over N x C x H x W and this engine's per (n, c) plane, and indices from elsewhere cannot be mapped`,
    );
  }
  if (x.shape.length !== 3) ctx.fail(`only 2-D unpooling is supported, input ${formatShape(x.shape)} per example`);
  const kernel = ctx.attr<number[]>('kernel_shape', []);
  const strides = ctx.attr<number[]>('strides', [1, 1]);
  const pads = ctx.attr<number[]>('pads', [0, 0, 0, 0]);
  if (kernel.length !== 2 || strides.length !== 2 || pads.length !== 4)
    ctx.fail(`kernel_shape [${kernel.join(', ')}], strides [${strides.join(', ')}] and pads [${pads.join(', ')}] must have 2, 2 and 4 values`);
  const same = (a: readonly number[], b: readonly number[]) => a.join(',') === b.join(',');
  const { pool } = s;
  if (!same(kernel, pool.kernel) || !same(strides, pool.strides) || !same(pads, pool.pads)) {
    ctx.fail(
      `kernel_shape [${kernel.join(', ')}], strides [${strides.join(', ')}], pads [${pads.join(', ')}] differ from those of the MaxPool '${pool.node}' that made its indices ` +
        `(kernel_shape [${pool.kernel.join(', ')}], strides [${pool.strides.join(', ')}], pads [${pool.pads.join(', ')}]); this engine unpools through the pool's own windows`,
    );
  }
  let outputSize: [number, number] | undefined;
  if (ctx.has(2)) {
    const v = ctx.value(2);
    const dims = v.kind === 'shape' ? [-1, ...v.t.shape] : [...ctx.constant(2).data];
    if (dims.length !== 4 || dims[1] !== x.shape[0])
      ctx.fail(
        `output_shape [${dims.map((d) => (d === -1 ? 'batch' : d)).join(', ')}] must be [batch, ${x.shape[0]}, height, width] for input ${formatShape(x.shape)} per example`,
      );
    outputSize = [dims[2], dims[3]];
  }
  const padding: [number, number, number, number] = [pads[0], pads[1], pads[2], pads[3]];
  return [act(ctx.layer(new MaxUnpool2d({ kernel: [kernel[0], kernel[1]], stride: [strides[0], strides[1]], padding, outputSize }), [x, s.t]))];
}

/** Shape of an activation, kept as such for MaxUnpool's output_shape; of a constant, its dims. */
function shapeNode(ctx: NodeContext): OnnxValue[] {
  if (ctx.attr('start', 0) !== 0 || ctx.attrs.has('end'))
    ctx.fail(`only the whole shape is supported (start ${ctx.attr('start', 0)}${ctx.attrs.has('end') ? `, end ${ctx.attr('end', 0)}` : ''})`);
  const v = ctx.value(0);
  if (v.kind === 'const') return [constant([v.c.dims.length], v.c.dims, 7)];
  return [{ kind: 'shape', t: ctx.act(0) }];
}

/** The two values of a 2-D attribute, or a failure naming it. */
function twoValues(ctx: NodeContext, name: string, fallback: number): [number, number] {
  const v = ctx.attr<number[]>(name, [fallback, fallback]);
  if (v.length !== 2) ctx.fail(`${name} must have 2 values for a 2-D transposed convolution, got [${v.join(', ')}]`);
  return [v[0], v[1]];
}

/**
 * ConvTranspose's pads [top, left, bottom, right]: given, or made from output_shape or
 * SAME_UPPER/SAME_LOWER where the total padding is even. With an odd total the ONNX spec
 * and ONNX Runtime put the odd pixel on different sides, so that is refused.
 */
function convTransposePads(
  ctx: NodeContext,
  x: SymbolicTensor,
  kernel: number[],
  stride: number[],
  dilation: number[],
  outputPadding: number[],
): [number, number, number, number] {
  const auto = ctx.attr('auto_pad', 'NOTSET');
  const outputShape = ctx.attrs.has('output_shape') ? ctx.attr<number[]>('output_shape', []) : null;
  if (outputShape || auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    const what = outputShape ? `output_shape [${outputShape.join(', ')}]` : `auto_pad ${auto}`;
    if (outputShape && outputShape.length !== 2) ctx.fail(`${what} must give the output's height and width`);
    const target = outputShape ?? [x.shape[1] * stride[0], x.shape[2] * stride[1]];
    const total = [0, 1].map((a) => stride[a] * (x.shape[a + 1] - 1) + outputPadding[a] + (kernel[a] - 1) * dilation[a] + 1 - target[a]);
    if (total.some((t) => t < 0 || t % 2 !== 0)) {
      ctx.fail(
        `${what} needs a total padding of [${total.join(', ')}] for input ${formatShape(x.shape)}; only even, non-negative totals (as much padding at the start as at the end) are supported: ONNX and ONNX Runtime put an odd pixel on different sides`,
      );
    }
    return [total[0] / 2, total[1] / 2, total[0] / 2, total[1] / 2];
  }
  if (auto === 'VALID') return [0, 0, 0, 0];
  if (auto !== 'NOTSET') ctx.fail(`auto_pad ${auto} is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER`);
  const pads = ctx.attr<number[]>('pads', [0, 0, 0, 0]);
  if (pads.length !== 4) ctx.fail(`pads must have 4 values for a 2-D transposed convolution, got [${pads.join(', ')}]`);
  return [pads[0], pads[1], pads[2], pads[3]];
}

/**
 * ConvTranspose as PyTorch's ConvTranspose2d: weight [Cin, Cout/group, kH, kW] as it is.
 * Pads crop the output; PyTorch crops `padding` from both sides and adds output_padding at
 * the end, so pads [t, l, b, r] with b <= t and r <= l become padding [t, l] and
 * output_padding + [t - b, l - r].
 */
function convTranspose(ctx: NodeContext): OnnxValue[] {
  const x = ctx.act(0);
  const w = ctx.constant(1);
  if (w.dims.length !== 4 || x.shape.length !== 3)
    ctx.fail(`only 2-D transposed convolution is supported (weight ${formatShape(w.dims)}, input ${formatShape(x.shape)} per example)`);
  const [cin, coutPerGroup, kh, kw] = w.dims;
  const kernel = ctx.attr<number[]>('kernel_shape', [kh, kw]);
  if (kernel[0] !== kh || kernel[1] !== kw || kernel.length !== 2)
    ctx.fail(`kernel_shape [${kernel.join(', ')}] does not match the weight ${formatShape(w.dims)}`);
  const stride = twoValues(ctx, 'strides', 1);
  const dilation = twoValues(ctx, 'dilations', 1);
  const outputPadding = twoValues(ctx, 'output_padding', 0);
  const group = ctx.attr('group', 1);
  if (cin !== x.shape[0]) ctx.fail(`weight ${formatShape(w.dims)} takes ${cin} input channels (its first axis), the input has ${x.shape[0]}`);
  const [t, l, b, r] = convTransposePads(ctx, x, [kh, kw], stride, dilation, outputPadding);
  if (b > t || r > l)
    ctx.fail(
      `pads [${[t, l, b, r].join(', ')}] crop more at the end of an axis than at its start, which PyTorch's ConvTranspose2d (padding on both sides, output_padding at the end) cannot express`,
    );
  const extra: [number, number] = [outputPadding[0] + t - b, outputPadding[1] + l - r];
  if (extra[0] >= stride[0] || extra[1] >= stride[1]) {
    ctx.fail(
      `pads [${[t, l, b, r].join(', ')}] with output_padding [${outputPadding.join(', ')}] make an output_padding of [${extra.join(', ')}], which must be smaller than the strides [${stride.join(', ')}]`,
    );
  }
  const bias = ctx.has(2) ? ctx.constant(2) : null;
  const weights: Record<string, ConstValue> = { weight: w };
  if (bias) weights.bias = bias;
  const layer = new ConvTranspose2d({
    filters: coutPerGroup * group,
    kernel: [kh, kw],
    stride,
    dilation,
    padding: [t, l],
    outputPadding: extra,
    groups: group,
    bias: !!bias,
  });
  return [act(ctx.layer(layer, [x], weights))];
}

/** Scales or sizes of a Resize for H and W (axes [2, 3], or all four axes with N and C kept). */
function resizeTarget(ctx: NodeContext, x: SymbolicTensor): { scale?: [number, number]; size?: [number, number] } {
  const given = (i: number) => (ctx.has(i) && sizeOf(ctx.constant(i).dims) > 0 ? [...ctx.constant(i).data] : null);
  const scales = given(2);
  const sizes = given(3);
  if (!!scales === !!sizes) ctx.fail(`give scales or sizes (exactly one), got ${scales ? 'both' : 'neither'}`);
  const axes = ctx.attr<number[]>('axes', []).map((a) => (a < 0 ? a + 4 : a));
  const values = (scales ?? sizes)!;
  const which = scales ? 'scales' : 'sizes';
  if (axes.length > 0) {
    if (axes.join(',') !== '2,3' || values.length !== 2)
      ctx.fail(`axes [${ctx.attr<number[]>('axes', []).join(', ')}] with ${which} [${values.join(', ')}]: only H and W (axes 2 and 3) can be resized`);
  } else {
    if (values.length !== 4) ctx.fail(`${which} [${values.join(', ')}] must have 4 values for an NCHW input`);
    // sizes[0] is the batch the file was exported with; it follows the input here, as in Reshape.
    const keeps = scales ? values[0] === 1 && values[1] === 1 : values[1] === x.shape[0];
    if (!keeps) ctx.fail(`${which} [${values.join(', ')}] resize the batch or channel axis; only H and W can be resized`);
  }
  const hw: [number, number] = [values[values.length - 2], values[values.length - 1]];
  if (scales) {
    if (hw.some((v) => !(v > 0))) ctx.fail(`scales [${values.join(', ')}] must be positive`);
    // ONNX Runtime sizes the output as floor(f32(scale * in)); where that differs from the double product, the size is given instead.
    const size = [0, 1].map((a) => Math.floor(Math.fround(hw[a] * x.shape[a + 1])));
    if (size.every((v, a) => v === Math.floor(hw[a] * x.shape[a + 1]))) return { scale: hw };
    if (size.some((v) => v <= 0)) ctx.fail(`scales [${values.join(', ')}] leave no pixel of the ${x.shape[1]}x${x.shape[2]} input`);
    return { size: [size[0], size[1]] };
  }
  if (hw.some((v) => !Number.isInteger(v) || v <= 0)) ctx.fail(`sizes [${values.join(', ')}] must be positive integers`);
  if (ctx.attr('keep_aspect_ratio_policy', 'stretch') !== 'stretch')
    ctx.fail(`keep_aspect_ratio_policy ${ctx.attr('keep_aspect_ratio_policy', 'stretch')} is not supported; only stretch`);
  return { size: hw };
}

/**
 * Resize (opsets 11 to 18) as Upsample: mode nearest with coordinate_transformation_mode
 * asymmetric and nearest_mode floor (PyTorch's nearest export), mode linear with half_pixel
 * or pytorch_half_pixel (align_corners false) or align_corners. Everything else is refused
 * naming the attribute: other coordinate maps read other source pixels.
 */
function resize(ctx: NodeContext): OnnxValue[] {
  if (ctx.importer.opset < 11) return upsampleNode(ctx);
  const x = ctx.act(0);
  if (x.shape.length !== 3) ctx.fail(`only 2-D resizing of an NCHW input is supported, got ${formatShape(x.shape)} per example`);
  const mode = ctx.attr('mode', 'nearest');
  const coord = ctx.attr('coordinate_transformation_mode', 'half_pixel');
  if (ctx.attr('antialias', 0) !== 0) ctx.fail(`antialias ${ctx.attr('antialias', 0)} is not supported; only 0`);
  const target = resizeTarget(ctx, x);
  if (mode === 'nearest') {
    const nearest = ctx.attr('nearest_mode', 'round_prefer_floor');
    if (coord !== 'asymmetric' || nearest !== 'floor') {
      ctx.fail(
        `mode nearest with coordinate_transformation_mode ${coord} and nearest_mode ${nearest} is not supported; only coordinate_transformation_mode asymmetric with nearest_mode floor (PyTorch's nearest)`,
      );
    }
    return [act(ctx.layer(new Upsample({ ...target, mode: 'nearest' }), [x]))];
  }
  if (mode !== 'linear') ctx.fail(`mode ${mode} is not supported; only nearest and linear (bilinear)`);
  if (coord !== 'half_pixel' && coord !== 'pytorch_half_pixel' && coord !== 'align_corners') {
    ctx.fail(
      `mode linear with coordinate_transformation_mode ${coord} is not supported; only half_pixel, pytorch_half_pixel (PyTorch's align_corners=False) and align_corners`,
    );
  }
  const size = target.size ?? [0, 1].map((a) => Math.floor(x.shape[a + 1] * target.scale![a]));
  // pytorch_half_pixel reads coordinate 0 for an output of one pixel; half_pixel (and this engine) the input's centre.
  if (coord === 'pytorch_half_pixel' && [0, 1].some((a) => size[a] === 1 && x.shape[a + 1] > 1)) {
    ctx.fail(
      `coordinate_transformation_mode pytorch_half_pixel with an output of 1 pixel on an axis (${size.join('x')} from ${formatShape(x.shape)}) is not supported: it reads the first pixel there, this engine the centre`,
    );
  }
  return [act(ctx.layer(new Upsample({ ...target, mode: 'bilinear', alignCorners: coord === 'align_corners' }), [x]))];
}

/**
 * Upsample (opsets 7 to 9; scales an attribute before 9, an input from 9) and Resize of
 * opset 10: coordinates map as asymmetric (x / scale), and nearest takes the floor when
 * enlarging, which is PyTorch's nearest. Their linear mode is asymmetric too, which this
 * engine's bilinear (PyTorch's) does not express: refused.
 */
function upsampleNode(ctx: NodeContext): OnnxValue[] {
  const x = ctx.act(0);
  if (x.shape.length !== 3) ctx.fail(`only 2-D upsampling of an NCHW input is supported, got ${formatShape(x.shape)} per example`);
  const scales = ctx.attrs.has('scales') ? ctx.attr<number[]>('scales', []) : [...ctx.constant(1).data];
  const mode = ctx.attr('mode', 'nearest');
  if (mode !== 'nearest')
    ctx.fail(
      `mode ${mode} is not supported: ${ctx.node.opType} of opset ${ctx.importer.opset} maps coordinates as asymmetric (x / scale), which bilinear here (PyTorch's half-pixel or align_corners) is not; only nearest`,
    );
  if (scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1) ctx.fail(`scales [${scales.join(', ')}] must be [1, 1, height scale, width scale]`);
  if (!(scales[2] >= 1 && scales[3] >= 1))
    ctx.fail(`scales [${scales.join(', ')}] shrink the input, where nearest rounds up; only scales of 1 or more are supported`);
  return [act(ctx.layer(new Upsample({ scale: [scales[2], scales[3]], mode: 'nearest' }), [x]))];
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
  if (rank !== 4 || sorted.join(',') !== '2,3')
    ctx.fail(`only the mean over the spatial axes [2, 3] of an NCHW input is supported, got axes [${axes.join(', ')}]`);
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
  if (free > 1 || rest.some((d) => d < -1 || d === 0) || (free === 0 ? known !== per : per % known !== 0))
    ctx.fail(`cannot reshape ${formatShape(x.shape)} per example to [${target.join(', ')}] keeping the batch axis`);
  return reshapeTo(
    ctx,
    x,
    rest.map((d) => (d === -1 ? per / known : d)),
  );
}

function transposeNode(ctx: NodeContext): OnnxValue[] {
  const x = ctx.act(0);
  const full = [0, ...x.shape];
  const perm = ctx.attr<number[]>(
    'perm',
    full.map((_, i) => full.length - 1 - i),
  );
  if (perm[0] !== 0) ctx.fail(`perm [${perm.join(', ')}] moves the batch axis`);
  // A transpose moves no data when the axes longer than 1 keep their order.
  const moved = perm.filter((a) => a > 0 && full[a] > 1);
  if (moved.some((a, i) => i > 0 && a < moved[i - 1]))
    ctx.fail(`perm [${perm.join(', ')}] of ${formatShape(x.shape)} per example moves data; only transposes that are layout no-ops are supported`);
  return reshapeTo(
    ctx,
    x,
    perm.slice(1).map((a) => full[a]),
  );
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
  if (x.shape.length !== 1 || (axis !== 1 && axis !== -1))
    ctx.fail(`only softmax over the classes of [batch, classes] is supported, got axis ${axis} of ${formatShape(x.shape)} per example`);
  return activation('softmax')(ctx);
}

function constantNode(ctx: NodeContext): OnnxValue[] {
  const t = ctx.attrs.get('value');
  if (t instanceof UnsupportedAttribute) ctx.fail(`attribute 'value' is of type ${t.type}, not a tensor`);
  if (t && typeof t === 'object' && !Array.isArray(t)) return [{ kind: 'const', c: tensorValues(t as OnnxTensor, ctx.importer.file) }];
  for (const [name, dims] of [
    ['value_float', []],
    ['value_int', []],
    ['value_floats', null],
    ['value_ints', null],
  ] as const) {
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
  if (pads.length !== 8 || pads[0] || pads[1] || pads[4] || pads[5] || pads.some((p) => p < 0))
    ctx.fail(`only non-negative padding of H and W of an NCHW input is supported, got pads [${pads.join(', ')}]`);
  return [{ kind: 'padded', t: x, pads: [pads[2], pads[3], pads[6], pads[7]] }];
}

const identity: OpHandler = (ctx) => [ctx.value(0)];

/** Every op the importer reads, by ONNX name. */
export const ONNX_OPS: Record<string, OpHandler> = {
  Conv: conv,
  ConvTranspose: convTranspose,
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
  MaxUnpool: maxUnpool,
  Resize: resize,
  Upsample: upsampleNode,
  Shape: shapeNode,
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
