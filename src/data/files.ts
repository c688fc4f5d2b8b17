import { CIFAR10_CLASSES, CIFAR10_RECORD, CIFAR100_RECORD, cifar10SizeProblem, concatDatasets, parseCifar10 } from './cifar10';
import type { Dataset } from './dataset';
import { gunzip, idxDataset, isGzip, parseIdx, type IdxArray } from './idx';

/** A file the visitor picked: its name and bytes. */
export interface PickedFile {
  name: string;
  bytes: Uint8Array;
}

export interface SplitDatasets {
  train: Dataset;
  test: Dataset;
  /** Class names for labels (CIFAR-10's; numbers for IDX files). */
  classes: string[];
  /** Where the data came from, for the page. */
  source: string;
}

/** Test files are named like MNIST's t10k-* or CIFAR-10's test_batch.bin. */
const isTestFile = (name: string) => /t10k|test/i.test(name);

/**
 * Datasets from files the visitor picks: four IDX files (train/test images and
 * labels; gzip or not) or CIFAR-10 binary batches (data_batch_N.bin and
 * test_batch.bin). The kind is read from the bytes, the split from the names; anything
 * that does not fit says which file and why.
 */
export async function datasetsFromFiles(files: readonly PickedFile[]): Promise<SplitDatasets> {
  if (files.length === 0) throw new Error('pick the dataset files: four IDX files (train/t10k images and labels) or CIFAR-10 .bin batches');
  const opened = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: isGzip(f.bytes) ? await gunzip(f.bytes, f.name) : f.bytes })));
  const idx = opened.filter((f) => f.bytes.length >= 4 && f.bytes[0] === 0 && f.bytes[1] === 0 && f.bytes[2] === 0x08);
  if (idx.length > 0) {
    if (idx.length !== opened.length)
      throw new Error(
        `mixed files: ${opened
          .filter((f) => !idx.includes(f))
          .map((f) => f.name)
          .join(', ')} are not IDX files like ${idx[0].name}`,
      );
    return idxSplits(await Promise.all(idx.map(async (f) => ({ name: f.name, array: await parseIdx(f.bytes, f.name) }))));
  }
  const notCifar = opened.find((f) => cifar10SizeProblem(f.bytes.length) !== null);
  if (notCifar) {
    const n = notCifar.bytes.length;
    throw new Error(
      `${notCifar.name}: neither an IDX file (magic 00 00 08 0n) nor CIFAR-10 binary (a multiple of ${CIFAR10_RECORD} bytes; it has ${n})${n > 0 && n % CIFAR100_RECORD === 0 ? `: ${cifar10SizeProblem(n)}` : ''}`,
    );
  }
  const test = opened.filter((f) => isTestFile(f.name));
  const train = opened.filter((f) => !isTestFile(f.name));
  if (test.length === 0 || train.length === 0)
    throw new Error(`CIFAR-10 needs at least one training batch and test_batch.bin; got ${opened.map((f) => f.name).join(', ')}`);
  return {
    train: concatDatasets(train.map((f) => parseCifar10(f.bytes, f.name))),
    test: concatDatasets(test.map((f) => parseCifar10(f.bytes, f.name))),
    classes: CIFAR10_CLASSES,
    source: `CIFAR-10 files ${opened.map((f) => f.name).join(', ')}`,
  };
}

function idxSplits(arrays: { name: string; array: IdxArray }[]): SplitDatasets {
  const find = (test: boolean, rank: number) => {
    const hits = arrays.filter((a) => isTestFile(a.name) === test && a.array.dims.length === rank);
    const what = `${test ? 'test (t10k)' : 'training'} ${rank === 3 ? 'images' : 'labels'}`;
    if (hits.length !== 1)
      throw new Error(
        `IDX files: need exactly one ${what} file, got ${hits.length ? hits.map((h) => h.name).join(', ') : 'none'} among ${arrays.map((a) => a.name).join(', ')}`,
      );
    return hits[0];
  };
  const split = (test: boolean) => {
    const images = find(test, 3);
    const labels = find(test, 1);
    return { name: images.name, data: idxDataset(images.array, labels.array, [images.name, labels.name]) };
  };
  const { name: trainName, data: train } = split(false);
  const { name: testName, data: test } = split(true);
  if (train.shape.join() !== test.shape.join())
    throw new Error(
      `IDX files: training images (${trainName}) are ${train.shape.slice(1).join('x')} but test images (${testName}) are ${test.shape.slice(1).join('x')}`,
    );
  // IDX files do not say what their classes are (MNIST and Fashion-MNIST share the names), so labels show as numbers.
  return { train, test, classes: [...Array(10).keys()].map(String), source: `IDX files ${arrays.map((a) => a.name).join(', ')}` };
}
