// The losses beyond plain cross-entropy: values against their closed forms (PyTorch's
// definitions), gradients of the compiled graph against the closed-form derivative on the
// CPU reference and WebGPU, that derivative against central differences in float64, and
// training end to end on outputs that are not [batch, classes].
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import type { Dataset } from '../../src/data/dataset';
import { gradients } from '../../src/graph/autograd';
import { planGraph } from '../../src/graph/plan';
import { Program } from '../../src/graph/program';
import { TraceBackend } from '../../src/graph/trace';
import { Conv2d } from '../../src/nn/conv_layers';
import { Dense, Flatten } from '../../src/nn/dense_layers';
import { crossEntropyTargets, lossOf, targetShape, type LossConfig } from '../../src/training/losses';
import { sequential } from '../../src/nn/model';
import { Trainer } from '../../src/training/trainer';
import { Random } from '../../src/random';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

const f64 = new CpuBackend({ precision: 'float64' });
const B = 5;
const K = 4;
const rng = new Random(11);
const logits = Float64Array.from(rng.uniformArray(B * K, -3, 3));
const labels = Float64Array.from([0, 3, 1, 3, 2]);
const values01 = Float64Array.from(rng.uniformArray(B * K, 0, 1));

/** Per-value targets, or the cross-entropy coefficients the trainer builds from the labels. */
function targetsFor(config: LossConfig): Float64Array | null {
  const shape = targetShape(config, [K], B);
  if (!shape) return null;
  if (config.kind !== 'softmax-cross-entropy') return values01;
  return Float64Array.from(crossEntropyTargets(config, labels, new Float32Array(B * K)));
}

const logSoftmaxRow = (x: ArrayLike<number>, i: number) => {
  const row = Array.from({ length: K }, (_, k) => x[i * K + k]);
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
};

/** The losses as PyTorch defines them, in float64. */
function closedForm(config: LossConfig, x: ArrayLike<number>, t: ArrayLike<number>): number {
  const n = B * K;
  switch (config.kind) {
    case 'mse':
      return Array.from(x).reduce((s, v, i) => s + (v - t[i]) ** 2, 0) / n;
    case 'l1':
      return Array.from(x).reduce((s, v, i) => s + Math.abs(v - t[i]), 0) / n;
    case 'binary-cross-entropy':
      return Array.from(x).reduce((s, v, i) => s - (t[i] * Math.log(1 / (1 + Math.exp(-v))) + (1 - t[i]) * Math.log(1 - 1 / (1 + Math.exp(-v)))), 0) / n;
    case 'softmax-cross-entropy': {
      // CrossEntropyLoss(weight=w, label_smoothing=e), reduction mean.
      const e = config.labelSmoothing ?? 0;
      const w = config.classWeights ?? [1, 1, 1, 1];
      let nll = 0;
      let smooth = 0;
      let total = 0;
      for (let i = 0; i < B; i++) {
        const lp = logSoftmaxRow(x, i);
        const y = labels[i];
        nll -= w[y] * lp[y];
        smooth -= lp.reduce((s, v, k) => s + w[k] * v, 0);
        total += w[y];
      }
      return (1 - e) * (nll / total) + (e / K) * (smooth / total);
    }
    case 'pixel-cross-entropy':
      throw new Error('pixel cross-entropy has its own tests (tests/nn/segmentation.test.ts)');
  }
}

/** dLoss/dx of the closed form, by central differences in float64. */
function numericGrad(config: LossConfig, t: ArrayLike<number>): Float64Array {
  const h = 1e-6;
  return Float64Array.from(logits, (_, j) => {
    const plus = Float64Array.from(logits);
    const minus = Float64Array.from(logits);
    plus[j] += h;
    minus[j] -= h;
    return (closedForm(config, plus, t) - closedForm(config, minus, t)) / (2 * h);
  });
}

/** The loss and its gradient as the training step computes them: traced, differentiated, compiled. */
async function graphLossAndGrad(backend: Backend, config: LossConfig, t: Float64Array | null): Promise<[number, Float32Array]> {
  const trace = new TraceBackend();
  const x = trace.input('x', [B, K]);
  const y = trace.input('labels', [B]);
  const tt = t ? trace.input('targets', [B, K]) : null;
  const loss = lossOf(config, x, y, tt);
  const [g] = gradients(trace, loss, [x]);
  const program = new Program(backend, planGraph(trace, [trace.valueOf(loss).id, trace.valueOf(g).id]));
  const [l, grad] = await program.run({ x: Float32Array.from(logits), labels: Float32Array.from(labels), ...(t ? { targets: Float32Array.from(t) } : {}) }, [
    trace.valueOf(loss).id,
    trace.valueOf(g).id,
  ]);
  program.dispose();
  return [l[0], grad];
}

const LOSSES: [string, LossConfig][] = [
  ['cross-entropy with label smoothing 0.1', { kind: 'softmax-cross-entropy', labelSmoothing: 0.1 }],
  ['cross-entropy with class weights', { kind: 'softmax-cross-entropy', classWeights: [1, 0.5, 2, 0.25] }],
  ['cross-entropy with both', { kind: 'softmax-cross-entropy', labelSmoothing: 0.2, classWeights: [1, 0.5, 2, 0.25] }],
  ['binary cross-entropy with logits', { kind: 'binary-cross-entropy' }],
  ['mse', { kind: 'mse' }],
  ['l1', { kind: 'l1' }],
];

describe.each(LOSSES)('%s', (_name, config) => {
  const t = targetsFor(config);
  const tv = config.kind === 'softmax-cross-entropy' ? [] : t!;

  it('equals its closed form in float64 on the CPU reference', () => {
    const loss = lossOf(config, tensor(f64, logits, [B, K]), tensor(f64, labels, [B]), t ? tensor(f64, t, [B, K]) : null);
    // Cross-entropy's coefficients come from fillTargets in float32, the rest is float64.
    const tolerance = config.kind === 'softmax-cross-entropy' ? 1e-7 : 1e-12;
    expect(Math.abs(f64.readFloat64(loss.storageFor('test'))[0] - closedForm(config, logits, tv))).toBeLessThan(tolerance);
  });

  it.each([
    ['cpu', async (): Promise<Backend> => cpu],
    ['webgpu', gpuBackend],
  ])("the compiled step's loss and gradient on %s equal the closed form and its central differences", async (_b, getBackend) => {
    const [loss, grad] = await graphLossAndGrad(await getBackend(), config, t);
    expect(Math.abs(loss - closedForm(config, logits, tv))).toBeLessThan(1e-5 * (1 + Math.abs(loss)));
    const numeric = numericGrad(config, tv);
    expect(numeric.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    for (let j = 0; j < grad.length; j++) expect(Math.abs(grad[j] - numeric[j]), `d/dx[${j}]`).toBeLessThan(1e-6 + 1e-5 * Math.abs(numeric[j]));
  });
});

describe('losses in training', () => {
  it('a per-pixel map (conv output [1, 8, 8]) trains end to end with mse, and l1 and evaluation report no accuracy', async () => {
    // Learn to output the input's bright stripe as a mask: target = 1 where the stripe is.
    const d = stripes(64, 4, 8, 4);
    const targets = new Float32Array(d.count * 64);
    for (let i = 0; i < d.count; i++) for (let p = 0; p < 64; p++) targets[i * 64 + p] = Math.floor(Math.floor(p / 8) / 2) === d.labels[i] ? 1 : 0;
    const data: Dataset = { ...d, labels: new Uint8Array(0), targets, targetShape: [1, 8, 8] };
    for (const kind of ['mse', 'l1'] as const) {
      const net = sequential(
        [1, 8, 8],
        [new Conv2d({ filters: 8, kernel: 3, padding: 1, activation: 'relu' }), new Conv2d({ filters: 1, kernel: 3, padding: 1 })],
        'mask',
      ).build(await gpuBackend(), { seed: 2 });
      const trainer = new Trainer(net, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 16, loss: { kind } });
      const before = (await trainer.evaluate(data)).loss;
      const reports = await trainer.fit(data, { epochs: 6 });
      const after = await trainer.evaluate(data);
      expect(after.loss, kind).toBeLessThan(before * (kind === 'mse' ? 0.5 : 0.8));
      expect(Number.isNaN(reports[0].accuracy)).toBe(true);
      expect(Number.isNaN(after.accuracy)).toBe(true);
      expect(after.confusion).toEqual([]);
      net.dispose();
    }
  });

  it('multi-label binary cross-entropy trains, with the accuracy of every output value', async () => {
    // Two labels per image: "stripe in the top half" and "stripe in an even band".
    const d = stripes(96, 4, 8, 5);
    const targets = Float32Array.from({ length: d.count * 2 }, (_, j) => (j % 2 === 0 ? (d.labels[j >> 1] < 2 ? 1 : 0) : d.labels[j >> 1] % 2 === 0 ? 1 : 0));
    const data: Dataset = { ...d, targets, targetShape: [2] };
    const net = sequential([1, 8, 8], [new Flatten(), new Dense({ units: 16, activation: 'relu' }), new Dense({ units: 2 })], 'tags').build(cpu, { seed: 1 });
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', lr: 0.02 }, batchSize: 16, loss: { kind: 'binary-cross-entropy' } });
    await trainer.fit(data, { epochs: 8 });
    expect((await trainer.evaluate(data)).accuracy).toBeGreaterThan(0.95);
    await expect(trainer.predict(data.images)).rejects.toThrow(
      "predict: this trainer's binary-cross-entropy loss has no classes to predict; model.predict(images) gives the outputs",
    );
  });

  it('class weights and smoothing train a classifier; bad configurations and datasets are refused by name', async () => {
    const data = stripes(64, 4, 8, 6);
    const net = sequential([1, 8, 8], [new Flatten(), new Dense({ units: 4 })], 'linear').build(cpu, { seed: 1 });
    const trainer = new Trainer(net, {
      optimizer: { kind: 'adam', lr: 0.05 },
      batchSize: 16,
      loss: { kind: 'softmax-cross-entropy', labelSmoothing: 0.1, classWeights: [1, 1, 2, 2] },
    });
    await trainer.fit(data, { epochs: 5 });
    const r = await trainer.evaluate(data);
    expect(r.accuracy).toBeGreaterThan(0.9);
    expect(r.probabilities.length).toBe(64 * 4);
    // The coefficients are laid out by the model's classes, whatever the batch's labels cover:
    // labels 0 and 2 of a 4-class output, smoothing 0.2, each row weighing 1/2.
    const c = crossEntropyTargets({ kind: 'softmax-cross-entropy', labelSmoothing: 0.2 }, [0, 2], new Float32Array(8));
    [0.425, 0.025, 0.025, 0.025, 0.025, 0.025, 0.425, 0.025].forEach((v, i) => expect(c[i]).toBeCloseTo(v, 6));
    expect(() => new Trainer(net, { optimizer: { kind: 'sgd', lr: 0.1 }, loss: { kind: 'softmax-cross-entropy', classWeights: [1, 2] } })).toThrow(
      "loss: 2 class weights for linear's 4 classes",
    );
    expect(() => new Trainer(net, { optimizer: { kind: 'sgd', lr: 0.1 }, loss: { kind: 'softmax-cross-entropy', labelSmoothing: 1 } })).toThrow(
      'loss: labelSmoothing must be in [0, 1), got 1',
    );
    const mask = sequential([1, 8, 8], [new Conv2d({ filters: 1, kernel: 3, padding: 1 })], 'mask').build(cpu);
    expect(() => new Trainer(mask, { optimizer: { kind: 'sgd', lr: 0.1 } })).toThrow(
      'mask: softmax cross-entropy needs [batch, classes] logits, but the output is [batch, 1, 8, 8]',
    );
    const regress = new Trainer(mask, { optimizer: { kind: 'sgd', lr: 0.1 }, loss: { kind: 'mse' } });
    await expect(regress.fit(data, { epochs: 1 })).rejects.toThrow(
      'fit: the mse loss learns per-value targets, but the dataset has none (give it targets and targetShape [1,8,8])',
    );
    const bce = new Trainer(mask, { optimizer: { kind: 'sgd', lr: 0.1 }, loss: { kind: 'binary-cross-entropy' } });
    const badTargets: Dataset = { ...data, targets: new Float32Array(64 * 64).fill(2), targetShape: [1, 8, 8] };
    await expect(bce.fit(badTargets, { epochs: 1 })).rejects.toThrow('fit: binary cross-entropy targets must be in [0, 1]; value 2 at index 0');
  });
});
