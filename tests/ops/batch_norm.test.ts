import { describe, expect, it } from 'vitest';
import { batchNorm, batchNormStatsOp, batchNormTrainOp } from '../../src/ops/batch_norm';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { runOp } from '../../src/ops/op';
import { Random } from '../../src/random';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkGradient } from '../helpers/gradcheck';
import { checkParity } from '../helpers/parity';
import { batchNormGrads, batchNormTable } from './batch_norm.cases';

describe('batch_norm parity (gpu vs cpu)', () => {
  for (const c of batchNormTable.cases) it(c.name, () => checkParity(c));
});

describe('batch_norm gradient rules (finite differences, cpu float64)', () => {
  for (const c of batchNormGrads.cases) it(c.name, () => checkGradient(c));
});

describe('batch_norm with the statistics given', () => {
  it('the rule gives the same gradients as without (which finite differences check), and none for the statistics', async () => {
    const f64 = new CpuBackend({ precision: 'float64' });
    const rng = new Random(3);
    const x = tensor(f64, rng.uniformArray(2 * 3 * 2 * 2, -1, 2), [2, 3, 2, 2]);
    const gamma = tensor(f64, rng.uniformArray(3), [3]);
    const beta = tensor(f64, rng.uniformArray(3), [3]);
    const dy = tensor(f64, rng.uniformArray(24), [2, 3, 2, 2]);
    const stats = runOp(batchNormStatsOp, [x], {});
    const attrs = { eps: 1e-5 };
    const y = runOp(batchNormTrainOp, [x, gamma, beta, stats], attrs);
    expect([...(await y.read())]).toEqual([...(await runOp(batchNormTrainOp, [x, gamma, beta], attrs).read())]);
    const withStats = batchNormTrainOp.grad!([x, gamma, beta, stats], y, dy, attrs);
    const without = batchNormTrainOp.grad!([x, gamma, beta], y, dy, attrs);
    expect(withStats).toHaveLength(4);
    expect(withStats[3]).toBeNull();
    for (let i = 0; i < 3; i++) {
      const [a, b] = [await withStats[i]!.read(), await without[i]!.read()];
      a.forEach((v, k) => expect(v).toBeCloseTo(b[k], 12));
    }
  });
});

describe('batch_norm', () => {
  it('normalises with batch statistics in training and updates running statistics with momentum', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      // Channel 0 holds 1, 3; channel 1 holds 10, 10 (two examples of [N, C] = [2, 2]).
      const x = tensor(backend, [1, 10, 3, 10], [2, 2]);
      const state = {
        gamma: tensor(backend, [2, 1], [2]),
        beta: tensor(backend, [0.5, 0], [2]),
        runningMean: tensor(backend, [0, 0], [2]),
        runningVar: tensor(backend, [1, 1], [2]),
      };
      const { y, runningMean, runningVar } = batchNorm(x, state, { training: true, momentum: 0.1 });
      // Channel 0: mean 2, biased variance 1 -> 2 * (+-1) + 0.5; channel 1 is constant -> beta.
      const got = await y.read();
      [-1.5, 0, 2.5, 0].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 4));
      // mean (2, 10); unbiased variance (2, 0); 0.9 * old + 0.1 * new
      expect([...(await runningMean.read())].map((v) => +v.toFixed(6))).toEqual([0.2, 1]);
      expect([...(await runningVar.read())].map((v) => +v.toFixed(6))).toEqual([1.1, 0.9]);
      const inference = batchNorm(x, { ...state, runningMean, runningVar }, { training: false });
      expect(inference.runningMean).toBe(runningMean);
      expect((await inference.y.read())[0]).toBeCloseTo((2 * (1 - 0.2)) / Math.sqrt(1.1 + 1e-5) + 0.5, 5);
    }
  });

  it('names the op and shapes when gamma does not match the channels', () => {
    const x = tensor(cpu, new Float32Array(12), [2, 3, 2, 1]);
    const p = tensor(cpu, new Float32Array(2), [2]);
    expect(() => batchNorm(x, { gamma: p, beta: p, runningMean: p, runningVar: p }, { training: true })).toThrow(
      'batch_norm_train: gamma must have shape [3] for input [2,3,2,1], got [2]',
    );
  });
});
