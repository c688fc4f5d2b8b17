import { describe, expect, it } from 'vitest';
import { lenet5, loadCheckpoint, parseSafetensors, saveCheckpoint, serializeSafetensors, Trainer, convBn } from '../../src/index';
import { cpu, gpuBackend } from '../helpers/backends';
import { stripes } from '../nn/helpers';

describe('safetensors', () => {
  it('round-trips names, shapes, values and metadata; the header is 8-byte aligned JSON', () => {
    const bytes = serializeSafetensors(
      [
        { name: 'a', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, -6.5) },
        { name: 'b', shape: [], data: Float32Array.of(7) },
      ],
      { note: 'x' },
    );
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header.a).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    const back = parseSafetensors(bytes, 'x.safetensors');
    expect(back.metadata).toEqual({ note: 'x' });
    expect(back.tensors.map((t) => [t.name, [...t.shape], [...t.data]])).toEqual([
      ['a', [2, 3], [1, 2, 3, 4, 5, -6.5]],
      ['b', [], [7]],
    ]);
  });

  const good = () => serializeSafetensors([{ name: 'w', shape: [4], data: Float32Array.of(1, 2, 3, 4) }]);
  const withHeader = (h: object, data = new Uint8Array(16)) => {
    const json = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(data, 8 + json.length);
    return out;
  };

  it('rejects truncated files, bad headers, dtypes, shapes and offsets with the file and tensor named', () => {
    expect(() => parseSafetensors(new Uint8Array(5), 'f.st')).toThrow('f.st: 5 bytes is too short for a safetensors file');
    expect(() => parseSafetensors(good().subarray(0, 20), 'f.st')).toThrow(/f.st: header length \d+ exceeds the file's remaining 12 bytes/);
    expect(() => parseSafetensors(good().subarray(0, good().length - 4), 'f.st')).toThrow(
      "f.st: tensor 'w' ends at byte 16 of the data but the file has only 12 data bytes (truncated)",
    );
    const notJson = good();
    notJson[9] = 0x7b;
    notJson[10] = 0x7b;
    expect(() => parseSafetensors(notJson, 'f.st')).toThrow('is not valid UTF-8 JSON');
    expect(() => parseSafetensors(withHeader({ w: { dtype: 'C64', shape: [8], data_offsets: [0, 64] } }), 'f.st')).toThrow(
      'f.st: tensor \'w\' has dtype "C64"; supported: F32, F16',
    );
    expect(() => parseSafetensors(withHeader({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }), 'f.st')).toThrow(
      "f.st: tensor 'w' (F32) of shape [3] needs 12 bytes but data_offsets [0, 16] hold 16",
    );
    expect(() =>
      parseSafetensors(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }), 'f.st'),
    ).toThrow("f.st: tensor 'b' starts at byte 4, expected 8");
    expect(() => parseSafetensors(withHeader({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }), 'f.st')).toThrow(
      'f.st: 8 data bytes after the last tensor',
    );
  });
});

describe('checkpoints', () => {
  it('save and load restore weights, running statistics and Adam state, so training continues identically', async () => {
    const gpu = await gpuBackend();
    const data = stripes(128, 4, 16);
    const run = async (trainer: Trainer) => {
      const losses: number[] = [];
      await trainer.fit(data, { epochs: 1, onBatch: (r) => void losses.push(r.loss) });
      return losses;
    };
    const a = convBn([1, 16, 16], 4).build(gpu, { seed: 1 });
    const ta = new Trainer(a, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 32, seed: 3 });
    await run(ta);
    const bytes = await saveCheckpoint(a, ta.optimizer);
    const continued = await run(ta);

    // Same architecture and seed (dropout masks come from the model seed), but trained
    // elsewhere first so every weight, statistic and moment differs before loading.
    const b = convBn([1, 16, 16], 4).build(gpu, { seed: 1 });
    const tb = new Trainer(b, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 32, seed: 3 });
    await tb.fit(stripes(96, 4, 16, 77), { epochs: 1 });
    expect(await b.params()[0].tensor.read()).not.toEqual(await a.params()[0].tensor.read());
    loadCheckpoint(b, bytes, 'ckpt.safetensors', tb.optimizer);
    expect(tb.optimizer.steps).toBe(4);
    const resumed = await run(tb);
    resumed.forEach((l, i) => expect(l).toBeCloseTo(continued[i], 5));
    ta.dispose();
    tb.dispose();
  });

  it('a corrupt, truncated or mismatched file changes no weight', async () => {
    const model = lenet5().build(cpu, { seed: 1 });
    const bytes = await saveCheckpoint(model);
    const other = lenet5().build(cpu, { seed: 2 });
    const before = await Promise.all(other.params().map((p) => p.tensor.read()));
    expect(() => loadCheckpoint(other, bytes.subarray(0, bytes.length - 100), 'cut.safetensors')).toThrow(
      /cut.safetensors: tensor '.*' ends at byte \d+ of the data but the file has only \d+ data bytes \(truncated\)/,
    );
    const wrong = await saveCheckpoint(lenet5([1, 28, 28], 7).build(cpu));
    expect(() => loadCheckpoint(other, wrong, 'seven.safetensors')).toThrow(
      "seven.safetensors: tensor 'dense_3.weight' has shape [84,7] but lenet5 needs [84,10]",
    );
    const bn = await saveCheckpoint(convBn().build(cpu));
    expect(() => loadCheckpoint(other, bn, 'bn.safetensors')).toThrow(
      'bn.safetensors: missing 4 tensor(s) of lenet5: conv2d_1.bias, conv2d_2.bias, dense_3.weight, dense_3.bias',
    );
    const after = await Promise.all(other.params().map((p) => p.tensor.read()));
    expect(after).toEqual(before);
    loadCheckpoint(other, bytes, 'good.safetensors');
    expect(await other.params()[0].tensor.read()).toEqual(await model.params()[0].tensor.read());
  });
});

describe('checkpoint metadata is checked like the tensors', () => {
  /** A checkpoint of `model` with `fields` replaced in its header. */
  let base: ReturnType<typeof parseSafetensors> | null = null;
  const withFields = async (fields: Record<string, unknown>) => {
    if (!base) {
      const model = lenet5([1, 16, 16], 4).build(cpu, { seed: 1 });
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 32 });
      await trainer.fit(stripes(64, 4, 16), { epochs: 1 });
      base = parseSafetensors(await trainer.saveCheckpoint(), 'x');
      trainer.dispose();
    }
    return serializeSafetensors(base.tensors, { ...base.metadata, ...(fields as Record<string, string>) });
  };

  it('refuses optimizer_steps "abc", "-5", "1.5", "1e3", "" and other bad progress fields, changing nothing', async () => {
    const model = lenet5([1, 16, 16], 4).build(cpu, { seed: 9 });
    const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 32 });
    const before = await Promise.all(model.params().map((p) => p.tensor.read()));
    const cases: [Record<string, unknown>, string][] = [
      [{ optimizer_steps: 'abc' }, `f.st: metadata field 'optimizer_steps' must be a non-negative integer, got "abc"`],
      [{ optimizer_steps: '-5' }, `got "-5"`],
      [{ optimizer_steps: '1.5' }, `got "1.5"`],
      [{ optimizer_steps: '1e3' }, `got "1e3"`],
      [{ optimizer_steps: '' }, `got ""`],
      [{ optimizer_steps: '99999999999999999999' }, `got "99999999999999999999"`],
      [{ epoch: 'two' }, `f.st: metadata field 'epoch' must be a non-negative integer, got "two"`],
      [{ epoch_loss_sum: 'NaN' }, `f.st: metadata field 'epoch_loss_sum' must be a finite non-negative number, got "NaN"`],
      [{ epoch_correct: '70', epoch_seen: '64' }, 'f.st: metadata says 70 correct of 64 examples seen this epoch'],
      [{ epoch_step: '5' }, 'f.st: metadata says 5 steps into the epoch but only 2 optimizer steps in all'],
      [{ optimizer: 'rmsprop' }, `f.st: metadata field 'optimizer' must be one of sgd, adam, adamw, got "rmsprop"`],
      [{ optimizer: 'sgd' }, 'f.st: optimizer state is for sgd, not adam'],
      [{ format: 'other 2' }, `f.st: metadata field 'format' is "other 2"`],
      [{ optimizer_steps: 5 }, `f.st: metadata field 'optimizer_steps' must be a string`],
    ];
    for (const [fields, message] of cases) {
      const bytes = await withFields(fields);
      expect(() => trainer.loadCheckpoint(bytes, 'f.st'), JSON.stringify(fields)).toThrow(message);
    }
    const noSteps = parseSafetensors(await withFields({}), 'x');
    delete (noSteps.metadata as Record<string, string>).optimizer_steps;
    expect(() => trainer.loadCheckpoint(serializeSafetensors(noSteps.tensors, noSteps.metadata), 'f.st')).toThrow(
      'f.st: the file has optimizer state but no optimizer_steps',
    );
    expect(await Promise.all(model.params().map((p) => p.tensor.read()))).toEqual(before);
    expect(trainer.optimizer.steps).toBe(0);
    expect(trainer.progress.epoch).toBe(0);
    trainer.loadCheckpoint(await withFields({}), 'good.st');
    expect(trainer.optimizer.steps).toBe(2);
    expect(trainer.progress.epoch).toBe(1);
  });

  it('refuses tensors holding NaN or infinity, and negative variances, naming the tensor and the index', async () => {
    const model = convBn([1, 16, 16], 4).build(cpu, { seed: 1 });
    const good = parseSafetensors(await saveCheckpoint(model), 'x');
    const spoil = (name: string, index: number, value: number) =>
      serializeSafetensors(
        good.tensors.map((t) => (t.name === name ? { ...t, data: Float32Array.from(t.data, (v, i) => (i === index ? value : v)) } : t)),
        good.metadata,
      );
    const other = convBn([1, 16, 16], 4).build(cpu, { seed: 2 });
    expect(() => loadCheckpoint(other, spoil('conv2d_1.weight', 3, NaN), 'nan.st')).toThrow(
      "nan.st: tensor 'conv2d_1.weight' holds NaN at index 3; a checkpoint of a diverged or corrupted run is not loaded",
    );
    expect(() => loadCheckpoint(other, spoil('dense_1.bias', 0, Infinity), 'inf.st')).toThrow("inf.st: tensor 'dense_1.bias' holds Infinity at index 0");
    expect(() => loadCheckpoint(other, spoil('batch_norm_1.running_var', 2, -1), 'var.st')).toThrow(
      "var.st: tensor 'batch_norm_1.running_var' is a variance but holds -1 at index 2",
    );
  });
});
