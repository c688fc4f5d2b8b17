import { describe, expect, it } from 'vitest';
import { fetchIdxSplit, lenet5, meanStd, normalize, take, Trainer } from '../../src/index';
import type { Backend } from '../../src/backends/backend';
import type { Dataset } from '../../src/data/dataset';
import { cpu, gpuBackend } from '../helpers/backends';

/** The first `n` training and `m` test images of the real Fashion-MNIST, normalised. */
async function subset(n: number, m: number): Promise<[Dataset, Dataset]> {
  const train = take(await fetchIdxSplit('/datasets/fashion-mnist', 'train'), n);
  const test = take(await fetchIdxSplit('/datasets/fashion-mnist', 'test'), m);
  const images = [Float32Array.from(train.images), Float32Array.from(test.images)];
  const { mean, std } = meanStd(images[0]);
  return [
    { ...train, images: normalize(images[0], mean, std) },
    { ...test, images: normalize(images[1], mean, std) },
  ];
}

describe('LeNet-5 on a real Fashion-MNIST subset', () => {
  it('loss falls and test accuracy passes 0.72 after 2 epochs of 1,536 images (1,000 test images)', async () => {
    const gpu = await gpuBackend();
    const [train, test] = await subset(1536, 1000);
    const model = lenet5().build(gpu, { seed: 1 });
    const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 2e-3 }, batchSize: 64, seed: 1 });
    const reports = await trainer.fit(train, { epochs: 2, validation: test });
    expect(reports[1].loss).toBeLessThan(reports[0].loss * 0.8);
    expect(reports[1].testAccuracy).toBeGreaterThan(0.72);
    const stats = trainer.stepStats();
    expect(stats.submitsPerStep).toBe(1);
    expect(stats.readbacksPerStep).toBe(1);
    trainer.dispose();
  });

  it('the same seed gives the same first losses on the CPU reference and WebGPU (tol 1e-4 relative)', async () => {
    const gpu = await gpuBackend();
    const [train] = await subset(64, 1);
    const losses = async (backend: Backend) => {
      const model = lenet5().build(backend, { seed: 7 });
      const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 }, batchSize: 16, seed: 7 });
      const out: number[] = [];
      await trainer.fit(train, { epochs: 1, onBatch: (r) => void out.push(r.loss) });
      trainer.dispose();
      return out;
    };
    const want = await losses(cpu);
    const got = await losses(gpu);
    expect(got).toHaveLength(4);
    got.forEach((l, i) => expect(Math.abs(l - want[i]), `step ${i}: webgpu ${l}, cpu ${want[i]}`).toBeLessThan(1e-4 * (1 + want[i])));
    expect(want[3]).not.toBe(want[0]);
  });
});
