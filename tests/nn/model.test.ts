import { describe, expect, it } from 'vitest';
import {
  Add,
  Concat,
  Conv2d,
  Dense,
  Flatten,
  input,
  MaxPool2d,
  Model,
  sequential,
  Trainer,
  lenet5,
  learningRate,
  ActivationLayer,
  DepthwiseConv2d,
  BatchNorm,
  Lrn,
} from '../../src/index';
import { cpu, gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

describe('model building errors name the layer and the shapes', () => {
  it('dense on an image asks for Flatten', () => {
    expect(() => sequential([1, 8, 8], [new Dense({ units: 3 })])).toThrow('input must be flat [features], got [1,8,8] per example; add a Flatten layer first');
  });
  it('a kernel larger than the input', () => {
    expect(() => sequential([1, 4, 4], [new Conv2d({ filters: 2, kernel: 5 })])).toThrow(
      /conv2d \(input \[1,4,4\]\): conv2d: the 5x5 kernel .* is larger than the padded input 4x4/,
    );
  });
  it('Add with mismatched shapes and Concat with mismatched sizes', () => {
    const x = input([2, 6, 6]);
    const a = new Conv2d({ filters: 3, kernel: 3 }).apply(x);
    expect(() => new Add().apply(x, a)).toThrow(/add .*\[1,2,6,6\].*\[1,3,4,4\]/);
    expect(() => new Concat().apply(x, a)).toThrow(/concat/);
    expect(() => new Add().apply(x)).toThrow('add: takes two or more inputs, got 1');
  });
  it('two layers with one name, and an output not reachable from the input', () => {
    const x = input([4]);
    const h = new Dense({ units: 3, name: 'fc' }).apply(x);
    expect(() => new Model(x, new Dense({ units: 2, name: 'fc' }).apply(h))).toThrow("model: two layers are named 'fc'");
    const other = input([4]);
    expect(() => new Model(x, new Dense({ units: 2 }).apply(other))).toThrow("model: the output depends on an input [4] that is not the model's input");
  });
  it('weights before build, wrong input batch shape, unknown layer', () => {
    const m = lenet5();
    expect(() => m.params()).toThrow("lenet5: call build(backend) before using the model's weights");
    m.build(cpu);
    expect(() => m.layer('nope')).toThrow("lenet5: no layer named 'nope'");
  });
});

describe('functional builder', () => {
  it('builds a DAG with a skip connection and a concat branch and trains it', async () => {
    const gpu = await gpuBackend();
    const x = input([1, 8, 8]);
    const c1 = new Conv2d({ filters: 4, kernel: 3, padding: 1, activation: 'relu' }).apply(x);
    const c2 = new Conv2d({ filters: 4, kernel: 3, padding: 1 }).apply(c1);
    const skip = new ActivationLayer('relu').apply(new Add().apply(c1, c2));
    const branch = new Conv2d({ filters: 2, kernel: 1 }).apply(x);
    const merged = new MaxPool2d({ kernel: 2 }).apply(new Concat().apply(skip, branch));
    const out = new Dense({ units: 4 }).apply(new Flatten().apply(merged));
    const model = new Model(x, out, 'dag').build(gpu, { seed: 2 });
    expect(merged.shape).toEqual([6, 4, 4]);
    const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true }, batchSize: 32 });
    const r = await trainer.fit(stripes(512), { epochs: 2, validation: stripes(128, 4, 8, 9) });
    expect(r[1].testAccuracy).toBeGreaterThan(0.8);
    trainer.dispose();
  });
});

describe('freezing, modes, evaluate and predict', () => {
  it('a frozen layer keeps its weights; the others change; unfreezing recompiles', async () => {
    const gpu = await gpuBackend();
    const model = lenet5([1, 16, 16], 4).build(gpu, { seed: 1 });
    model.freeze('conv2d_1');
    const frozenBefore = await model.params()[0].tensor.read();
    const denseBefore = await model.params().at(-2)!.tensor.read();
    const trainer = new Trainer(model, { optimizer: { kind: 'adamw', lr: 0.01 }, batchSize: 16 });
    await trainer.fit(stripes(64, 4, 16), { epochs: 1 });
    expect(await model.params()[0].tensor.read()).toEqual(frozenBefore);
    expect(await model.params().at(-2)!.tensor.read()).not.toEqual(denseBefore);
    model.unfreeze('conv2d_1');
    await trainer.fit(stripes(64, 4, 16), { epochs: 1 });
    expect(await model.params()[0].tensor.read()).not.toEqual(frozenBefore);
    model.freeze(...model.layers.map((l) => l.name));
    await expect(trainer.fit(stripes(64, 4, 16), { epochs: 1 })).rejects.toThrow('lenet5: nothing to train (every layer is frozen)');
    trainer.dispose();
  });

  it('evaluate gives loss, accuracy and a confusion matrix; predict gives probabilities summing to 1', async () => {
    const gpu = await gpuBackend();
    const model = lenet5([1, 16, 16], 4).build(gpu, { seed: 3 });
    const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 32 });
    await trainer.fit(stripes(320, 4, 16), { epochs: 2 });
    const test = stripes(100, 4, 16, 5); // 100 = 3 batches of 32 and one of 4
    const r = await trainer.evaluate(test);
    expect(r.count).toBe(100);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(100);
    expect(r.confusion.reduce((s, row, i) => s + row[i], 0) / 100).toBeCloseTo(r.accuracy, 10);
    expect(r.accuracy).toBeGreaterThan(0.8);
    const p = await trainer.predict(test.images.subarray(0, 3 * 256));
    expect(p.predictions).toEqual(r.predictions.subarray(0, 3));
    for (let i = 0; i < 3; i++) expect(p.probabilities.subarray(i * 4, i * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await expect(trainer.predict(new Float32Array(65))).rejects.toThrow('predict: 65 values are not a whole number of [1,16,16] images');
    trainer.dispose();
  });
});

describe('bad training input leaves the weights as they were', () => {
  it('wrong image shape, labels out of range, too little data', async () => {
    const gpu = await gpuBackend();
    const model = lenet5([1, 16, 16], 4).build(gpu, { seed: 1 });
    const before = await model.params()[0].tensor.read();
    const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 16 });
    const data = stripes(64, 4, 16);
    await expect(trainer.fit({ ...data, shape: [1, 8, 32] }, { epochs: 1 })).rejects.toThrow(
      "fit: examples of shape [1,8,32] do not fit lenet5's input [1,16,16]",
    );
    const bad = { ...data, labels: data.labels.slice() };
    bad.labels[40] = 7;
    await expect(trainer.fit(bad, { epochs: 1 })).rejects.toThrow('fit: label 7 at index 40 is not a class in [0, 4)');
    await expect(trainer.fit(stripes(8, 4, 16), { epochs: 1 })).rejects.toThrow('fit: 8 examples are fewer than one batch of 16');
    expect(await model.params()[0].tensor.read()).toEqual(before);
    expect(() => new Trainer(model, { optimizer: { kind: 'adam', lr: -1 } })).toThrow('optimizer adam: lr must be positive, got -1');
    trainer.dispose();
  });
});

describe('learning-rate schedules', () => {
  it('step, exponential, cosine and warm-up', () => {
    expect(learningRate(0.1, { kind: 'step', stepSize: 10, gamma: 0.5 }, 25)).toBeCloseTo(0.025);
    expect(learningRate(0.1, { kind: 'exponential', decaySteps: 10, gamma: 0.5 }, 5)).toBeCloseTo(0.1 * Math.SQRT1_2);
    expect(learningRate(0.1, { kind: 'cosine', totalSteps: 100 }, 0)).toBeCloseTo(0.1);
    expect(learningRate(0.1, { kind: 'cosine', totalSteps: 100 }, 50)).toBeCloseTo(0.05);
    expect(learningRate(0.1, { kind: 'cosine', totalSteps: 100, minLr: 0.01 }, 100)).toBeCloseTo(0.01);
    expect(learningRate(0.1, { kind: 'constant', warmupSteps: 4 }, 0)).toBeCloseTo(0.025);
    expect(learningRate(0.1, { kind: 'cosine', totalSteps: 104, warmupSteps: 4 }, 4)).toBeCloseTo(0.1);
    expect(() => new Trainer(lenet5().build(cpu), { optimizer: { kind: 'sgd', lr: 0.1, schedule: { kind: 'step', stepSize: 0, gamma: 0.5 } } })).toThrow(
      'schedule step: stepSize must be positive, got 0',
    );
  });
});

describe('layer options and wiring fail where they are written', () => {
  it('bad sizes throw at construction, naming the layer and the option', () => {
    expect(() => new Dense({ units: -3 })).toThrow('dense: units must be a positive integer, got -3');
    expect(() => new Dense(-3 as never)).toThrow('dense: options must be an object like { units: 10 }, got -3');
    expect(() => new Conv2d({ filters: 0, kernel: 3 })).toThrow('conv2d: filters must be a positive integer, got 0');
    expect(() => new Conv2d({ filters: 4, kernel: 2.5, name: 'c1' })).toThrow(
      'c1: kernel must be a positive integer or a [height, width] pair of them, got 2.5',
    );
    expect(() => new Conv2d({ filters: 4, kernel: 3, stride: 0 })).toThrow('conv2d: stride must be a positive integer');
    expect(() => new Conv2d({ filters: 4, kernel: 3, padding: -1 })).toThrow("conv2d: padding must be 'valid', 'same', a non-negative integer");
    expect(() => new Conv2d({ filters: 6, kernel: 3, groups: 4 })).toThrow('conv2d: 6 filters do not split into 4 groups');
    expect(() => new Conv2d({ filters: 4, kernel: 3, activation: 'swish' as never })).toThrow("conv2d: unknown activation 'swish'");
    expect(() => new DepthwiseConv2d({ kernel: 3, multiplier: 0 })).toThrow('depthwise_conv2d: multiplier must be a positive integer, got 0');
    expect(() => new MaxPool2d({ kernel: 0 })).toThrow('pool: kernel must be a positive integer');
    expect(() => new BatchNorm({ momentum: 2 })).toThrow('batch_norm: momentum must be in [0, 1], got 2');
    expect(() => new BatchNorm({ eps: 0 })).toThrow('batch_norm: eps must be a positive number, got 0');
    expect(() => new Lrn({ size: 0 })).toThrow('lrn: size must be a positive integer, got 0');
    expect(() => new ActivationLayer('gelu' as never)).toThrow("activation: unknown activation 'gelu'");
  });

  it('messages spell out the bad value: no [object Object], no unquoted strings, no fractional channels', () => {
    expect(() => new Conv2d({ filters: 4, kernel: 3, padding: { top: 1 } as never })).toThrow(
      "conv2d: padding must be 'valid', 'same', a non-negative integer, [h, w] or [top, left, bottom, right], got {\"top\":1}",
    );
    expect(() => new Conv2d({ filters: 4, kernel: 3, stride: [1, 'a'] as never })).toThrow(
      "conv2d: stride must be a positive integer or a [height, width] pair of them, got [1, 'a']",
    );
    // 3 input channels in 2 groups: named as such, never as a filter of 1.5 channels.
    const grouped = () => sequential([3, 8, 8], [new Conv2d({ filters: 4, kernel: 3, groups: 2, name: 'g' })]);
    expect(grouped).toThrow("g (input [3,8,8]): groups=2 must divide the input's 3 channels");
    expect(grouped).not.toThrow(/1\.5/);
  });

  it('one layer applied to inputs that need different weights throws when the model is made, naming the layer', () => {
    const x = input([1, 8, 8]);
    const shared = new Dense({ units: 3, name: 'head' });
    const a = shared.apply(new Flatten().apply(x));
    const b = shared.apply(new Flatten().apply(new MaxPool2d({ kernel: 2 }).apply(x)));
    expect(() => new Model(x, new Add().apply(a, b), 'twice')).toThrow(
      "twice: layer 'head' is applied to inputs [64] and [16], which need different weights (weight [64,3], bias [3] against weight [16,3], bias [3]); a layer applied twice shares its weights",
    );
    // The same layer on two inputs of one shape shares its weights, as it should.
    const y = input([1, 8, 8]);
    const fc = new Dense({ units: 3 });
    const left = fc.apply(new Flatten().apply(y));
    const right = fc.apply(new Flatten().apply(new Conv2d({ filters: 1, kernel: 1 }).apply(y)));
    expect(new Model(y, new Add().apply(left, right), 'shared').countParams()).toBe(64 * 3 + 3 + 2);
  });

  it('an empty dataset is an error in evaluate and fit, not NaN', async () => {
    const model = lenet5([1, 16, 16], 4).build(cpu, { seed: 1 });
    const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 8 });
    const empty = { images: new Float32Array(0), labels: new Uint8Array(0), shape: [1, 16, 16], classes: 4, count: 0 };
    await expect(trainer.evaluate(empty)).rejects.toThrow('evaluate: the dataset is empty (0 examples)');
    await expect(trainer.fit(empty, { epochs: 1 })).rejects.toThrow('fit: the dataset is empty (0 examples)');
    await expect(trainer.fit(stripes(8, 4, 16), { epochs: 0 })).rejects.toThrow('fit: epochs must be a positive integer (or give timeBudgetMs), got 0');
  });
});
