// Transfer learning's pieces: a layer's features, a new head on a trained body (the same
// storage), per-layer learning-rate scales that scale updates exactly, on CPU and WebGPU.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend';
import { Conv2d } from '../../src/nn/conv_layers';
import { Dense, Flatten } from '../../src/nn/dense_layers';
import { sequential, withHead, type Model } from '../../src/nn/model';
import { MaxPool2d } from '../../src/nn/pool_layers';
import { Trainer } from '../../src/training/trainer';
import type { OptimizerConfig } from '../../src/training/optimizers';
import { saveCheckpoint } from '../../src/io/checkpoint';
import { loadStateDict } from '../../src/io/state_dict';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

const body = (backend: Backend) =>
  sequential(
    [1, 8, 8],
    [
      new Conv2d({ filters: 4, kernel: 3, activation: 'relu', name: 'conv' }),
      new MaxPool2d({ kernel: 2, name: 'pool' }),
      new Flatten('flatten'),
      new Dense({ units: 8, activation: 'relu' }),
      new Dense({ units: 4 }),
    ],
    'body',
  ).build(backend, { seed: 3 });

const read = (m: Model, name: string) =>
  m
    .params()
    .find((p) => p.name === name)!
    .tensor.read();
const diff = (a: Float32Array, b: Float32Array) => a.map((v, i) => v - b[i]);

describe.each([
  ['cpu', async (): Promise<Backend> => cpu],
  ['webgpu', gpuBackend],
])('transfer learning on %s', (_name, getBackend) => {
  it("features(x, layer) equals that layer's output in the eager forward pass, in full and partial batches", async () => {
    const backend = await getBackend();
    const model = body(backend);
    const data = stripes(10, 4, 8, 5);
    const got = await model.features(data.images, 'pool', { batch: 4 });
    const x = tensor(backend, data.images, [10, 1, 8, 8]);
    const want = await model
      .forwardAll({ training: false, use: (t) => t }, x)
      .get(model.outputOf('pool').id)!
      .read();
    expect(got.length).toBe(10 * 4 * 3 * 3);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5);
    await expect(model.features(data.images, 'nope')).rejects.toThrow(
      "features: body has no layer named 'nope' (layers: conv, pool, flatten, dense_1, dense_2)",
    );
    model.dispose();
  });

  it("withHead shares the body's storage, trains only what is unfrozen, and leaves the body's weights to it", async () => {
    const backend = await getBackend();
    const trained = body(backend);
    const model = withHead(trained, 'flatten', [new Dense({ units: 16, activation: 'relu' }), new Dense({ units: 3 })], { freezeBody: true, seed: 9 });
    // New layers are named past the body's (dense_3, dense_4), and the body's tensors are the very same objects.
    expect(model.layers.map((l) => `${l.name}${l.frozen ? '*' : ''}`)).toEqual(['conv*', 'pool*', 'flatten*', 'dense_3', 'dense_4']);
    const convOf = (m: Model) => m.params().find((p) => p.name === 'conv.weight')!;
    expect(convOf(model).tensor).toBe(convOf(trained).tensor);
    expect(convOf(model).shared).toBe(true);
    const data = stripes(48, 3, 8, 6);
    const conv0 = await read(model, 'conv.weight');
    const head0 = await read(model, 'dense_3.weight');
    const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 16, seed: 1 });
    await trainer.fit(data, { epochs: 1 });
    expect(await read(model, 'conv.weight')).toEqual(conv0);
    expect(await read(model, 'dense_3.weight')).not.toEqual(head0);
    // Fine-tuning: the body unfrozen at a tenth of the rate moves, and the body model sees it.
    model.unfreeze('conv').scaleLearningRate(0.1, 'conv');
    await trainer.fit(data, { epochs: 1 });
    const tuned = await read(trained, 'conv.weight');
    expect(tuned).not.toEqual(conv0);
    // Partial loading by name: the body's checkpoint into the new model loads what both have and says what it skipped.
    const freshBody = body(backend);
    const fresh = withHead(freshBody, 'flatten', [new Dense({ units: 3, name: 'new_head' })]);
    const loaded = loadStateDict(fresh, await saveCheckpoint(trained), { layout: 'ours', strict: false });
    expect(loaded.loaded).toEqual(['conv.weight', 'conv.bias']);
    expect(loaded.skipped.map((t) => t.key)).toEqual(['dense_1.weight', 'dense_1.bias', 'dense_2.weight', 'dense_2.bias']);
    expect(loaded.missing).toEqual(['new_head.weight', 'new_head.bias']);
    expect(await read(fresh, 'conv.weight')).toEqual(tuned);
    fresh.dispose();
    freshBody.dispose();
    model.dispose();
    expect(await read(trained, 'conv.weight')).toEqual(tuned);
    trained.dispose();
    expect(() => withHead(trained, 'nope', [new Dense({ units: 2 })])).toThrow("withHead: body has no layer named 'nope'");
  });

  it.each<[string, OptimizerConfig]>([
    ['sgd with momentum', { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 1e-3 }],
    ['adam', { kind: 'adam', lr: 0.01 }],
    ['adamw', { kind: 'adamw', lr: 0.01, weightDecay: 0.05 }],
  ])('a layer scaled by 0.5 moves exactly half as far in one %s step; the others as far as unscaled', async (_opt, optimizer) => {
    const backend = await getBackend();
    const data = stripes(16, 4, 8, 7);
    const step = async (scale: number) => {
      const model = body(backend).scaleLearningRate(scale, 'conv');
      const before = [await read(model, 'conv.weight'), await read(model, 'conv.bias'), await read(model, 'dense_2.weight')];
      await new Trainer(model, { optimizer, batchSize: 16, seed: 1 }).fit(data, { epochs: 1 });
      const after = [await read(model, 'conv.weight'), await read(model, 'conv.bias'), await read(model, 'dense_2.weight')];
      model.dispose();
      return after.map((a, i) => diff(a, before[i]));
    };
    const [full, half] = [await step(1), await step(0.5)];
    for (const k of [0, 1]) {
      expect(full[k].some((d) => Math.abs(d) > 1e-4)).toBe(true);
      // Halving a float32 step is exact; what is left is the rounding of p - step.
      for (let i = 0; i < full[k].length; i++) expect(Math.abs(half[k][i] - 0.5 * full[k][i])).toBeLessThan(2e-7);
    }
    expect(half[2]).toEqual(full[2]);
  });
});

describe('learning-rate scales', () => {
  it('refuse a negative or non-finite scale, naming the model', () => {
    const m = body(cpu);
    expect(() => m.scaleLearningRate(-1)).toThrow('body: scaleLearningRate takes a finite scale >= 0, got -1');
    expect(() => m.scaleLearningRate(Infinity, 'conv')).toThrow('got Infinity');
    expect(m.scaleLearningRate(0.1).layers.every((l) => l.lrScale === 0.1)).toBe(true);
  });
});
