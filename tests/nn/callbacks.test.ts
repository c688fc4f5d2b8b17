// fit's callbacks: early stopping, best-epoch checkpoints, reduce-on-plateau and unfreezing
// schedules, first on scripted metric sequences (a stand-in trainer), then inside a real fit.
import { describe, expect, it } from 'vitest';
import { bestCheckpoint, earlyStopping, reduceLrOnPlateau, unfreezeSchedule, type CallbackHost, type FitCallback } from '../../src/training/callbacks';
import { sequential } from '../../src/nn/model';
import { Conv2d } from '../../src/nn/conv_layers';
import { Dense, Flatten } from '../../src/nn/dense_layers';
import { MaxPool2d } from '../../src/nn/pool_layers';
import { Trainer } from '../../src/training/trainer';
import type { EpochReport } from '../../src/training/reports';
import { cpu } from '../helpers/backends';
import { stripes } from './helpers';

/** A trainer stand-in that records what the callbacks ask of it. */
function fakeHost() {
  const calls: string[] = [];
  let saved = 0;
  const host: CallbackHost & { calls: string[] } = {
    calls,
    model: {
      unfreeze: (...n: string[]) => calls.push(`unfreeze ${n.join(',')}`),
      freeze: (...n: string[]) => calls.push(`freeze ${n.join(',')}`),
      scaleLearningRate: (s: number, ...n: string[]) => calls.push(`scale ${s} ${n.join(',')}`),
    },
    optimizer: {
      lrFactor: 1,
      learningRate() {
        return 0.01 * this.lrFactor;
      },
    },
    saveCheckpoint: async () => Uint8Array.of(++saved),
    restoreWeights: (b) => void calls.push(`restore ${b[0]}`),
  };
  return host;
}

const report = (epoch: number, testLoss: number, testAccuracy = 0): EpochReport => ({
  epoch,
  loss: 1,
  accuracy: 0,
  testLoss,
  testAccuracy,
  seconds: 1,
  imagesPerSecond: 1,
});

/** Feeds a scripted sequence of validation losses; returns the epoch at which the callback said stop (or null). */
async function play(cb: FitCallback, host: CallbackHost, losses: number[]): Promise<{ stoppedAt: number | null; reports: EpochReport[] }> {
  const reports: EpochReport[] = [];
  for (let i = 0; i < losses.length; i++) {
    await cb.onEpochBegin?.(i + 1, host);
    const r = report(i + 1, losses[i]);
    reports.push(r);
    if ((await cb.onEpochEnd?.(r, host)) === 'stop') {
      await cb.onFitEnd?.(reports, host);
      return { stoppedAt: i + 1, reports };
    }
  }
  await cb.onFitEnd?.(reports, host);
  return { stoppedAt: null, reports };
}

describe('callbacks on scripted metrics', () => {
  it('earlyStopping stops after `patience` epochs without improvement and puts the best epoch back', async () => {
    const host = fakeHost();
    const stop = earlyStopping({ patience: 2 });
    // Best at epoch 2 (0.8); epochs 3 and 4 do not improve: stop after epoch 4.
    const { stoppedAt } = await play(stop, host, [1.0, 0.8, 0.85, 0.9, 0.5]);
    expect(stoppedAt).toBe(4);
    expect(stop.stoppedAt).toBe(4);
    expect(stop.bestEpoch).toBe(2);
    expect(stop.best).toBeCloseTo(0.8);
    // Checkpoints were taken at epochs 1 and 2 (the improvements); the second is restored.
    expect(host.calls).toEqual(['restore 2']);
  });

  it('earlyStopping: minDelta, max mode on accuracy, no restore when the last epoch is the best', async () => {
    const host = fakeHost();
    const stop = earlyStopping({ patience: 1, minDelta: 0.05 });
    // 0.97 is not better than 1.0 by more than 0.05: no improvement, stop at epoch 2.
    expect((await play(stop, host, [1.0, 0.97, 0.5])).stoppedAt).toBe(2);
    const acc = earlyStopping({ monitor: 'testAccuracy', patience: 1 });
    const h2 = fakeHost();
    for (const [e, a] of [
      [1, 0.5],
      [2, 0.7],
    ] as const)
      expect(await acc.onEpochEnd!(report(e, 9, a), h2)).toBeUndefined();
    expect(await acc.onEpochEnd!(report(3, 9, 0.6), h2)).toBe('stop');
    expect(acc.bestEpoch).toBe(2);
    // Ran out of epochs on its best: nothing to put back.
    const h3 = fakeHost();
    expect((await play(earlyStopping({ patience: 3 }), h3, [3, 2, 1])).stoppedAt).toBeNull();
    expect(h3.calls).toEqual([]);
    await expect(earlyStopping().onEpochEnd!({ ...report(1, 1), testLoss: undefined }, h3)).rejects.toThrow(
      "earlyStopping: the epoch report has no 'testLoss' (pass fit a validation set",
    );
    expect(() => earlyStopping({ patience: 1.5 })).toThrow('earlyStopping: patience must be an integer >= 0, got 1.5');
  });

  it('reduceLrOnPlateau multiplies the rate after `patience` flat epochs, with cooldown and a floor', async () => {
    const host = fakeHost();
    const plateau = reduceLrOnPlateau({ factor: 0.5, patience: 2, cooldown: 1, minLr: 0.002 });
    const lrs: number[] = [];
    for (const [i, loss] of [1, 0.9, 0.95, 0.93, 0.92, 0.91, 0.96, 0.97, 0.98, 0.99, 1, 1].entries()) {
      await plateau.onEpochEnd!(report(i + 1, loss), host);
      lrs.push(Number(host.optimizer.learningRate().toFixed(6)));
    }
    // Flat from epoch 3: halved after epoch 4; cooldown epoch 5; flat 6-7: halved after 7; cooldown 8;
    // flat 9-10: 0.0025 would halve to 0.00125, below the floor, so 0.002; then it stays there.
    expect(plateau.reductions).toEqual([4, 7, 10]);
    expect(lrs).toEqual([0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025, 0.0025, 0.0025, 0.002, 0.002, 0.002]);
    expect(() => reduceLrOnPlateau({ factor: 1 })).toThrow('reduceLrOnPlateau: factor must be in (0, 1), got 1');
  });

  it('bestCheckpoint saves on each improvement, with the epoch and the metric in its metadata', async () => {
    const saved: number[] = [];
    const host = fakeHost();
    const metadata: Record<string, string>[] = [];
    host.saveCheckpoint = async (m) => {
      metadata.push(m ?? {});
      return Uint8Array.of(metadata.length);
    };
    const best = bestCheckpoint({ save: (_b, r) => void saved.push(r.epoch) });
    await play(best, host, [1, 0.7, 0.9, 0.6, 0.6]);
    expect(saved).toEqual([1, 2, 4]);
    expect(best.bestEpoch).toBe(4);
    expect(metadata[2]).toEqual({ best_epoch: '4', best_metric: 'testLoss', best_value: '0.6' });
  });

  it('unfreezeSchedule unfreezes at its epochs, and at once in a run resumed past them', async () => {
    const host = fakeHost();
    const schedule = unfreezeSchedule([
      { epoch: 2, layers: ['dense_1'], lrScale: 0.1 },
      { epoch: 4, layers: ['conv_1', 'conv_2'] },
    ]);
    await play(schedule, host, [1, 1, 1]);
    expect(host.calls).toEqual(['unfreeze dense_1', 'scale 0.1 dense_1', 'unfreeze dense_1', 'scale 0.1 dense_1']);
    const resumed = fakeHost();
    await schedule.onEpochBegin!(5, resumed);
    expect(resumed.calls).toEqual(['unfreeze dense_1', 'scale 0.1 dense_1', 'unfreeze conv_1,conv_2']);
    expect(() => unfreezeSchedule([{ epoch: 0, layers: ['x'] }])).toThrow('unfreezeSchedule: epoch must be an integer >= 1, got 0');
  });
});

describe('callbacks inside fit (CPU)', () => {
  const net = () =>
    sequential(
      [1, 8, 8],
      [
        new Conv2d({ filters: 4, kernel: 3, activation: 'relu', name: 'conv' }),
        new MaxPool2d({ kernel: 2 }),
        new Flatten(),
        new Dense({ units: 4, name: 'head' }),
      ],
      'tiny',
    ).build(cpu, { seed: 3 });

  it("a callback's 'stop' ends fit after that epoch; early stopping then restores its best epoch's weights", async () => {
    const data = stripes(64, 4, 8, 1);
    const model = net();
    const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.05 }, batchSize: 16, seed: 1 });
    const snapshots: Float32Array[] = [];
    // The training loss is the monitor; an impossible minDelta makes epoch 1 the best for good.
    const stop = earlyStopping({ monitor: 'loss', patience: 2, minDelta: 1e9 });
    const reports = await trainer.fit(data, { epochs: 6, callbacks: [stop], onEpoch: async () => void snapshots.push(await model.params()[0].tensor.read()) });
    expect(reports.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(reports[2].stoppedEarly).toBe(true);
    expect(trainer.progress.epoch).toBe(3);
    expect(snapshots[2]).not.toEqual(snapshots[0]);
    expect(await model.params()[0].tensor.read()).toEqual(snapshots[0]);
  });

  it('reduce-on-plateau lowers the rate the next epoch trains with, and a checkpoint keeps the factor', async () => {
    const data = stripes(32, 4, 8, 2);
    const model = net();
    const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.05 }, batchSize: 16 });
    const rates: number[] = [];
    const plateau = reduceLrOnPlateau({ monitor: 'loss', patience: 1, minDelta: 1e9, factor: 0.5 });
    await trainer.fit(data, { epochs: 3, callbacks: [plateau], onBatch: (b) => void rates.push(b.learningRate) });
    // Epoch 1 sets the best; epoch 2 does not improve (minDelta): halved for epoch 3.
    expect(rates).toEqual([0.05, 0.05, 0.05, 0.05, 0.025, 0.025]);
    // Epoch 3 did not improve either: halved again for whatever trains next.
    expect(trainer.optimizer.learningRate()).toBe(0.0125);
    const bytes = await trainer.saveCheckpoint();
    const again = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.05 }, batchSize: 16 });
    again.loadCheckpoint(bytes, 'plateau.safetensors');
    expect(again.optimizer.learningRate()).toBe(0.0125);
  });

  it('an unfreezing schedule trains a frozen layer from its epoch on', async () => {
    const data = stripes(32, 4, 8, 3);
    const model = net().freeze('conv');
    const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.05 }, batchSize: 16 });
    const conv: Float32Array[] = [];
    await trainer.fit(data, {
      epochs: 3,
      callbacks: [unfreezeSchedule([{ epoch: 3, layers: ['conv'] }])],
      onEpoch: async () =>
        void conv.push(
          await model
            .params()
            .find((p) => p.name === 'conv.weight')!
            .tensor.read(),
        ),
    });
    expect(conv[1]).toEqual(conv[0]);
    expect(conv[2]).not.toEqual(conv[1]);
  });
});
