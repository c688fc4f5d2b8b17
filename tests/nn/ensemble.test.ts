// ensemble(models): the members' softmax outputs averaged in one graph per batch, against
// the host's average of each model's own predict; evaluate scores it and every member.
import { describe, expect, it } from 'vitest';
import { cifarCnn, ensemble, lenet5, Trainer, type Model } from '../../src/index';
import { gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

/** Softmax of each row of logits [count, k], in float64. */
function softmaxRows(logits: Float32Array, k: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length / k; i++) {
    const row = logits.subarray(i * k, (i + 1) * k);
    const top = Math.max(...row);
    let total = 0;
    for (let c = 0; c < k; c++) total += out[i * k + c] = Math.exp(row[c] - top);
    for (let c = 0; c < k; c++) out[i * k + c] /= total;
  }
  return out;
}

describe('ensemble', () => {
  it("averages the members' softmax outputs as the host averages each model's predict, and scores them", async () => {
    const gpu = await gpuBackend();
    const train = stripes(192, 10, 28, 1);
    const test = stripes(70, 10, 28, 9);
    // Three members of other seeds, trained a little, so their outputs differ.
    const models: Model[] = [];
    for (const seed of [1, 2, 3]) {
      const model = lenet5().build(gpu, { seed });
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 2e-3 }, batchSize: 32, seed });
      await trainer.fit(train, { epochs: 1 });
      trainer.dispose();
      models.push(model);
    }
    const k = 10;
    const host = new Float64Array(test.count * k);
    const each = await Promise.all(models.map(async (m) => softmaxRows(await m.predict(test.images), k)));
    for (const p of each) p.forEach((v, i) => (host[i] += v / models.length));
    // The members disagree: the test would not see a member left out or counted twice.
    expect(Math.max(...each[0].map((v, i) => Math.abs(v - each[1][i])))).toBeGreaterThan(0.01);

    const ens = ensemble(models, { batchSize: 32 }); // 70 images: batches of 32, 32 and 6
    const got = await ens.predict(test.images);
    expect(Math.max(...got.probabilities.map((v, i) => Math.abs(v - host[i])))).toBeLessThan(1e-5);
    got.members.forEach((p, m) => expect(Math.max(...p.map((v, i) => Math.abs(v - each[m][i])))).toBeLessThan(1e-5));
    for (let i = 0; i < test.count; i++) {
      const row = got.probabilities.subarray(i * k, (i + 1) * k);
      expect(got.predictions[i]).toBe(row.indexOf(Math.max(...row)));
    }

    const r = await ens.evaluate(test);
    let correct = 0;
    let loss = 0;
    for (let i = 0; i < test.count; i++) {
      const row = [...host.subarray(i * k, (i + 1) * k)];
      if (row.indexOf(Math.max(...row)) === test.labels[i]) correct++;
      loss -= Math.log(row[test.labels[i]]);
    }
    expect(r.accuracy).toBeCloseTo(correct / test.count, 10);
    expect(r.loss).toBeCloseTo(loss / test.count, 4);
    expect(r.count).toBe(70);
    expect(r.confusion.flat().reduce((a, b) => a + b)).toBe(70);
    // Each member's figures are its own evaluation's.
    for (const [m, model] of models.entries()) {
      const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.1 } });
      const alone = await trainer.evaluate(test);
      trainer.dispose();
      expect(r.members[m].accuracy).toBeCloseTo(alone.accuracy, 10);
      expect(r.members[m].loss).toBeCloseTo(alone.loss, 4);
    }
    ens.dispose();
    for (const m of models) m.dispose();
  });

  it('refuses members that do not fit together, and data that does not fit them', async () => {
    const gpu = await gpuBackend();
    const a = lenet5().build(gpu, { seed: 1 });
    expect(() => ensemble([])).toThrow('ensemble: give at least one model');
    expect(() => ensemble([a, lenet5([1, 28, 28], 5).build(gpu)])).toThrow(
      'ensemble: every member must output the same [classes] logits; model 2 (lenet5) outputs [5], model 1 [10]',
    );
    expect(() => ensemble([a, cifarCnn().build(gpu)])).toThrow('ensemble: model 2 (cifar_cnn) takes [3,32,32], model 1 [1,28,28]');
    expect(() => ensemble([a, lenet5()])).toThrow('ensemble: model 2 (lenet5) is not built; build it first');
    await expect(ensemble([a]).evaluate(stripes(4, 4, 8))).rejects.toThrow(
      "ensemble evaluate: examples of shape [1,8,8] do not fit the members' input [1,28,28]",
    );
    await expect(ensemble([a]).predict(new Float32Array(10))).rejects.toThrow(
      'ensemble predict: the members take [count, 1, 28, 28] (784 values per example), got 10 values',
    );
    a.dispose();
  });
});
