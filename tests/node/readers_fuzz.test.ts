// Every file reader under the property-based fuzzer with a fixed seed (issue 36): valid
// seed files mutated (flipped bytes, truncations, lying lengths, offsets and dims, huge
// shapes, wrong dtypes), and each reader returns a correct result or throws the engine's
// own Error naming the file; a failed load into a model changes no weight
// (tests/fuzz/readers.ts). `npm run fuzz -- --minutes N` runs the same properties longer
// with a random seed.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module of the command line
import { readSafetensorsMetadata } from '../../tools/cli/run_folder.mjs';
import { parseCifar10 } from '../../src/data/cifar10';
import { datasetsFromFiles } from '../../src/data/files';
import { importOnnx } from '../../src/io/onnx/onnx_import';
import { onnx } from '../../src/io/onnx/onnx_proto';
import { parseSafetensors } from '../../src/io/safetensors';
import { READERS, readerProperty } from '../fuzz/readers';
import { fixtureBytes } from '../helpers/fixture_files';

/** FUZZ_SEED and FUZZ_SCALE (a factor on the case counts) explore other cases; the suite runs the defaults. */
const SEED = Number(process.env.FUZZ_SEED ?? 36);
const root = resolve(__dirname, '..', '..');

/** Cases per reader: a few thousand each, about 30 s in all on a two-core machine. */
const RUNS: Record<string, number> = {
  safetensors: 5000,
  'safetensors-cli': 3000,
  checkpoint: 5000,
  'state-dict': 5000,
  onnx: 3000,
  idx: 5000,
  cifar: 5000,
  'dataset-files': 5000,
};

const scale = Number(process.env.FUZZ_SCALE ?? 1);

describe('file readers under the fuzzer (fixed seed)', () => {
  for (const reader of READERS) {
    it(`${reader.name}: ${reader.what}`, async () => {
      const property = await readerProperty(reader, root);
      await fc.assert(property, { seed: SEED, numRuns: Math.max(1, Math.round(RUNS[reader.name] * scale)) });
    });
  }
});

/** A safetensors file with this header (and `data` after it). */
function withHeader(header: object, data = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** A .onnx file edited through its decoded proto. */
async function editedOnnx(edit: (m: ReturnType<typeof onnx.ModelProto.decode>) => void): Promise<Uint8Array> {
  const m = onnx.ModelProto.decode(await fixtureBytes('torch/separable_block.onnx'));
  edit(m);
  return onnx.ModelProto.encode(m).finish();
}

describe('what the fuzzer found, kept as examples', () => {
  it('safetensors: a header entry that is not an object, and dims past 2^53, are refused naming the tensor', () => {
    expect(() => parseSafetensors(withHeader({ a: null }), 'f.st')).toThrow(
      "f.st: tensor 'a' has header entry null; expected an object { dtype, shape, data_offsets }",
    );
    expect(() => parseSafetensors(withHeader({ a: { dtype: 'F32', shape: [0, 2 ** 53 + 2], data_offsets: [0, 0] } }), 'f.st')).toThrow(
      "f.st: tensor 'a' has an invalid shape [0,9007199254740994] (dims must be integers from 0 to 2^53 - 1)",
    );
  });

  it('the command line reads a header as the library does: UTF-8 JSON, an object, metadata of strings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-cli-'));
    const path = join(dir, 'checkpoint.safetensors');
    const cases: [Uint8Array, string][] = [
      [withHeader({ __metadata__: { a: 'x' } }).map((b, i) => (i === 10 ? 0xff : b)), 'header is not valid UTF-8 JSON'],
      [withHeader([1, 2]), 'the header must be a JSON object, got [1,2]'],
      [withHeader({ __metadata__: { epoch: 3 } }), "metadata field 'epoch' must be a string"],
    ];
    for (const [bytes, message] of cases) {
      writeFileSync(path, bytes);
      expect(() => readSafetensorsMetadata(path)).toThrow(`${path}: `);
      expect(() => readSafetensorsMetadata(path)).toThrow(message);
    }
  });

  it('ONNX: negative or huge dims are refused before anything is allocated', async () => {
    const negative = await editedOnnx((m) => (m.graph!.initializer![0].dims = [-1, 4]));
    expect(() => importOnnx(negative, { file: 'n.onnx' })).toThrow(/^n\.onnx: tensor '.+' has dims \[-1,4\]; each must be a non-negative integer$/);
    const huge = await editedOnnx((m) => (m.graph!.initializer![0].dims = [100_000, 100_000]));
    const before = process.memoryUsage().arrayBuffers;
    expect(() => importOnnx(huge, { file: 'h.onnx' })).toThrow(/^h\.onnx: tensor '.+' \[100000,100000\] \(FLOAT\) needs 40000000000 bytes, has \d+$/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 << 20);
  });

  it('ONNX: external data offsets must be whole byte counts inside the blob', async () => {
    const bytes = await editedOnnx((m) => {
      const t = m.graph!.initializer![0];
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      t.externalData = [
        { key: 'location', value: 'w.bin' },
        { key: 'offset', value: '-4' },
      ];
      t.rawData = new Uint8Array();
    });
    expect(() => importOnnx(bytes, { file: 'e.onnx', externalData: { 'w.bin': new Uint8Array(64) } })).toThrow(
      /^e\.onnx: tensor '.+' has external data offset "-4"; it must be a non-negative whole number of bytes$/,
    );
  });

  it('ONNX: an attribute of the wrong kind, and a layer refusing an attribute, name the file and the node', async () => {
    const conv = (m: ReturnType<typeof onnx.ModelProto.decode>) => m.graph!.node!.find((n) => n.opType === 'Conv')!;
    const wrongKind = await editedOnnx((m) => {
      const a = conv(m).attribute!.find((x) => x.name === 'dilations')!;
      a.type = onnx.AttributeProto.AttributeType.INT;
      a.i = 3;
    });
    expect(() => importOnnx(wrongKind, { file: 'a.onnx' })).toThrow(
      /^a\.onnx: node '.+' \(Conv\): attribute 'dilations' must be a list of numbers, got a number 3$/,
    );
    const refused = await editedOnnx((m) => (conv(m).attribute!.find((x) => x.name === 'dilations')!.ints = []));
    expect(() => importOnnx(refused, { file: 'r.onnx' })).toThrow(/^r\.onnx: node '.+' \(Conv\): conv\w*: dilation must be a positive integer/);
  });

  it('CIFAR-100 files (3074-byte records) are refused as CIFAR-100, not misread', async () => {
    const cifar100 = new Uint8Array(2 * 3074);
    expect(() => parseCifar10(cifar100, 'train.bin')).toThrow(
      "train.bin: 6148 bytes are 2 CIFAR-100 records of 3074 bytes (coarse and fine label, then 3072 pixels), not CIFAR-10's 3073-byte records; CIFAR-100 files are not read",
    );
    await expect(datasetsFromFiles([{ name: 'train.bin', bytes: cifar100 }])).rejects.toThrow(
      'train.bin: neither an IDX file (magic 00 00 08 0n) nor CIFAR-10 binary (a multiple of 3073 bytes; it has 6148): 6148 bytes are 2 CIFAR-100 records',
    );
  });

  it('IDX: a file of no images is refused, and a size mismatch between splits names both files', async () => {
    const idx = (dims: number[]) => {
      const out = new Uint8Array(4 + 4 * dims.length + dims.reduce((a, b) => a * b, 1));
      out.set([0, 0, 8, dims.length]);
      dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
      return out;
    };
    const files = (testDims: number[]) => [
      { name: 'train-images', bytes: idx([2, 3, 3]) },
      { name: 'train-labels', bytes: idx([2]) },
      { name: 't10k-images', bytes: idx(testDims) },
      { name: 't10k-labels', bytes: idx([testDims[0]]) },
    ];
    await expect(datasetsFromFiles(files([1, 0, 3]))).rejects.toThrow('t10k-images: IDX dims [1, 0, 3] hold no images (1 images of 0x3)');
    await expect(datasetsFromFiles(files([1, 2, 3]))).rejects.toThrow(
      'IDX files: training images (train-images) are 3x3 but test images (t10k-images) are 2x3',
    );
  });
});
