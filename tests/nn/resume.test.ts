import { describe, expect, it } from 'vitest';
import { convBn, Trainer, type EpochReport } from '../../src/index';
import type { Backend } from '../../src/backends/backend';
import { cpu, gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

// conv-bn has batch norm (running statistics), dropout (masks from the step counter) and
// takes augmentation (draws from seed and step): everything a resume must carry over.
const data = stripes(128, 4, 12, 5);
const make = (backend: Backend) => {
  const model = convBn([1, 12, 12], 4).build(backend, { seed: 7 });
  const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 16, seed: 3, augment: { flipHorizontal: 0.5, maxShift: 1 } });
  return { model, trainer };
};
const weights = (m: ReturnType<typeof make>['model']) => Promise.all(m.params().map((p) => p.tensor.read()));
const summary = (r: EpochReport) => [r.epoch, r.loss, r.accuracy];

describe('resume equals the uninterrupted run, bit for bit', () => {
  for (const name of ['cpu', 'webgpu'] as const) {
    it(`${name}: at an epoch boundary and mid-epoch (after an abort that had 7 steps queued)`, async () => {
      const backend = name === 'cpu' ? cpu : await gpuBackend();
      // The uninterrupted run: two epochs of 8 steps.
      const a = make(backend);
      const lossesA: number[] = [];
      const reportsA = await a.trainer.fit(data, { epochs: 2, onBatch: (b) => void lossesA.push(b.loss) });
      const weightsA = await weights(a.model);

      // Saved after epoch 1, loaded into a new model and trainer, one more epoch.
      const b = make(backend);
      const lossesB: number[] = [];
      await b.trainer.fit(data, { epochs: 1, onBatch: (r) => void lossesB.push(r.loss) });
      const atEpoch = await b.trainer.saveCheckpoint();
      const b2 = make(backend);
      b2.trainer.loadCheckpoint(atEpoch, 'epoch1.safetensors');
      expect(b2.trainer.progress.epoch).toBe(1);
      const reportsB = await b2.trainer.fit(data, { epochs: 1, onBatch: (r) => void lossesB.push(r.loss) });
      expect(lossesB).toEqual(lossesA);
      expect(summary(reportsB[0])).toEqual(summary(reportsA[1]));
      expect(await weights(b2.model)).toEqual(weightsA);

      // Aborted after 5 reported batches: the queued steps finish and are reported too.
      const c = make(backend);
      const lossesC: number[] = [];
      const stop = new AbortController();
      const err = await c.trainer
        .fit(data, {
          epochs: 2,
          signal: stop.signal,
          onBatch: (r) => {
            lossesC.push(r.loss);
            if (r.batch === 5) stop.abort();
          },
        })
        .catch((e) => e);
      expect((err as Error).name).toBe('AbortError');
      expect(c.trainer.progress).toMatchObject({ epoch: 0, batch: 7 });
      expect(lossesC).toHaveLength(7);
      expect(c.trainer.optimizer.steps).toBe(7);
      const midEpoch = await c.trainer.saveCheckpoint();
      const c2 = make(backend);
      c2.trainer.loadCheckpoint(midEpoch, 'mid.safetensors');
      const reportsC = await c2.trainer.fit(data, { epochs: 2, onBatch: (r) => void lossesC.push(r.loss) });
      expect(lossesC).toEqual(lossesA);
      // The resumed first epoch reports the whole epoch's loss and accuracy, as the uninterrupted run did.
      expect(reportsC.map(summary)).toEqual(reportsA.map(summary));
      expect(await weights(c2.model)).toEqual(weightsA);
      for (const t of [a, b, b2, c, c2]) t.trainer.dispose();
    });
  }

  it('each epoch has its own data order, a function of (seed, epoch): two fits of one epoch are one fit of two', async () => {
    const gpu = await gpuBackend();
    const a = make(gpu);
    const la: number[] = [];
    await a.trainer.fit(data, { epochs: 2, onBatch: (r) => void la.push(r.loss) });
    const b = make(gpu);
    const lb: number[] = [];
    await b.trainer.fit(data, { epochs: 1, onBatch: (r) => void lb.push(r.loss) });
    await b.trainer.fit(data, { epochs: 1, onBatch: (r) => void lb.push(r.loss) });
    expect(lb).toEqual(la);
    a.trainer.dispose();
    b.trainer.dispose();
  });

  it('checkpoints every N steps from onCheckpoint resume there exactly', async () => {
    const gpu = await gpuBackend();
    const a = make(gpu);
    const la: number[] = [];
    await a.trainer.fit(data, { epochs: 1, onBatch: (r) => void la.push(r.loss) });
    const b = make(gpu);
    const saved: { at: number; bytes: Uint8Array }[] = [];
    await b.trainer.fit(data, {
      epochs: 1,
      checkpointEvery: 4,
      onCheckpoint: async (p) => void saved.push({ at: p.batch, bytes: await b.trainer.saveCheckpoint() }),
    });
    // Steps 4 of 8 (8 is the end), then the epoch's end.
    expect(saved.map((s) => s.at)).toEqual([4, 0]);
    const c = make(gpu);
    c.trainer.loadCheckpoint(saved[0].bytes, 'step4.safetensors');
    const lc: number[] = [];
    await c.trainer.fit(data, { epochs: 1, onBatch: (r) => void lc.push(r.loss) });
    expect(lc).toEqual(la.slice(4));
    expect(await weights(c.model)).toEqual(await weights(a.model));
    for (const t of [a, b, c]) t.trainer.dispose();
  });
});
