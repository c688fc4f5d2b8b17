// ONNX files PyTorch wrote (scripts/torch_fixtures.py, opsets 11 to 17) imported and run on
// the CPU reference against PyTorch's float64 logits: within 1e-4 of the largest logit.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { importOnnx } from '../../src/io/onnx/onnx_import';
import { tensor } from '../../src/tensor';
import { fixtureBytes } from '../helpers/fixture_files';
import { relativeError, torchFixture } from '../helpers/torch_compare';
import { TORCH_FIXTURES } from '../fixtures/torch_models';

const cpu = new CpuBackend();

describe('importOnnx of PyTorch exports', () => {
  it.each(Object.keys(TORCH_FIXTURES))('%s: logits equal PyTorch', async (name) => {
    const model = importOnnx(await fixtureBytes(`torch/${name}.onnx`), { file: `${name}.onnx` }).build(cpu);
    const { expected } = await torchFixture(name);
    const x = expected.get('input')!;
    const xt = tensor(cpu, x.data, x.shape);
    const logits = await model.forward({ training: false, use: (t) => t }, xt).read();
    expect(relativeError(logits, expected.get('logits_eval')!.data)).toBeLessThan(1e-4);
  });
});

describe('importOnnx file forms', () => {
  it('opset 18 (the newest read) and external data files', async () => {
    const { onnx } = await import('../../src/io/onnx/onnx_proto');
    const original = await fixtureBytes('torch/lenet5.onnx');
    const { expected } = await torchFixture('lenet5');
    const x = expected.get('input')!;
    const logitsOf = async (bytes: Uint8Array, externalData?: Record<string, Uint8Array>) => {
      const model = importOnnx(bytes, { file: 'edited.onnx', externalData }).build(cpu);
      return model.forward({ training: false, use: (t) => t }, tensor(cpu, x.data, x.shape)).read();
    };
    const proto = onnx.ModelProto.decode(original);
    proto.opsetImport[0].version = 18;
    // fc1.weight's bytes move to an external file at an offset, as onnx.save_model(..., save_as_external_data=True) writes.
    const w = proto.graph!.initializer!.find((t) => t.name === 'fc1.weight')!;
    const blob = new Uint8Array(16 + w.rawData!.length);
    blob.set(w.rawData!, 16);
    w.externalData = [
      { key: 'location', value: 'weights.bin' },
      { key: 'offset', value: '16' },
      { key: 'length', value: String(w.rawData!.length) },
    ];
    w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    w.rawData = new Uint8Array();
    const bytes = onnx.ModelProto.encode(proto).finish();
    expect(relativeError(await logitsOf(bytes, { 'weights.bin': blob }), expected.get('logits_eval')!.data)).toBeLessThan(1e-4);
    expect(() => importOnnx(bytes, { file: 'edited.onnx' })).toThrow(
      "edited.onnx: tensor 'fc1.weight' keeps its data in the external file 'weights.bin'; pass it as importOnnx(bytes, { externalData: { 'weights.bin': bytes } })",
    );
  });
});

describe('importOnnx auto_pad', () => {
  it('SAME_UPPER puts the odd pixel at the bottom and right, SAME_LOWER at the top and left', async () => {
    const { onnx } = await import('../../src/io/onnx/onnx_proto');
    const { exportOnnx } = await import('../../src/io/onnx/onnx_export');
    const { sequential } = await import('../../src/nn/model');
    const { Conv2d } = await import('../../src/nn/conv_layers');
    const { Random } = await import('../../src/random');
    // 6x6 input, 3x3 kernel, stride 2: 'same' needs one pixel of padding in each direction.
    const net = (padding: [number, number, number, number]) =>
      sequential([1, 6, 6], [new Conv2d({ filters: 2, kernel: 3, stride: 2, padding, name: 'conv' })]).build(cpu, { seed: 1 });
    const x = new Random(2).uniformArray(36);
    const bytes = await exportOnnx(net([0, 0, 0, 0]));
    for (const [mode, padding] of [
      ['SAME_UPPER', [0, 0, 1, 1]],
      ['SAME_LOWER', [1, 1, 0, 0]],
    ] as const) {
      const proto = onnx.ModelProto.decode(bytes);
      const conv = proto.graph!.node!.find((n) => n.opType === 'Conv')!;
      conv.attribute = conv.attribute!.filter((a) => a.name !== 'pads');
      conv.attribute.push({ name: 'auto_pad', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(mode) });
      const imported = importOnnx(onnx.ModelProto.encode(proto).finish(), { file: `${mode}.onnx` }).build(cpu);
      expect([...(await imported.predict(x))], mode).toEqual([...(await net([...padding]).predict(x))]);
    }
  });
});
