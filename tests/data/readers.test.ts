import { describe, expect, it } from 'vitest';
import { concatDatasets, idxDataset, parseCifar10, parseIdx } from '../../src/index';
import { fillBatch, shuffledIndices } from '../../src/data/dataset';
import { datasetsFromFiles } from '../../src/data/files';

/** An IDX file: magic 00 00 08 ndim, big-endian dims, bytes. */
function idx(dims: number[], data: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out.set([0, 0, 8, dims.length]);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('IDX reader', () => {
  const images = idx([2, 2, 3], [0, 255, 51, 102, 153, 204, 1, 2, 3, 4, 5, 6]);
  const labels = idx([2], [7, 1]);

  it('reads plain and gzipped files into [1, rows, cols] images in [0, 1]', async () => {
    for (const [im, lb] of [
      [images, labels],
      [await gzip(images), await gzip(labels)],
    ]) {
      const d = idxDataset(await parseIdx(im, 'i'), await parseIdx(lb, 'l'), ['i', 'l']);
      expect(d.count).toBe(2);
      expect(d.shape).toEqual([1, 2, 3]);
      expect([...d.labels]).toEqual([7, 1]);
      expect(d.images[1]).toBe(1);
      expect(d.images[2]).toBeCloseTo(0.2, 6);
    }
  });

  it('names the file and the bytes for bad magic, wrong counts, truncation and bad labels', async () => {
    const bad = images.slice();
    bad[2] = 0x0d;
    await expect(parseIdx(bad, 'x.idx')).rejects.toThrow('x.idx: IDX element type 0xd is not unsigned bytes (0x08); magic 00 00 0d 03');
    const notIdx = images.slice();
    notIdx[0] = 0x50;
    await expect(parseIdx(notIdx, 'x.idx')).rejects.toThrow('x.idx: bad IDX magic 50 00 08 03 (expected 00 00 08 0n)');
    await expect(parseIdx(images.subarray(0, images.length - 2), 'x.idx')).rejects.toThrow(
      'x.idx: IDX dims [2, 2, 3] need 12 data bytes, the file has 10 (truncated)',
    );
    await expect(parseIdx(images.subarray(0, 9), 'x.idx')).rejects.toThrow('x.idx: truncated IDX header (9 bytes, header needs 16)');
    const gz = await gzip(images);
    await expect(parseIdx(gz.subarray(0, gz.length - 9), 'x.gz')).rejects.toThrow('x.gz: not a valid gzip stream');
    const three = await parseIdx(idx([3], [0, 1, 2]), 'l3');
    const parsed = await parseIdx(images, 'i');
    const twelve = await parseIdx(idx([2], [3, 12]), 'l');
    expect(() => idxDataset(parsed, three, ['i', 'l3'])).toThrow('i has 2 images but l3 has 3 labels');
    expect(() => idxDataset(parsed, twelve, ['i', 'l'])).toThrow('l: label 12 at index 1 is not a class in [0, 10)');
  });
});

describe('CIFAR-10 binary reader (files written here)', () => {
  function record(label: number, fill: (k: number) => number): number[] {
    return [label, ...Array.from({ length: 3072 }, (_, k) => fill(k))];
  }
  const file = Uint8Array.from([...record(3, (k) => k % 256), ...record(9, () => 255)]);

  it('reads label bytes and R, G, B planes as [3, 32, 32] in [0, 1]', () => {
    const d = parseCifar10(file, 'data_batch_1.bin');
    expect(d.count).toBe(2);
    expect(d.shape).toEqual([3, 32, 32]);
    expect([...d.labels]).toEqual([3, 9]);
    expect(d.images[1024]).toBeCloseTo(0, 6); // first green value of record 0 is byte 1024 % 256 = 0
    expect(d.images[1025]).toBeCloseTo(1 / 255, 6);
    expect(d.images[3072]).toBe(1);
    const both = concatDatasets([d, parseCifar10(file, 'test_batch.bin')]);
    expect(both.count).toBe(4);
    expect([...both.labels]).toEqual([3, 9, 3, 9]);
  });

  it('rejects partial records and labels over 9', () => {
    expect(() => parseCifar10(file.subarray(0, 5000), 'cut.bin')).toThrow(
      'cut.bin: 5000 bytes is not a whole number of 3073-byte CIFAR-10 records (1 records and 1927 bytes left over)',
    );
    const bad = file.slice();
    bad[3073] = 10;
    expect(() => parseCifar10(bad, 'bad.bin')).toThrow('bad.bin: record 1 (byte 3073) has label 10, not a class in [0, 10)');
  });
});

describe('shuffling and batching', () => {
  it('a seeded shuffle is a permutation, the same for the same seed', () => {
    const a = shuffledIndices(100, 5);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(100).keys()]);
    expect(shuffledIndices(100, 5)).toEqual(a);
    expect(shuffledIndices(100, 6)).not.toEqual(a);
  });

  it('fillBatch gathers examples in order and zero-pads past the end', () => {
    const d = { images: Float32Array.from([1, 1, 2, 2, 3, 3]), labels: Uint8Array.of(0, 1, 2), shape: [2], classes: 3, count: 3 };
    const x = new Float32Array(4);
    const labels = new Float32Array(2);
    expect(fillBatch(d, [2, 0, 1], 0, x, labels)).toBe(2);
    expect([...x, ...labels]).toEqual([3, 3, 1, 1, 2, 0]);
    expect(fillBatch(d, [2, 0, 1], 2, x, labels)).toBe(1);
    expect([...x, ...labels]).toEqual([2, 2, 0, 0, 1, 0]);
  });
});

describe('datasets from picked files (the demo Train page)', () => {
  const images = (n: number) =>
    idx(
      [n, 2, 2],
      Array.from({ length: 4 * n }, (_, i) => i % 256),
    );
  const labels = (n: number) =>
    idx(
      [n],
      Array.from({ length: n }, (_, i) => i % 10),
    );
  const cifar = (n: number, label: number) => Uint8Array.from(Array.from({ length: n }, () => [label, ...new Array(3072).fill(7)]).flat());

  it('sorts four IDX files (gzipped or not) into training and test splits by name and rank', async () => {
    const d = await datasetsFromFiles([
      { name: 't10k-labels-idx1-ubyte', bytes: labels(3) },
      { name: 'train-images-idx3-ubyte.gz', bytes: await gzip(images(5)) },
      { name: 't10k-images-idx3-ubyte', bytes: images(3) },
      { name: 'train-labels-idx1-ubyte', bytes: labels(5) },
    ]);
    expect([d.train.count, d.test.count, d.train.shape]).toEqual([5, 3, [1, 2, 2]]);
    expect(d.classes).toHaveLength(10);
  });

  it('reads CIFAR-10 batches: data_batch_* for training, test_batch for testing', async () => {
    const d = await datasetsFromFiles([
      { name: 'data_batch_1.bin', bytes: cifar(2, 3) },
      { name: 'data_batch_2.bin', bytes: cifar(1, 4) },
      { name: 'test_batch.bin', bytes: cifar(1, 9) },
    ]);
    expect([d.train.count, d.test.count, [...d.train.labels], d.classes[9]]).toEqual([3, 1, [3, 3, 4], 'truck']);
  });

  it('says which file is missing, mixed in or not a dataset at all', async () => {
    await expect(datasetsFromFiles([])).rejects.toThrow('pick the dataset files');
    await expect(
      datasetsFromFiles([
        { name: 'train-images', bytes: images(2) },
        { name: 'train-labels', bytes: labels(2) },
      ]),
    ).rejects.toThrow('IDX files: need exactly one test (t10k) images file, got none among train-images, train-labels');
    await expect(
      datasetsFromFiles([
        { name: 'train-images', bytes: images(2) },
        { name: 'notes.txt', bytes: new Uint8Array(5) },
      ]),
    ).rejects.toThrow('mixed files: notes.txt are not IDX files');
    await expect(datasetsFromFiles([{ name: 'photo.jpg', bytes: new Uint8Array(100) }])).rejects.toThrow(
      'photo.jpg: neither an IDX file (magic 00 00 08 0n) nor CIFAR-10 binary (a multiple of 3073 bytes; it has 100)',
    );
    await expect(datasetsFromFiles([{ name: 'data_batch_1.bin', bytes: cifar(1, 0) }])).rejects.toThrow(
      'CIFAR-10 needs at least one training batch and test_batch.bin',
    );
  });
});
