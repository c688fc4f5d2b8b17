import { describe, expect, it } from 'vitest';
import { Conv2d, createWebGPUBackend, DivergenceError, lenet5, loadCheckpoint, Optimizer, saveCheckpoint, sequential, Trainer } from '../../src/index';
import { segmentationScenes } from '../../src/data/segmentation_scenes';
import { compileTrainStep } from '../../src/training/compile';
import type { Backend } from '../../src/backends/backend';
import { cpu, gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

const data = () => stripes(128, 4, 16);
const small = (backend: Backend, seed = 1) => lenet5([1, 16, 16], 4).build(backend, { seed });
const readAll = (m: ReturnType<typeof small>) => Promise.all(m.params().map((p) => p.tensor.read()));
const nanCount = (arrays: Float32Array[]) => arrays.reduce((n, a) => n + a.filter((v) => Number.isNaN(v)).length, 0);

describe('a trainer never writes through storage its model gave up', () => {
  it('after the model is rebuilt, fit throws and an unrelated model built since keeps its weights', async () => {
    const gpu = await gpuBackend();
    const model = small(gpu);
    const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 32 });
    await trainer.fit(data(), { epochs: 1 });
    model.build(gpu, { seed: 2 });
    const other = small(gpu, 3);
    const before = await readAll(other);
    await expect(trainer.fit(data(), { epochs: 1 })).rejects.toThrow('fit: lenet5 was rebuilt after this trainer compiled its steps');
    await expect(trainer.evaluate(data())).rejects.toThrow('evaluate: lenet5 was rebuilt');
    expect(await readAll(other)).toEqual(before);
    // A new trainer trains the rebuilt model.
    const fresh = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 32 });
    const w0 = await model.params()[0].tensor.read();
    await fresh.fit(data(), { epochs: 1 });
    expect(await model.params()[0].tensor.read()).not.toEqual(w0);
    fresh.dispose();
    other.dispose();
  });

  it('after the model is disposed, fit throws naming it; a compiled graph refuses to run on disposed weights', async () => {
    const gpu = await gpuBackend();
    const model = small(gpu);
    const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.01 }, batchSize: 32 });
    await trainer.fit(data(), { epochs: 1 });
    model.dispose();
    const other = small(gpu, 3);
    const before = await readAll(other);
    await expect(trainer.fit(data(), { epochs: 1 })).rejects.toThrow('fit: lenet5 was disposed (or never built)');
    expect(() => trainer.stepStats()).toThrow('stepStats: lenet5 was disposed');
    expect(await readAll(other)).toEqual(before);
    // Below the trainer: a compiled step whose weights were disposed refuses to run.
    const step = compileTrainStep(other, new Optimizer({ kind: 'sgd', lr: 0.1 }), 16);
    other.build(gpu, { seed: 4 });
    expect(() => step.program.run({})).toThrow("graph: 'conv2d_1.weight', which this graph was compiled with, was disposed since");
    step.program.dispose();
    other.dispose();
  });

  it('during a fit: a second fit, build, dispose and loadCheckpoint throw; freezing from a callback recompiles between steps', async () => {
    const gpu = await gpuBackend();
    const model = small(gpu);
    const bytes = await saveCheckpoint(model);
    const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 16 });
    const seen: string[] = [];
    let frozenBefore: Float32Array | null = null;
    await trainer.fit(data(), {
      epochs: 1,
      onBatch: async (b) => {
        if (b.batch !== 2) return;
        await expect(trainer.fit(data(), { epochs: 1 })).rejects.toThrow('fit: this trainer is already fitting');
        for (const f of [
          () => model.build(gpu),
          () => model.dispose(),
          () => loadCheckpoint(model, bytes, 'x.safetensors'),
          () => trainer.loadCheckpoint(bytes, 'x.safetensors'),
          () => trainer.dispose(),
        ]) {
          try {
            f();
            seen.push('no error');
          } catch (e) {
            seen.push((e as Error).message.split(':')[0]);
          }
        }
        model.freeze('conv2d_1');
        frozenBefore = await model.params()[0].tensor.read();
      },
    });
    expect(seen).toEqual(['build', 'dispose', 'loadCheckpoint', 'loadCheckpoint', 'dispose']);
    // frozenBefore was read after the steps queued before the freeze; the steps compiled after it leave conv2d_1 alone.
    expect(frozenBefore).not.toBeNull();
    expect(await model.params()[0].tensor.read()).toEqual(frozenBefore);
    expect(await model.params().at(-1)!.tensor.read()).not.toEqual((await readAll(small(cpu))).at(-1));
    // After the fit the model can be loaded and rebuilt again.
    loadCheckpoint(model, bytes, 'x.safetensors');
    trainer.dispose();
    model.dispose();
  });
});

describe('divergence stops training and keeps the last good weights', () => {
  for (const name of ['cpu', 'webgpu'] as const) {
    it(`${name}: lr 1e3 turns the loss NaN; fit rejects naming the step and the learning rate, and no weight is NaN`, async () => {
      const backend = name === 'cpu' ? cpu : await gpuBackend();
      const model = small(backend);
      const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 1e3 }, batchSize: 16, seed: 1 });
      const losses: number[] = [];
      // The explosion rule would fire first; off, the NaN rule is what stops it.
      const err = await trainer.fit(data(), { epochs: 2, divergence: { lossFactor: 'off' }, onBatch: (b) => void losses.push(b.loss) }).catch((e) => e);
      expect(err).toBeInstanceOf(DivergenceError);
      const d = err as DivergenceError;
      expect(d.rule).toBe('non-finite');
      expect(d.message).toMatch(
        /^fit: the loss became NaN at step \d+ \(epoch 1, batch \d+\) with learning rate 1000; training stopped\. The weights, running statistics and optimizer state are back to those before step \d+/,
      );
      expect(Number.isNaN(losses.at(-1))).toBe(true);
      expect(d.step).toBe(losses.length - 1);
      const after = await readAll(model);
      expect(nanCount(after)).toBe(0);
      // The restored weights are those of a step whose loss was finite: training from them at a sane rate works.
      expect(trainer.optimizer.steps).toBe(d.restoredTo!.batch);
      trainer.dispose();
    });
  }

  it("onNonFinite: 'continue' carries on and counts the non-finite steps; keepLastGood: false leaves the weights as they are", async () => {
    const gpu = await gpuBackend();
    const model = small(gpu);
    const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 1e3 }, batchSize: 16, seed: 1 });
    const [report] = await trainer.fit(data(), { epochs: 1, onNonFinite: 'continue', divergence: { lossFactor: 'off' } });
    expect(report.nonFiniteSteps).toBeGreaterThan(0);
    expect(Number.isFinite(report.loss) || report.nonFiniteSteps === 8).toBe(true);
    const again = new Trainer(small(gpu), { optimizer: { kind: 'sgd', lr: 1e3 }, batchSize: 16, seed: 1 });
    const err = await again.fit(data(), { epochs: 1, keepLastGood: false, divergence: { lossFactor: 'off' } }).catch((e) => e);
    expect((err as Error).message).toContain('The weights were left as they are (keepLastGood was off) and may hold NaN');
    trainer.dispose();
    again.dispose();
  });
});

describe('finite explosions and epochs at chance count as divergence', () => {
  for (const name of ['cpu', 'webgpu'] as const) {
    it(`${name}: Adam at lr 1e3 stops on the exploding loss (rule loss-explosion), with good weights back`, async () => {
      const backend = name === 'cpu' ? cpu : await gpuBackend();
      const model = small(backend);
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 1e3 }, batchSize: 16, seed: 1 });
      const losses: number[] = [];
      const err = await trainer.fit(data(), { epochs: 2, onBatch: (b) => void losses.push(b.loss) }).catch((e) => e);
      expect(err).toBeInstanceOf(DivergenceError);
      const d = err as DivergenceError;
      expect(d.rule).toBe('loss-explosion');
      expect(Number.isFinite(d.loss)).toBe(true);
      expect(d.message).toMatch(
        /^fit: the loss became \S+ at step \d+ \(epoch \d, batch \d+\) with learning rate 1000, over 1000 times the lowest loss so far \(\S+\); training stopped\. The weights, running statistics and optimizer state are back to those before step \d+ .*, the last before training diverged\./,
      );
      expect(d.loss).toBeGreaterThan(1000 * Math.min(...losses.slice(0, -1)) * 0.999);
      expect(nanCount(await readAll(model))).toBe(0);
      trainer.dispose();
    });
  }

  it("onDiverge: 'warn' carries on and lists the rule in the epoch's report; lossFactor 'off' turns it off", async () => {
    const gpu = await gpuBackend();
    const trainer = new Trainer(small(gpu), { optimizer: { kind: 'adam', lr: 1e3 }, batchSize: 16, seed: 1 });
    const [report] = await trainer.fit(data(), { epochs: 1, onDiverge: 'warn', onNonFinite: 'continue' });
    expect(report.warnings?.map((w) => w.rule)).toContain('loss-explosion');
    expect(report.warnings![0].message).toMatch(/times the lowest loss so far/);
    const off = new Trainer(small(gpu), { optimizer: { kind: 'adam', lr: 1e3 }, batchSize: 16, seed: 1 });
    const [quiet] = await off.fit(data(), { epochs: 1, divergence: { lossFactor: 'off' }, onNonFinite: 'continue' });
    expect(quiet.warnings).toBeUndefined();
    await expect(off.fit(data(), { epochs: 1, divergence: { lossFactor: 0.5 } })).rejects.toThrow(
      "fit: divergence.lossFactor must be a number above 1 or 'off', got 0.5",
    );
    trainer.dispose();
    off.dispose();
  });

  it('an epoch after the first at chance accuracy stops (rule chance-accuracy); the first epoch is never judged', async () => {
    const gpu = await gpuBackend();
    // Every image the same: the network cannot tell them apart, so it predicts one class for all.
    // 1,024 of them: the rule judges no epoch of fewer than CHANCE_MIN_EXAMPLES.
    const many = stripes(1024, 4, 16);
    const blank = { ...many, images: new Float32Array(1024 * 256) };
    const trainer = new Trainer(small(gpu), { optimizer: { kind: 'sgd', lr: 0.01 }, batchSize: 16, seed: 1 });
    const epochs: number[] = [];
    const err = await trainer.fit(blank, { epochs: 3, onEpoch: (e) => void epochs.push(e.epoch) }).catch((e) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    const d = err as DivergenceError;
    expect(d.rule).toBe('chance-accuracy');
    expect(d.epoch).toBe(2);
    expect(epochs).toEqual([1]);
    expect(d.message).toMatch(
      /^fit: epoch 2 ended at chance: its training accuracy 0\.\d{4} is no better than always predicting the most common class \(0\.\d{4}\)/,
    );
    const [first, second] = await new Trainer(small(gpu), { optimizer: { kind: 'sgd', lr: 0.01 }, batchSize: 16, seed: 1 }).fit(blank, {
      epochs: 2,
      onDiverge: 'warn',
    });
    expect(first.warnings).toBeUndefined();
    expect(second.warnings?.map((w) => w.rule)).toEqual(['chance-accuracy']);
    // The same blank data, 128 examples: too few to judge; no rule fires.
    const few = await new Trainer(small(gpu), { optimizer: { kind: 'sgd', lr: 0.01 }, batchSize: 16, seed: 1 }).fit(
      { ...data(), images: new Float32Array(128 * 256) },
      { epochs: 2 },
    );
    expect(few.map((r) => r.warnings)).toEqual([undefined, undefined]);
    trainer.dispose();
  });

  it('pixel cross-entropy: an epoch after the first no better than labelling every pixel with the most common class stops', async () => {
    const gpu = await gpuBackend();
    // Blank scenes: every pixel looks the same, so the network gives every pixel one class.
    const scenes = segmentationScenes(stripes(64, 4, 8), { count: 1024, size: 16, items: [1, 1], threshold: 0.5, seed: 3 });
    const blank = { ...scenes, images: new Float32Array(scenes.images.length) };
    const fcn = sequential([1, 16, 16], [new Conv2d({ filters: 5, kernel: 3, padding: 1 })]).build(gpu, { seed: 2 });
    const trainer = new Trainer(fcn, { optimizer: { kind: 'sgd', lr: 0.01 }, batchSize: 64, seed: 1, loss: { kind: 'pixel-cross-entropy' } });
    const err = await trainer.fit(blank, { epochs: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect((err as DivergenceError).rule).toBe('chance-accuracy');
    expect((err as DivergenceError).epoch).toBe(2);
    expect(err.message).toMatch(/no better than always predicting the most common class \(0\.\d{4}\)/);
    trainer.dispose();
    fcn.dispose();
  });
});

describe('data with NaN or infinities is refused before a step runs', () => {
  for (const name of ['cpu', 'webgpu'] as const) {
    it(`${name}: all-NaN images, or one infinity, name the data set and the first bad example; no weight changes`, async () => {
      const backend = name === 'cpu' ? cpu : await gpuBackend();
      const model = small(backend);
      const before = await readAll(model);
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 1e-3 }, batchSize: 16, seed: 1 });
      const nan = { ...data(), images: new Float32Array(128 * 256).fill(NaN) };
      await expect(trainer.fit(nan, { epochs: 1 })).rejects.toThrow('fit: image 0 holds NaN at value 0 (of 256); the data must be finite numbers');
      const one = data();
      one.images[5 * 256 + 17] = -Infinity;
      await expect(trainer.fit(one, { epochs: 1 })).rejects.toThrow('fit: image 5 holds -Infinity at value 17 (of 256)');
      await expect(trainer.fit(data(), { epochs: 1, validation: { ...data(), images: new Float32Array(128 * 256).fill(NaN) } })).rejects.toThrow(
        'fit validation: image 0 holds NaN',
      );
      expect(await readAll(model)).toEqual(before);
      trainer.dispose();
    });
  }
});

describe('a device lost mid-fit', () => {
  it('rejects once, saying the device was lost and what to do, with no unhandled rejection', async () => {
    const own = await createWebGPUBackend({ autotune: false });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: PromiseRejectionEvent) => {
      unhandled.push(e.reason);
      e.preventDefault();
    };
    window.addEventListener('unhandledrejection', onUnhandled);
    try {
      const model = small(own);
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 16, inFlight: 3 });
      const err = await trainer.fit(data(), { epochs: 1, onBatch: (b) => void (b.batch === 2 && own.device.destroy()) }).catch((e) => e);
      expect((err as Error).message).toMatch(
        /^fit \(epoch 1, step \d+\): .*the WebGPU device was lost \(destroyed.*create a new backend \(createWebGPUBackend\(\)\), build the model on it and load the last checkpoint/,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(unhandled).toEqual([]);
    } finally {
      window.removeEventListener('unhandledrejection', onUnhandled);
    }
  });
});
