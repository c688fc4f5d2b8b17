// model.predict: inference without a trainer or optimizer, one submit per batch, equal to
// the eager forward pass; a model loaded from a checkpoint predicts; programs are dropped
// when the model is rebuilt.
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint';
import { lenet5, convBn } from '../../src/nn/zoo';
import { Random } from '../../src/random';
import { tensor } from '../../src/tensor';
import type { Backend } from '../../src/backends/backend';
import { cpu, gpuBackend } from '../helpers/backends';

const images = (count: number, seed = 1) => {
  const rng = new Random(seed);
  return Float32Array.from({ length: count * 784 }, () => rng.normal());
};

async function eager(model: ReturnType<typeof lenet5>, x: Float32Array, count: number): Promise<Float32Array> {
  return model.forward({ training: false, use: (t) => t }, tensor(model.backend, x, [count, 1, 28, 28])).read();
}

describe.each([
  ['cpu', async (): Promise<Backend> => cpu],
  ['webgpu', gpuBackend],
])('predict on %s', (_name, getBackend) => {
  it('equals the eager forward pass, in full and partial batches, with batch norm on running statistics', async () => {
    const backend = await getBackend();
    const model = convBn().build(backend, { seed: 2 });
    const x = images(37);
    const want = await eager(model as ReturnType<typeof lenet5>, x, 37);
    const got = await model.predict(x, { batch: 16 });
    expect(got.length).toBe(370);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5 * (1 + Math.abs(want[i])));
    model.dispose();
  });

  it('a model loaded from a checkpoint predicts without an optimizer; a rebuild drops the old programs', async () => {
    const backend = await getBackend();
    const trained = lenet5().build(backend, { seed: 5 });
    const bytes = await saveCheckpoint(trained);
    const x = images(3, 4);
    const want = await trained.predict(x);
    const fresh = lenet5().build(backend, { seed: 9 });
    loadCheckpoint(fresh, bytes, 'lenet5.safetensors');
    expect([...(await fresh.predict(x))]).toEqual([...want]);
    fresh.build(backend, { seed: 9 });
    expect([...(await fresh.predict(x))]).not.toEqual([...want]);
    expect(() => lenet5().predict(x)).toThrow('call build(backend) before using');
    await expect(fresh.predict(new Float32Array(10))).rejects.toThrow('predict: lenet5 takes [count, 1, 28, 28] (784 values per example), got 10 values');
  });
});

it('predict is one submit per batch on WebGPU', async () => {
  const backend = await gpuBackend();
  const model = lenet5().build(backend);
  const x = images(1);
  await model.predict(x);
  const before = backend.stats().submits;
  await model.predict(x);
  expect(backend.stats().submits - before).toBe(1);
});
