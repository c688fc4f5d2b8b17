import { describe, expect, it } from 'vitest';
import { Conv2d, Dense, Flatten, MaxPool2d, sequential, Trainer, BatchNorm, ActivationLayer, Dropout, lenet5, Optimizer, everyLayerNet } from '../../src/index';
import { compileTrainStep } from '../../src/training/compile';
import type { Backend } from '../../src/backends/backend';
import { cpu, gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

const tinyCnn = () =>
  sequential(
    [1, 8, 8],
    [
      new Conv2d({ filters: 4, kernel: 3, padding: 1 }),
      new BatchNorm(),
      new ActivationLayer('relu'),
      new MaxPool2d({ kernel: 2 }),
      new Flatten(),
      new Dropout({ rate: 0.1 }),
      new Dense({ units: 4, init: 'glorot' }),
    ],
  );

async function losses(backend: Backend, steps: number) {
  const model = tinyCnn().build(backend, { seed: 3 });
  const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 16, seed: 5 });
  const out: number[] = [];
  await trainer.fit(stripes(16 * steps), { epochs: 1, onBatch: (r) => void out.push(r.loss) });
  const weights = await model.params()[0].tensor.read();
  trainer.dispose();
  return { out, weights };
}

describe('training', () => {
  it('the same seed gives the same losses on CPU and WebGPU step for step (tol 1e-4 relative)', async () => {
    const gpu = await gpuBackend();
    const a = await losses(cpu, 6);
    const b = await losses(gpu, 6);
    expect(b.out.length).toBe(6);
    b.out.forEach((l, i) => expect(Math.abs(l - a.out[i]), `step ${i}: gpu ${l} cpu ${a.out[i]}`).toBeLessThan(1e-4 * (1 + Math.abs(a.out[i]))));
    b.weights.forEach((w, i) => expect(Math.abs(w - a.weights[i])).toBeLessThan(1e-4));
  });

  it('is deterministic: same seed, same losses on the same backend', async () => {
    const gpu = await gpuBackend();
    const a = await losses(gpu, 4);
    const b = await losses(gpu, 4);
    expect(b.out).toEqual(a.out);
  });

  it('learns: loss falls and test accuracy passes 0.9 on a held-out set', async () => {
    const gpu = await gpuBackend();
    const model = tinyCnn().build(gpu, { seed: 1 });
    const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 32, seed: 2 });
    const reports = await trainer.fit(stripes(640, 4, 8, 7), { epochs: 3, validation: stripes(200, 4, 8, 8) });
    expect(reports[2].loss).toBeLessThan(reports[0].loss);
    expect(reports[2].testAccuracy).toBeGreaterThan(0.9);
    const stats = trainer.stepStats();
    expect(stats.submitsPerStep).toBe(1);
    expect(stats.dispatchesPerStep).toBeGreaterThan(10);
    expect(stats.workingBytes).toBeLessThan(stats.unsharedBytes);
    // The peak counts the recorded step's own buffers as well as the pool's.
    expect(stats.peakBytes).toBeGreaterThan(stats.workingBytes);
    trainer.dispose();
  });

  it('working bytes after reuse never exceed the bytes without it (same size classes, kernel temporaries counted in both)', async () => {
    const gpu = await gpuBackend();
    for (const [make, batch] of [
      [() => lenet5([1, 28, 28], 10), 1],
      [() => lenet5(), 64],
      [() => everyLayerNet(), 2],
      [() => sequential([3, 16, 16], [new Conv2d({ filters: 16, kernel: 3, padding: 1 }), new Flatten(), new Dense({ units: 3 })]), 8],
    ] as const) {
      const model = make().build(gpu, { seed: 1 });
      const step = compileTrainStep(model, new Optimizer({ kind: 'adam', lr: 1e-3 }), batch);
      const { workingBytes, unsharedBytes } = step.program.stats;
      expect(workingBytes, `${model.name} batch ${batch}: ${workingBytes} > ${unsharedBytes}`).toBeLessThanOrEqual(unsharedBytes);
      expect(workingBytes).toBeGreaterThan(0);
      step.program.dispose();
      model.dispose();
    }
  });

  it('a LeNet-5 step at batch 64 is at most 40 dispatches and one submit (ReLU fused, weight and bias updated together)', async () => {
    const gpu = await gpuBackend();
    for (const kind of ['adam', 'sgd'] as const) {
      const model = lenet5().build(gpu, { seed: 1 });
      const step = compileTrainStep(model, new Optimizer({ kind, lr: 1e-3 }), 64);
      expect(step.program.stats.dispatchesPerRun, kind).toBeLessThanOrEqual(40);
      expect(step.program.stats.submitsPerRun).toBe(1);
      expect(step.program.plan.nodes.filter((n) => n.op.endsWith('_update_pair'))).toHaveLength(5);
      step.program.dispose();
      model.dispose();
    }
  });
});
