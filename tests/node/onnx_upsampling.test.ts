// Going back up through ONNX: ConvTranspose, Resize (and the older Upsample), MaxPool's
// Indices into MaxUnpool. Exports run in ONNX Runtime (onnxruntime-node, CPU) with our CPU
// reference's outputs within 1e-5, and read back to the same outputs; hand-built graphs
// import to ONNX Runtime's outputs; what cannot be expressed is refused naming the node
// and the attribute.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { exportOnnx } from '../../src/io/onnx/onnx_export';
import { importOnnx } from '../../src/io/onnx/onnx_import';
import { onnx, type OnnxTypes } from '../../src/io/onnx/onnx_proto';
import { Conv2d } from '../../src/nn/conv_layers';
import { input } from '../../src/nn/layer';
import { Model } from '../../src/nn/model';
import { fcn8sMini, unetMini } from '../../src/nn/models/segmentation';
import { MaxPool2d } from '../../src/nn/pool_layers';
import { ConvTranspose2d, MaxPoolSwitches, MaxUnpool2d, Upsample } from '../../src/nn/upsampling_layers';
import { Random } from '../../src/random';
import { sizeOf, type Shape } from '../../src/shape';
import { tensor } from '../../src/tensor';

const cpu = new CpuBackend();

async function ours(model: Model, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const xt = tensor(cpu, x, shape);
  const y = model.forward({ training: false, use: (t) => t }, xt);
  const out = await y.read();
  xt.dispose();
  y.dispose();
  return out;
}

async function onnxRuntime(bytes: Uint8Array, x: Float32Array, shape: number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const { output } = await session.run({ input: new ort.Tensor('float32', x, shape) });
  return { data: output.data as Float32Array, dims: output.dims };
}

function maxAbsError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const randoms = (n: number, seed: number, scale = 1) => {
  const rng = new Random(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
};

/** Every way back up in one model: unpooling by switches, a transposed convolution, four Upsamples. */
function upNet(inputShape: Shape, unpoolSize?: [number, number]): Model {
  const x = input(inputShape);
  const enc = new Conv2d({ filters: 4, kernel: 3, padding: 1, activation: 'relu', name: 'enc' }).apply(x);
  const pooled = new MaxPool2d({ kernel: 2, name: 'pool' }).apply(enc);
  const switches = new MaxPoolSwitches({ kernel: 2, name: 'switches' }).apply(enc);
  const unpooled = new MaxUnpool2d({ kernel: 2, outputSize: unpoolSize, name: 'unpool' }).apply(pooled, switches);
  let h = new ConvTranspose2d({ filters: 6, kernel: 4, stride: 2, padding: 1, activation: 'relu', name: 'up' }).apply(unpooled);
  h = new ConvTranspose2d({ filters: 3, kernel: 3, stride: 2, padding: 1, outputPadding: 1, dilation: [1, 2], groups: 3, name: 'up_grouped' }).apply(h);
  h = new Upsample({ scale: 2, name: 'nearest_scale' }).apply(h);
  h = new Upsample({ size: [29, 23], mode: 'bilinear', name: 'bilinear_size' }).apply(h);
  h = new Upsample({ scale: [0.5, 1.5], mode: 'bilinear', alignCorners: true, name: 'bilinear_corners' }).apply(h);
  h = new Upsample({ size: [11, 1], mode: 'bilinear', name: 'bilinear_to_one' }).apply(h);
  return new Model(x, new Upsample({ size: [13, 4], name: 'nearest_size' }).apply(h), 'up-net');
}

describe('exportOnnx of the layers going back up runs in ONNX Runtime with our outputs', () => {
  it.each([
    ['even input, default unpooling size', [2, 8, 6], undefined],
    ["odd input, unpooling to the pool's input size (output_shape from Shape)", [2, 7, 5], [7, 5]],
  ] as const)('%s', async (_name, inputShape, unpoolSize) => {
    const model = upNet([...inputShape], unpoolSize ? [...unpoolSize] : undefined).build(cpu, { seed: 3 });
    const batch = 2;
    const shape = [batch, ...inputShape];
    const x = randoms(batch * sizeOf(inputShape), 4);
    const bytes = await exportOnnx(model);
    const ops = onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType);
    expect(ops).toEqual(expect.arrayContaining(['ConvTranspose', 'Resize', 'MaxUnpool']));
    expect(ops.includes('Shape')).toBe(!!unpoolSize);
    const expected = await ours(model, x, shape);
    const runtime = await onnxRuntime(bytes, x, shape);
    expect([...runtime.dims]).toEqual([batch, ...model.output.shape]);
    const error = maxAbsError(runtime.data, expected);
    console.log(
      `up-net ${inputShape.join('x')}: max |ONNX Runtime - ours| = ${error.toExponential(2)} over ${expected.length} outputs, largest ${Math.max(...Array.from(expected, Math.abs)).toFixed(2)}`,
    );
    expect(error).toBeLessThan(1e-5);
    // Read back, every Resize maps coordinates with the ratio the model used (the scales are chosen so): the same outputs.
    const back = importOnnx(bytes, { file: 'up-net.onnx' }).build(cpu);
    expect(maxAbsError(await ours(back, x, shape), expected)).toBe(0);
  });

  it.each([
    ['fcn8s-mini', () => fcn8sMini([3, 32, 32], 5)],
    ['unet-mini', () => unetMini([3, 16, 16], 5)],
  ] as const)("%s (the zoo's segmentation nets, smaller inputs)", async (name, make) => {
    const model = make().build(cpu, { seed: 2 });
    const shape = [2, ...model.input.shape];
    const x = randoms(sizeOf(shape), 3);
    const bytes = await exportOnnx(model);
    const expected = await ours(model, x, shape);
    const error = maxAbsError((await onnxRuntime(bytes, x, shape)).data, expected);
    console.log(
      `${name}: max |ONNX Runtime - ours| = ${error.toExponential(2)} over ${expected.length} outputs, largest ${Math.max(...Array.from(expected, Math.abs)).toFixed(2)}`,
    );
    expect(error).toBeLessThan(1e-5);
    expect(maxAbsError(await ours(importOnnx(bytes, { file: `${name}.onnx` }).build(cpu), x, shape), expected)).toBe(0);
  });

  it("refuses unpooling that ONNX's MaxUnpool cannot repeat, naming the layer", async () => {
    const x = input([2, 6, 6]);
    const switches = new MaxPoolSwitches({ kernel: 2, name: 'switches' }).apply(x);
    const pooled = new MaxPool2d({ kernel: 2 }).apply(x);
    const wider = new MaxUnpool2d({ kernel: 2, outputSize: [7, 7], name: 'wider' }).apply(pooled, switches);
    await expect(exportOnnx(new Model(x, wider).build(cpu))).rejects.toThrow(
      "exportOnnx: unpooling 'wider' outputs [2,7,7] per example, neither ONNX's default 6x6 nor its pool's input [2,6,6]",
    );
    const fromInput = new MaxUnpool2d({ kernel: 2, name: 'raw' }).apply(pooled, pooled);
    await expect(exportOnnx(new Model(x, fromInput).build(cpu))).rejects.toThrow(
      "exportOnnx: unpooling 'raw' reads its switches from 'maxpool2d_1' (maxpool2d), not from a MaxPoolSwitches",
    );
  });
});

// Hand-built graphs, as another exporter would write them.
const A = onnx.AttributeProto.AttributeType;
type AttrValue = number | number[] | string | { floats: number[] };

function node(opType: string, inputs: string[], output: string | string[], attrs: Record<string, AttrValue> = {}): OnnxTypes.INodeProto {
  const attribute = Object.entries(attrs).map(([name, v]): OnnxTypes.IAttributeProto => {
    if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
    if (typeof v === 'number') return { name, type: A.INT, i: v };
    if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
    return { name, type: A.FLOATS, floats: v.floats };
  });
  return { opType, input: inputs, output: Array.isArray(output) ? output : [output], name: Array.isArray(output) ? output[0] : output, attribute };
}

const floats = (name: string, dims: number[], data: ArrayLike<number>): OnnxTypes.ITensorProto => ({
  name,
  dims,
  dataType: onnx.TensorProto.DataType.FLOAT,
  floatData: [...Array.from(data)],
});
const int64s = (name: string, data: number[]): OnnxTypes.ITensorProto => ({
  name,
  dims: [data.length],
  dataType: onnx.TensorProto.DataType.INT64,
  int64Data: data,
});

function graph(nodes: OnnxTypes.INodeProto[], initializer: OnnxTypes.ITensorProto[], inputShape: number[], opset: number): Uint8Array {
  const dims = (shape: number[]) => ({ dim: shape.map((d, i) => (i === 0 ? { dimParam: 'batch' } : { dimValue: d })) });
  const valueInfo = (name: string, shape?: number[]): OnnxTypes.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, ...(shape ? { shape: dims(shape) } : {}) } },
  });
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: opset }],
    graph: { name: 'hand', node: nodes, initializer, input: [valueInfo('input', inputShape)], output: [valueInfo('output')] },
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** Imports `bytes`, runs it and ONNX Runtime on the same batch; the largest difference. */
async function againstRuntime(bytes: Uint8Array, shape: number[], file: string): Promise<number> {
  const x = randoms(sizeOf(shape), 8);
  const runtime = await onnxRuntime(bytes, x, shape);
  const model = importOnnx(bytes, { file }).build(cpu);
  expect([shape[0], ...model.output.shape]).toEqual([...runtime.dims]);
  const error = maxAbsError(await ours(model, x, shape), runtime.data);
  console.log(`${file}: max |ours - ONNX Runtime| = ${error.toExponential(2)}, largest output ${Math.max(...Array.from(runtime.data, Math.abs)).toFixed(2)}`);
  return error;
}

/** ConvTranspose with asymmetric pads, grouped with output_shape, then every Resize this engine reads. */
function handBuilt(opset: number, resize: (x: string, out: string) => { nodes: OnnxTypes.INodeProto[]; inits: OnnxTypes.ITensorProto[] }): Uint8Array {
  // Weights of He's scale keep every value near 1, so 1e-5 is float32's rounding, not the values' size.
  const w1 = randoms(2 * 3 * 3 * 3, 11, Math.sqrt(2 / 18));
  const w2 = randoms(3 * 1 * 2 * 2, 12, Math.sqrt(2 / 4));
  const tail = resize('t2', 'output');
  return graph(
    [
      // pads [top 1, left 0, bottom 0, right 0] with output_padding [0, 1]: PyTorch's padding [1, 0], output_padding [1, 1].
      node('ConvTranspose', ['input', 'w1', 'b1'], 't1', { strides: [2, 2], pads: [1, 0, 0, 0], output_padding: [0, 1], kernel_shape: [3, 3] }),
      // 10x10 -> 21x11 at stride [2, 1], dilation [2, 1], less one pixel on each side.
      node('ConvTranspose', ['t1', 'w2'], 't2', { strides: [2, 1], dilations: [2, 1], group: 3, pads: [1, 1, 1, 1] }),
      ...tail.nodes,
    ],
    [floats('w1', [2, 3, 3, 3], w1), floats('b1', [3], randoms(3, 13)), floats('w2', [3, 1, 2, 2], w2), ...tail.inits],
    [2, 2, 5, 4],
    opset,
  );
}

describe('importOnnx of ConvTranspose and Resize matches ONNX Runtime', () => {
  it('opset 13: nearest by scales, linear half_pixel by sizes, align_corners shrinking, pytorch_half_pixel', async () => {
    const bytes = handBuilt(13, (x, out) => ({
      nodes: [
        node('Resize', [x, '', 'near_scales'], 'r1', { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }),
        node('Resize', ['r1', '', '', 'half_sizes'], 'r2', { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }),
        node('Resize', ['r2', '', 'corner_scales'], 'r3', { mode: 'linear', coordinate_transformation_mode: 'align_corners' }),
        node('Resize', ['r3', '', 'torch_scales'], out, { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }),
      ],
      inits: [
        floats('near_scales', [4], [1, 1, 2, 1.5]),
        int64s('half_sizes', [2, 3, 41, 17]),
        floats('corner_scales', [4], [1, 1, 0.5, 0.75]),
        floats('torch_scales', [4], [1, 1, 1.5, 2]),
      ],
    }));
    expect(await againstRuntime(bytes, [2, 2, 5, 4], 'resize13.onnx')).toBeLessThan(1e-5);
  });

  it('opset 11 (roi and an empty scales before sizes), opset 18 axes, opset 10 Resize and opset 9 Upsample', async () => {
    const opset11 = handBuilt(11, (x, out) => ({
      nodes: [node('Resize', [x, 'roi', 'no_scales', 'sizes'], out, { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' })],
      inits: [floats('roi', [0], []), floats('no_scales', [0], []), int64s('sizes', [2, 3, 50, 23])],
    }));
    expect(await againstRuntime(opset11, [2, 2, 5, 4], 'resize11.onnx')).toBeLessThan(1e-5);
    const opset18 = handBuilt(18, (x, out) => ({
      nodes: [node('Resize', [x, '', 'hw_scales'], out, { mode: 'linear', coordinate_transformation_mode: 'half_pixel', axes: [2, 3] })],
      inits: [floats('hw_scales', [2], [1.25, 3])],
    }));
    expect(await againstRuntime(opset18, [2, 2, 5, 4], 'resize18.onnx')).toBeLessThan(1e-5);
    const opset10 = graph([node('Resize', ['input', 's'], 'output', { mode: 'nearest' })], [floats('s', [4], [1, 1, 3, 2])], [1, 2, 3, 4], 10);
    expect(await againstRuntime(opset10, [2, 2, 3, 4], 'resize10.onnx')).toBe(0);
    const opset9 = graph([node('Upsample', ['input', 's'], 'output', { mode: 'nearest' })], [floats('s', [4], [1, 1, 2, 3])], [1, 2, 3, 4], 9);
    expect(await againstRuntime(opset9, [2, 2, 3, 4], 'upsample9.onnx')).toBe(0);
  });

  it('ConvTranspose with output_shape or SAME_UPPER where the total padding is even', async () => {
    // ONNX's shape inference gives a rank-3 output for output_shape, so nothing follows the node here.
    // A 4x2 kernel of dilation [1, 2] at strides [2, 1] over 10x10 gives 22x12: two rows and columns too many for 20x10.
    for (const attrs of [{ output_shape: [20, 10] }, { auto_pad: 'SAME_UPPER' }, { auto_pad: 'SAME_LOWER' }] as Record<string, AttrValue>[]) {
      const bytes = graph(
        [node('ConvTranspose', ['input', 'w', 'b'], 'output', { strides: [2, 1], dilations: [1, 2], group: 3, ...attrs })],
        [floats('w', [3, 1, 4, 2], randoms(24, 5)), floats('b', [3], randoms(3, 6))],
        [1, 3, 10, 10],
        13,
      );
      expect(await againstRuntime(bytes, [2, 3, 10, 10], 'convt.onnx'), JSON.stringify(attrs)).toBeLessThan(1e-5);
    }
  });

  it('MaxPool with Indices into MaxUnpool, output_shape a constant', async () => {
    const bytes = graph(
      [
        node('MaxPool', ['input'], ['pooled', 'indices'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
        node('Relu', ['pooled'], 'activated'),
        node('MaxUnpool', ['activated', 'indices', 'shape'], 'output', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
      ],
      [int64s('shape', [2, 3, 6, 7])],
      [2, 3, 6, 7],
      13,
    );
    expect(await againstRuntime(bytes, [2, 3, 6, 7], 'unpool.onnx')).toBe(0);
  });
});

describe('importOnnx refuses what it cannot express, naming the node and the attribute', () => {
  const resizeGraph = (attrs: Record<string, AttrValue>, scales = [1, 1, 2, 2], opset = 13) =>
    graph([node('Resize', ['input', '', 's'], 'output', attrs)], [floats('s', [4], scales)], [1, 2, 4, 4], opset);
  it.each([
    [{ mode: 'cubic' }, "node 'output' (Resize): mode cubic is not supported; only nearest and linear (bilinear)"],
    [
      { mode: 'nearest' },
      "node 'output' (Resize): mode nearest with coordinate_transformation_mode half_pixel and nearest_mode round_prefer_floor is not supported; only coordinate_transformation_mode asymmetric with nearest_mode floor",
    ],
    [
      { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'round_prefer_ceil' },
      "node 'output' (Resize): mode nearest with coordinate_transformation_mode asymmetric and nearest_mode round_prefer_ceil is not supported",
    ],
    [
      { mode: 'linear', coordinate_transformation_mode: 'asymmetric' },
      "node 'output' (Resize): mode linear with coordinate_transformation_mode asymmetric is not supported; only half_pixel, pytorch_half_pixel",
    ],
    [
      { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize' },
      "node 'output' (Resize): mode linear with coordinate_transformation_mode tf_crop_and_resize is not supported",
    ],
  ] as const)('Resize %j', (attrs, message) => {
    expect(() => importOnnx(resizeGraph(attrs), { file: 'r.onnx' })).toThrow(`r.onnx: ${message}`);
  });

  it('other Resize, Upsample, ConvTranspose and MaxUnpool forms', () => {
    expect(() => importOnnx(resizeGraph({ mode: 'linear', antialias: 1 }, [1, 1, 0.5, 0.5], 18), { file: 'a.onnx' })).toThrow(
      "a.onnx: node 'output' (Resize): antialias 1 is not supported; only 0",
    );
    expect(() =>
      importOnnx(resizeGraph({ mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }, [1, 1, 0.25, 1]), { file: 'p.onnx' }),
    ).toThrow(
      "p.onnx: node 'output' (Resize): coordinate_transformation_mode pytorch_half_pixel with an output of 1 pixel on an axis (1x4 from [2,4,4]) is not supported",
    );
    expect(() =>
      importOnnx(resizeGraph({ mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, [1, 2, 2, 2]), { file: 'c.onnx' }),
    ).toThrow("c.onnx: node 'output' (Resize): scales [1, 2, 2, 2] resize the batch or channel axis");
    const upsample = graph([node('Upsample', ['input', 's'], 'output', { mode: 'linear' })], [floats('s', [4], [1, 1, 2, 2])], [1, 2, 4, 4], 9);
    expect(() => importOnnx(upsample, { file: 'u.onnx' })).toThrow(
      "u.onnx: node 'output' (Upsample): mode linear is not supported: Upsample of opset 9 maps coordinates as asymmetric",
    );
    const convT = (attrs: Record<string, AttrValue>) =>
      graph([node('ConvTranspose', ['input', 'w'], 'output', attrs)], [floats('w', [2, 1, 3, 3], randoms(18, 1))], [1, 2, 4, 4], 13);
    expect(() => importOnnx(convT({ strides: [2, 2], auto_pad: 'SAME_UPPER' }), { file: 't.onnx' })).toThrow(
      "t.onnx: node 'output' (ConvTranspose): auto_pad SAME_UPPER needs a total padding of [1, 1] for input [2,4,4]; only even, non-negative totals",
    );
    expect(() => importOnnx(convT({ strides: [2, 2], output_shape: [10, 8] }), { file: 't.onnx' })).toThrow(
      "t.onnx: node 'output' (ConvTranspose): output_shape [10, 8] needs a total padding of [-1, 1]",
    );
    expect(() => importOnnx(convT({ pads: [0, 0, 1, 0] }), { file: 't.onnx' })).toThrow(
      "t.onnx: node 'output' (ConvTranspose): pads [0, 0, 1, 0] crop more at the end of an axis than at its start",
    );
    const pool = (
      extra: OnnxTypes.INodeProto[],
      attrs: Record<string, AttrValue> = {},
      unpool: Record<string, AttrValue> = { kernel_shape: [2, 2], strides: [2, 2] },
    ) =>
      graph(
        [
          node('MaxPool', ['input'], ['p', 'i'], { kernel_shape: [2, 2], strides: [2, 2], ...attrs }),
          ...extra,
          node('MaxUnpool', ['p', 'i'], 'output', unpool),
        ],
        [],
        [1, 2, 4, 4],
        13,
      );
    expect(() => importOnnx(pool([node('Add', ['i', 'i'], 'j')]), { file: 'i.onnx' })).toThrow(
      "i.onnx: node 'p' (MaxPool): its Indices output 'i' is read by node 'j' (Add); only MaxUnpool's indices input reads it here",
    );
    expect(() => importOnnx(pool([], { storage_order: 1 }), { file: 'i.onnx' })).toThrow(
      "i.onnx: node 'p' (MaxPool): storage_order 1 (column-major Indices) is not supported",
    );
    expect(() => importOnnx(pool([], {}, { kernel_shape: [2, 2], strides: [1, 1] }), { file: 'i.onnx' })).toThrow(
      "i.onnx: node 'output' (MaxUnpool): kernel_shape [2, 2], strides [1, 1], pads [0, 0, 0, 0] differ from those of the MaxPool 'p' that made its indices",
    );
    const foreign = graph(
      [
        node('MaxPool', ['input'], 'p', { kernel_shape: [2, 2], strides: [2, 2] }),
        node('MaxUnpool', ['p', 'idx'], 'output', { kernel_shape: [2, 2], strides: [2, 2] }),
      ],
      [int64s('idx', [0])],
      [1, 2, 4, 4],
      13,
    );
    expect(() => importOnnx(foreign, { file: 'f.onnx' })).toThrow(
      "f.onnx: node 'output' (MaxUnpool): input 1 ('idx') must be the Indices output of a MaxPool in this graph",
    );
  });
});
