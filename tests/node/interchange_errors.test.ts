// Bad files name the file, node or tensor and change no weight; state-dict dtypes,
// strict: false, rename and the square-Linear transpose; an imported network fine-tunes.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { exportOnnx } from '../../src/io/onnx/onnx_export';
import { importOnnx } from '../../src/io/onnx/onnx_import';
import { onnx } from '../../src/io/onnx/onnx_proto';
import { serializeSafetensors } from '../../src/io/safetensors';
import { exportStateDict, loadStateDict } from '../../src/io/state_dict';
import { Dense } from '../../src/nn/dense_layers';
import type { Model } from '../../src/nn/model';
import { sequential } from '../../src/nn/model';
import { Trainer } from '../../src/training/trainer';
import { lenet5 } from '../../src/nn/zoo';
import { tensor } from '../../src/tensor';
import { fixtureBytes } from '../helpers/fixture_files';
import { stripes } from '../nn/helpers';
import { TORCH_FIXTURES, LENET5_RENAME } from '../fixtures/torch_models';

const cpu = new CpuBackend();

async function snapshot(model: Model): Promise<Float32Array[]> {
  return Promise.all(model.params().map((p) => p.tensor.read()));
}

/** Rewrites a .onnx through a function of its decoded proto. */
function edited(bytes: Uint8Array, edit: (m: ReturnType<typeof onnx.ModelProto.decode>) => void): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  edit(m);
  return onnx.ModelProto.encode(m).finish();
}

describe('bad ONNX files', () => {
  it('a truncated protobuf names the file', async () => {
    const bytes = await fixtureBytes('torch/lenet5.onnx');
    expect(() => importOnnx(bytes.subarray(0, bytes.length >> 1), { file: 'cut.onnx' })).toThrow(/^cut\.onnx: not a readable ONNX protobuf \(\d+ bytes\)/);
  });

  it('an unsupported op names the op, the node and what is supported', async () => {
    const bytes = edited(await fixtureBytes('torch/lenet5.onnx'), (m) => (m.graph!.node![1].opType = 'GridSample'));
    expect(() => importOnnx(bytes, { file: 'r.onnx' })).toThrow(
      /^r\.onnx: node '\/Relu' uses op GridSample, which is not supported; supported: Add, AveragePool, BatchNormalization, Clip, Concat, Constant, Conv, ConvTranspose/,
    );
  });

  it('a weight that does not fit names the node and both shapes', async () => {
    const bytes = edited(await fixtureBytes('torch/lenet5.onnx'), (m) => {
      const w = m.graph!.initializer!.find((t) => t.name === 'fc1.weight')!;
      w.dims = [120, 300];
      w.rawData = w.rawData!.subarray(0, 120 * 300 * 4);
    });
    expect(() => importOnnx(bytes, { file: 'w.onnx' })).toThrow(
      /^w\.onnx: node '\/fc1\/Gemm' \(Gemm\): .*weight has shape \[300,120\] but the layer needs \[400,120\] for input \[400\] per example/,
    );
  });

  it('an opset out of range and a second input are refused', async () => {
    const old = edited(await fixtureBytes('torch/lenet5.onnx'), (m) => (m.opsetImport![0].version = 6));
    expect(() => importOnnx(old, { file: 'o.onnx' })).toThrow('o.onnx: opset 6 of the default domain; supported: 7 to 18');
    const two = edited(await fixtureBytes('torch/lenet5.onnx'), (m) => m.graph!.input!.push({ name: 'extra' }));
    expect(() => importOnnx(two, { file: 't.onnx' })).toThrow('t.onnx: the graph has 2 inputs (input, extra)');
  });
});

describe('bad state dicts', () => {
  it('a state dict of another architecture names what is missing and changes no weight', async () => {
    const model = TORCH_FIXTURES.inception_module.make().build(cpu, { seed: 1 });
    const before = await snapshot(model);
    const other = await fixtureBytes('torch/residual_stage.state.safetensors');
    expect(() => loadStateDict(model, other, { file: 'resnet.safetensors' })).toThrow(
      /^resnet\.safetensors: missing 35 tensor\(s\) of inception_module: conv1\.conv\.weight, conv1\.bn\.weight/,
    );
    expect(await snapshot(model)).toEqual(before);
  });

  it('a wrong shape, an integer weight or a NaN names the tensor and changes no weight', async () => {
    const model = lenet5().build(cpu, { seed: 1 });
    const before = await snapshot(model);
    const good = await exportStateDict(model);
    const file = (tensors: Parameters<typeof serializeSafetensors>[0]) => serializeSafetensors(tensors);
    const base = (await import('../../src/io/safetensors')).parseSafetensors(good, 'good').tensors;
    const replace = (name: string, t: object) => base.map((b) => (b.name === name ? { ...b, ...t } : b));
    expect(() => loadStateDict(model, file(replace('dense_3.weight', { shape: [84, 10], data: new Float32Array(840) })), { file: 's.st' })).toThrow(
      "s.st: tensor 'dense_3.weight' has shape [84,10] but lenet5 needs [10,84] (PyTorch Linear layout [out, in])",
    );
    expect(() => loadStateDict(model, file(replace('dense_3.bias', { dtype: 'I64' })), { file: 's.st' })).toThrow(
      "s.st: tensor 'dense_3.bias' is I64, but dense_3.bias of lenet5 is a float weight",
    );
    const nan = new Float32Array(10);
    nan[3] = NaN;
    expect(() => loadStateDict(model, file(replace('dense_3.bias', { data: nan })), { file: 's.st' })).toThrow(
      "s.st: tensor 'dense_3.bias' holds NaN at index 3; nothing was loaded",
    );
    expect(await snapshot(model)).toEqual(before);
  });
});

describe('state dict details', () => {
  it('F16, BF16 and F64 values convert; I64 num_batches_tracked is accepted', async () => {
    const model = sequential([2], [new Dense({ units: 2, name: 'fc' })]).build(cpu);
    const header = {
      __metadata__: { format: 'pt' },
      'fc.weight': { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] },
      'fc.bias': { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
    };
    const json = new TextEncoder().encode(JSON.stringify(header).padEnd(160, ' '));
    const bytes = new Uint8Array(8 + json.length + 12);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    // F16: 1, 2, -0.5, 0.25 ([out, in]); BF16: 3, -1.5.
    [0x3c00, 0x4000, 0xb800, 0x3400].forEach((h, i) => view.setUint16(8 + json.length + i * 2, h, true));
    [0x4040, 0xbfc0].forEach((h, i) => view.setUint16(8 + json.length + 8 + i * 2, h, true));
    loadStateDict(model, bytes);
    // Transposed into [in, out]: the square layer would take the wrong orientation without a transpose.
    expect([...(await model.params()[0].tensor.read())]).toEqual([1, -0.5, 2, 0.25]);
    expect([...(await model.params()[1].tensor.read())]).toEqual([3, -1.5]);
    const f64 = serializeSafetensors([
      { name: 'fc.weight', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
      { name: 'fc.bias', shape: [2], data: Float32Array.of(0, 0) },
    ]);
    loadStateDict(model, f64);
    const y = await model.forward({ training: false, use: (t) => t }, tensor(cpu, Float32Array.of(1, 10), [1, 2])).read();
    expect([...y]).toEqual([1 * 1 + 2 * 10, 3 * 1 + 4 * 10]); // PyTorch: y = W x, W [out, in]
  });

  it("strict: false loads the body under a new head and says what it skipped; rename maps a user's names", async () => {
    const bytes = await fixtureBytes('torch/lenet5.state.safetensors');
    const model = lenet5([1, 28, 28], 5).build(cpu, { seed: 2 });
    const head = await model
      .params()
      .find((p) => p.name === 'dense_3.weight')!
      .tensor.read();
    expect(() => loadStateDict(model, bytes, { rename: LENET5_RENAME })).toThrow(
      "tensor 'fc3.weight' (as 'dense_3.weight') has shape [10,84] but lenet5 needs [5,84]",
    );
    const result = loadStateDict(model, bytes, { rename: LENET5_RENAME, strict: false });
    expect(result.loaded).toEqual([
      'conv2d_1.weight',
      'conv2d_1.bias',
      'conv2d_2.weight',
      'conv2d_2.bias',
      'dense_1.weight',
      'dense_1.bias',
      'dense_2.weight',
      'dense_2.bias',
    ]);
    expect(result.skipped.map((s) => s.key)).toEqual(['fc3.weight', 'fc3.bias']);
    expect(result.missing).toEqual(['dense_3.weight', 'dense_3.bias']);
    expect(
      await model
        .params()
        .find((p) => p.name === 'dense_3.weight')!
        .tensor.read(),
    ).toEqual(head);
    const dropped = loadStateDict(model, bytes, { rename: (k) => (k.startsWith('fc3') ? null : LENET5_RENAME[k]), strict: false });
    expect(dropped.skipped).toEqual([
      { key: 'fc3.weight', reason: 'renamed to null' },
      { key: 'fc3.bias', reason: 'renamed to null' },
    ]);
  });
});

describe('an imported network fine-tunes', () => {
  it('lenet5.onnx trains on the CPU reference: the loss falls and the export carries the new weights', async () => {
    const model = importOnnx(await fixtureBytes('torch/lenet5.onnx'), { file: 'lenet5.onnx' }).build(cpu);
    const data = stripes(64, 4, 28, 3);
    const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 1e-3 }, batchSize: 16 });
    const reports = await trainer.fit(data, { epochs: 4 });
    expect(reports[3].loss, reports.map((r) => r.loss.toFixed(3)).join(' ')).toBeLessThan(reports[0].loss * 0.6);
    const after = importOnnx(await exportOnnx(model)).build(cpu);
    expect(await snapshot(after)).toEqual(await snapshot(model));
  }, 120_000);
});
