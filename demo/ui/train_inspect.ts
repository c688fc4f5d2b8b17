// What a Train session reads from its data and model: the data as the form picks it, one
// image's pass through the network, the top-9 patches of a filter, how far the weights moved.
import type { Backend } from '../../src/backends/backend';
import { meanStd, normalize, take, type Dataset } from '../../src/data/dataset';
import { FASHION_MNIST_CLASSES, fetchIdxSplit } from '../../src/data/fashion_mnist';
import { datasetsFromFiles, type SplitDatasets } from '../../src/data/files';
import type { Model } from '../../src/nn/model';
import { summary } from '../../src/nn/summary';
import { topPatches } from '../../src/nn/top_patches';
import { sizeOf } from '../../src/shape';
import { tensor } from '../../src/tensor';
import type { ActivationView, PatchView, SessionConfig } from './train_protocol';

/** The server's Fashion-MNIST, fetched once per thread. */
let serverData: Promise<SplitDatasets> | null = null;

/** The picked data, limited and normalised with the training split's statistics (copies; the cache stays raw). */
export async function loadData(c: SessionConfig): Promise<SplitDatasets & { pivot: number; mean: number; std: number }> {
  let raw: SplitDatasets;
  if (c.source === 'files') raw = await datasetsFromFiles(c.files);
  else {
    serverData ??= (async () => ({
      train: await fetchIdxSplit('/datasets/fashion-mnist', 'train'),
      test: await fetchIdxSplit('/datasets/fashion-mnist', 'test'),
      classes: FASHION_MNIST_CLASSES,
      source: 'Fashion-MNIST',
    }))();
    raw = await serverData.catch((e) => {
      serverData = null;
      throw e;
    });
  }
  const train = take(raw.train, Math.min(c.limit, raw.train.count));
  const test = take(raw.test, Math.min(c.testLimit, raw.test.count));
  const { mean, std } = meanStd(train.images);
  const normalized = (d: Dataset): Dataset => ({ ...d, images: normalize(Float32Array.from(d.images), mean, std) });
  // pivot: where black lands after normalising (augmentation's contrast pivots around it).
  return { ...raw, train: normalized(train), test: normalized(test), pivot: -mean / std, mean, std };
}

/** One test image through the model (inference mode): its class probabilities and every layer's maps. */
export async function activationView(model: Model, backend: Backend, test: Dataset, index: number): Promise<ActivationView> {
  const i = Math.max(0, Math.min(Math.floor(index) || 0, test.count - 1));
  const per = sizeOf(test.shape);
  const image = test.images.slice(i * per, (i + 1) * per);
  const values = model.forwardAll({ training: false, use: (t) => t }, tensor(backend, image, [1, ...test.shape]));
  const maps = [];
  for (const node of model.nodes) {
    if (node.output.shape.length !== 3) continue;
    const out = values.get(node.output.id)!;
    maps.push({ layer: node.layer.name, data: await out.read(), shape: out.shape.slice(1) });
  }
  const logits = await values.get(model.output.id)!.read();
  for (const t of new Set(values.values())) t.dispose();
  const top = Math.max(...logits);
  const exp = logits.map((v) => Math.exp(v - top));
  const total = exp.reduce((a, b) => a + b, 0);
  const probabilities = exp.map((v) => v / total);
  const prediction = probabilities.indexOf(Math.max(...probabilities));
  return { index: i, image, shape: [...test.shape], label: test.labels[i], prediction, probabilities, maps };
}

/** The 9 crops of `test` that excite a filter most, each its receptive field, with the image it came from. */
export async function patchView(model: Model, test: Dataset, layer: string, channel: number): Promise<PatchView> {
  const found = await topPatches(model, test, layer, channel, 9);
  const row = summary(model).rows.find((r) => r.name === layer)!;
  const per = sizeOf(test.shape);
  return {
    layer,
    field: `receptive field ${row.receptiveField.join('x')}, stride ${row.stride.join('x')}`,
    patches: found.map((p) => ({ ...p, source: test.images.slice(p.image * per, (p.image + 1) * per) })),
    shape: [...test.shape],
  };
}

/** ‖now − before‖ / ‖now‖ over every array: how far the weights moved, relative to their size. */
export function relativeChange(before: readonly Float32Array[], now: readonly Float32Array[]): number {
  if (before.length !== now.length) return Number.NaN;
  let delta = 0;
  let size = 0;
  now.forEach((w, i) => {
    for (let j = 0; j < w.length; j++) {
      delta += (w[j] - before[i][j]) ** 2;
      size += w[j] ** 2;
    }
  });
  return Math.sqrt(delta) / Math.max(Math.sqrt(size), 1e-30);
}
