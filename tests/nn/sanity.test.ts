// The seed's sanity checks (sanityCheck) and the L2 term of the loss they raise: the
// term is what the reported loss adds and what SGD's weight decay does to a step; the
// checks pass on LeNet-5 at real Fashion-MNIST images, and each can fail.
import { describe, expect, it } from 'vitest';
import {
  Conv2d,
  Dense,
  fetchIdxSplit,
  Flatten,
  lenet5,
  MaxPool2d,
  meanStd,
  normalize,
  sanityCheck,
  sequential,
  take,
  Trainer,
  type Dataset,
  type Init,
  type Model,
} from '../../src/index';
import { gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

/** The first `n` Fashion-MNIST training images, normalised. */
async function fashion(n: number): Promise<Dataset> {
  const train = take(await fetchIdxSplit('/datasets/fashion-mnist', 'train'), n);
  const images = Float32Array.from(train.images);
  const { mean, std } = meanStd(images);
  return { ...train, images: normalize(images, mean, std) };
}

/** LeNet-5's layers with a head of the given init. */
const lenetWithHead = (init: Init) =>
  sequential(
    [1, 28, 28],
    [
      new Conv2d({ filters: 6, kernel: 5, padding: 2, activation: 'relu' }),
      new MaxPool2d({ kernel: 2 }),
      new Conv2d({ filters: 16, kernel: 5, activation: 'relu' }),
      new MaxPool2d({ kernel: 2 }),
      new Flatten(),
      new Dense({ units: 120, activation: 'relu' }),
      new Dense({ units: 84, activation: 'relu' }),
      new Dense({ units: 10, init, name: 'head' }),
    ],
    'lenet_head',
  );

async function weightsOf(model: Model): Promise<Float32Array[]> {
  return Promise.all(model.params().map((p) => p.tensor.read()));
}

describe('the L2 term of the loss (TrainerOptions.l2)', () => {
  it('adds λ/2 Σw² to the reported loss, and SGD with it takes the steps of SGD with weightDecay λ', async () => {
    const gpu = await gpuBackend();
    const data = stripes(64, 10, 28, 5);
    const run = async (options: { l2?: number; weightDecay?: number }) => {
      const model = lenet5().build(gpu, { seed: 3 });
      let squares = 0;
      for (const p of model.trainableParams()) for (const v of await p.tensor.read()) squares += v * v;
      const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.05, weightDecay: options.weightDecay }, batchSize: 16, seed: 3, l2: options.l2 });
      const losses: number[] = [];
      await trainer.fit(data, { epochs: 1, onBatch: (b) => void losses.push(b.loss) });
      const weights = await weightsOf(model);
      trainer.dispose();
      model.dispose();
      return { losses, weights, squares };
    };
    const plain = await run({});
    const term = await run({ l2: 0.01 });
    const decay = await run({ weightDecay: 0.01 });
    // Same first weights and batch: the first step's losses differ by the term exactly (float32 sums).
    expect(term.losses[0] - plain.losses[0]).toBeCloseTo((0.01 / 2) * plain.squares, 4);
    expect(term.losses[0] - plain.losses[0]).toBeGreaterThan(0.1);
    // The term's gradient is λw: after 4 steps the weights equal weight decay's (and not plain SGD's).
    let worst = 0;
    let moved = 0;
    term.weights.forEach((w, i) =>
      w.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - decay.weights[i][j]));
        moved = Math.max(moved, Math.abs(v - plain.weights[i][j]));
      }),
    );
    expect(worst).toBeLessThan(1e-5);
    expect(moved).toBeGreaterThan(1e-4);
    expect(() => new Trainer(lenet5().build(gpu), { optimizer: { kind: 'sgd', lr: 0.1 }, l2: -1 })).toThrow('l2: must be a finite number >= 0, got -1');
  });
});

describe('sanityCheck', () => {
  it('passes on LeNet-5 and real Fashion-MNIST images, and puts the weights back', async () => {
    const gpu = await gpuBackend();
    const data = await fashion(64);
    const model = lenet5().build(gpu, { seed: 1 });
    const before = await weightsOf(model);
    const lines: string[] = [];
    const report = await sanityCheck(model, data, { onCheck: (c) => void lines.push(c.line) });
    expect(report.failed, lines.join('\n')).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['initial-loss', 'regularization', 'overfit']);
    const [initial, regularization, overfit] = report.checks;
    expect(Math.abs(initial.figures.loss - Math.log(10))).toBeLessThan(0.1 * Math.log(10));
    expect(initial.line).toMatch(/^initial-loss: pass: the loss at initialisation is 2\.\d{4}, ln\(10\) = 2\.3026 at chance: \d+\.\d% off \(within 10%\)$/);
    // The rise is the term the host computes from the weights.
    expect(regularization.figures.rise).toBeCloseTo(regularization.figures.expectedRise, 3);
    expect(regularization.line).toMatch(/^regularization: pass: an L2 term of λ = 0\.01 raised the loss from 2\.\d{4} to \d+\.\d{4} \(\+\d+\.\d{4}; /);
    expect(overfit.figures.accuracy).toBe(1);
    expect(overfit.figures.steps).toBeLessThanOrEqual(200);
    expect(overfit.line).toMatch(
      /^overfit: pass: 20 examples, one batch, adam lr 0\.001, no regularisation: 100% training accuracy after \d+ of at most 200 steps/,
    );
    // The checks trained copies in place; the model is as it was.
    expect(await weightsOf(model)).toEqual(before);
    model.dispose();
  });

  it('fails the overfit check on a model whose last layer is frozen at init (a zero head: nothing can learn), naming it', async () => {
    const gpu = await gpuBackend();
    const data = await fashion(64);
    const model = lenetWithHead('zeros').build(gpu, { seed: 1 });
    model.freeze('head');
    const report = await sanityCheck(model, data, { maxSteps: 30 });
    expect(report.passed).toBe(false);
    expect(report.failed).toEqual(['overfit']);
    const overfit = report.checks[2];
    // Constant logits: the loss stays ln(10), every prediction is class 0.
    expect(overfit.figures.loss).toBeCloseTo(Math.log(10), 4);
    expect(overfit.figures.steps).toBe(30);
    expect(overfit.line).toMatch(/^overfit: FAIL: 20 examples, .*: \d+\/20 right \(\d+%, loss 2\.3026\) after 30 steps, the budget of 30; /);
    expect(model.layers.find((l) => l.name === 'head')!.frozen).toBe(true);
    model.dispose();
  });

  it('a frozen head of random weights still fits 20 examples (a fixed random classifier trains), so only a dead head fails', async () => {
    const gpu = await gpuBackend();
    const data = await fashion(64);
    const model = lenet5().build(gpu, { seed: 1 });
    model.freeze(model.layers.at(-1)!.name);
    const report = await sanityCheck(model, data);
    expect(report.passed).toBe(true);
    model.dispose();
  });

  it('draws its examples: a data set in class order is not fit by predicting one class', async () => {
    const gpu = await gpuBackend();
    const data = await fashion(200);
    // Sorted by label, as an image folder comes: the first 20 are all T-shirts.
    const order = [...data.labels.keys()].sort((a, b) => data.labels[a] - data.labels[b] || a - b);
    const sorted: Dataset = {
      ...data,
      images: Float32Array.from(order.flatMap((i) => [...data.images.subarray(i * 784, (i + 1) * 784)])),
      labels: Uint8Array.from(order.map((i) => data.labels[i])),
    };
    expect(new Set(sorted.labels.subarray(0, 20)).size).toBe(1);
    const model = lenet5().build(gpu, { seed: 1 });
    // Three steps fit one class, not a mix of ten.
    const report = await sanityCheck(model, sorted, { maxSteps: 3 });
    expect(report.failed).toEqual(['overfit']);
    expect(report.checks[2].figures.accuracy).toBeLessThan(0.9);
    model.dispose();
  });

  it('fails the initial-loss check where the head starts large (Glorot on the last layer: logits of rms 2)', async () => {
    const gpu = await gpuBackend();
    const data = await fashion(64);
    const model = lenetWithHead('glorot').build(gpu, { seed: 1 });
    const report = await sanityCheck(model, data, { maxSteps: 100 });
    expect(report.failed).toEqual(['initial-loss']);
    expect(report.checks[0].figures.loss).toBeGreaterThan(1.1 * Math.log(10));
    expect(report.checks[0].line).toMatch(/^initial-loss: FAIL: .* \(beyond 10%\); /);
    model.dispose();
  });

  it('refuses what it cannot check', async () => {
    const gpu = await gpuBackend();
    const model = lenet5().build(gpu, { seed: 1 });
    const data = stripes(8, 10, 28);
    await expect(sanityCheck(model, data, { tinyCount: 0 })).rejects.toThrow('sanityCheck: tinyCount must be a positive integer, got 0');
    await expect(sanityCheck(model, data, { l2: 0 })).rejects.toThrow('sanityCheck: l2 must be a positive number, got 0');
    await expect(sanityCheck(model, data, { loss: { kind: 'mse' } })).rejects.toThrow('sanityCheck: the checks are of a classifier');
    model.dispose();
  });
});
