import { describe, expect, it } from 'vitest';
import {
  Conv2d,
  ConvTranspose2d,
  input,
  MaxPool2d,
  MaxPoolSwitches,
  MaxUnpool2d,
  Model,
  sequential,
  summary,
  torchStateDictLayout,
  Trainer,
  Upsample,
} from '../../src/index';
import { exportStateDict, loadStateDict } from '../../src/io/state_dict';
import { parseSafetensors } from '../../src/io/safetensors';
import type { Backend } from '../../src/backends/backend';
import { cpu, gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

/** Down by a strided convolution, back up by a transposed one: an 8x8 autoencoder. */
const autoencoder = (backend: Backend) =>
  sequential(
    [1, 8, 8],
    [
      new Conv2d({ filters: 6, kernel: 3, stride: 2, padding: 1, activation: 'relu', name: 'down' }),
      new ConvTranspose2d({ filters: 1, kernel: 4, stride: 2, padding: 1, name: 'up' }),
    ],
    'updown',
  ).build(backend, { seed: 3 });

describe('ConvTranspose2d', () => {
  it("counts PyTorch's parameters, doubles the size, and reports the receptive field going back up", () => {
    const model = sequential(
      [4, 5, 5],
      [
        new ConvTranspose2d({ filters: 6, kernel: 4, stride: 2, padding: 1, name: 'up' }),
        new ConvTranspose2d({ filters: 3, kernel: 3, stride: 2, padding: 1, outputPadding: 1, groups: 3, name: 'up2' }),
      ],
    );
    const rows = summary(model).rows;
    const up = rows.find((r) => r.name === 'up')!;
    const up2 = rows.find((r) => r.name === 'up2')!;
    // weight [4, 6, 4, 4] + bias [6]; grouped: [6, 1, 3, 3] + [3].
    expect(up.params).toBe(4 * 6 * 16 + 6);
    expect(up2.params).toBe(6 * 1 * 9 + 3);
    expect(up.outputShape).toEqual([6, 10, 10]);
    expect(up2.outputShape).toEqual([3, 20, 20]);
    // Each output of a 4x4 stride-2 layer reads 2x2 inputs; neighbours sit half an input pixel apart.
    expect(up.receptiveField).toEqual([2, 2]);
    expect(up.stride).toEqual([0.5, 0.5]);
  });

  it('refuses bad options where they are written', () => {
    expect(() => new ConvTranspose2d({ filters: 4, kernel: 3, outputPadding: -1 })).toThrow(
      'conv_transpose2d: outputPadding must be a non-negative integer or a [height, width] pair of them, got -1',
    );
    expect(() => sequential([4, 5, 5], [new ConvTranspose2d({ filters: 4, kernel: 3, stride: 2, outputPadding: 2, name: 'u' })])).toThrow(
      'u (input [4,5,5]): conv2d_transpose: outputPadding [2,2] must be smaller than the stride [2,2]',
    );
  });

  for (const name of ['cpu', 'webgpu'] as const) {
    it(`${name}: an autoencoder through a transposed convolution learns to rebuild its input (mse falls by half)`, async () => {
      const backend = name === 'cpu' ? cpu : await gpuBackend();
      const data = stripes(128, 4, 8, 5);
      const train = { ...data, targets: data.images, targetShape: [1, 8, 8] };
      const model = autoencoder(backend);
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 16, seed: 1, loss: { kind: 'mse' } });
      const reports = await trainer.fit(train, { epochs: 6 });
      expect(reports.at(-1)!.loss).toBeLessThan(0.5 * reports[0].loss);
      trainer.dispose();
      model.dispose();
    });
  }

  it("moves to and from a PyTorch state dict under PyTorch's names and layout", async () => {
    const model = autoencoder(cpu);
    const bytes = await exportStateDict(model);
    const { tensors } = parseSafetensors(bytes, 'updown.safetensors');
    const shapes = Object.fromEntries(tensors.map((t) => [t.name, t.shape]));
    expect(shapes['up.weight']).toEqual([6, 1, 4, 4]);
    expect(shapes['up.bias']).toEqual([1]);
    const again = autoencoder(cpu);
    loadStateDict(again, bytes, { file: 'updown.safetensors' });
    const a = await model
      .params()
      .find((p) => p.name === 'up.weight')!
      .tensor.read();
    const b = await again
      .params()
      .find((p) => p.name === 'up.weight')!
      .tensor.read();
    expect(b).toEqual(a);
  });
});

describe('Upsample', () => {
  it('has no weights, reaches the size it is given, and counts bilinear FLOPs', () => {
    const model = sequential([3, 5, 7], [new Upsample({ size: [12, 16], mode: 'bilinear', name: 'up' }), new Upsample({ scale: 2, name: 'twice' })]);
    const [up, twice] = summary(model).rows.filter((r) => r.kind === 'upsample');
    expect(up.outputShape).toEqual([3, 12, 16]);
    expect(up.params).toBe(0);
    expect(up.flops).toBe(7 * 3 * 12 * 16);
    expect(twice.outputShape).toEqual([3, 24, 32]);
    expect(() => new Upsample({ scale: 2, alignCorners: true })).toThrow('upsample2d: alignCorners applies to bilinear only');
  });

  for (const name of ['cpu', 'webgpu'] as const) {
    it(`${name}: a fully-convolutional net (stride-2 conv, 1x1 conv, bilinear back to the input size) learns a per-pixel map`, async () => {
      const backend = name === 'cpu' ? cpu : await gpuBackend();
      const data = stripes(128, 4, 8, 6);
      // The target: each image's own bright stripe, blurred by the down-and-up path.
      const train = { ...data, targets: data.images, targetShape: [1, 8, 8] };
      const model = sequential(
        [1, 8, 8],
        [
          new Conv2d({ filters: 8, kernel: 3, stride: 2, padding: 1, activation: 'relu', name: 'down' }),
          new Conv2d({ filters: 1, kernel: 1, name: 'score' }),
          new Upsample({ size: [8, 8], mode: 'bilinear', name: 'up' }),
        ],
        'fcn-tiny',
      ).build(backend, { seed: 2 });
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 16, seed: 1, loss: { kind: 'mse' } });
      const reports = await trainer.fit(train, { epochs: 6 });
      expect(reports.at(-1)!.loss).toBeLessThan(0.6 * reports[0].loss);
      trainer.dispose();
      model.dispose();
    });
  }
});

/**
 * SegNet in miniature: a convolution, max pooling with its switches, unpooling by those
 * switches back to 8x8, a convolution to one channel. Pool, switches and unpool share
 * kernel and stride, as SegNet's encoder and decoder do.
 */
function segnetTiny(): Model {
  const x = input([1, 8, 8]);
  const features = new Conv2d({ filters: 4, kernel: 3, padding: 1, activation: 'relu', name: 'enc' }).apply(x);
  const pooled = new MaxPool2d({ kernel: 2, name: 'pool' }).apply(features);
  const switches = new MaxPoolSwitches({ kernel: 2, name: 'switches' }).apply(features);
  const unpooled = new MaxUnpool2d({ kernel: 2, name: 'unpool' }).apply(pooled, switches);
  return new Model(x, new Conv2d({ filters: 1, kernel: 3, padding: 1, name: 'dec' }).apply(unpooled), 'segnet-tiny');
}

describe('MaxPoolSwitches and MaxUnpool2d', () => {
  it("wire a SegNet-like model: two inputs to the unpooling, no weights, PyTorch's state-dict names", () => {
    const model = segnetTiny();
    const rows = summary(model).rows;
    const row = (name: string) => rows.find((r) => r.name === name)!;
    expect(row('switches').kind).toBe('maxpool2d_indices');
    expect(row('switches').outputShape).toEqual([4, 4, 4]);
    expect(row('unpool').kind).toBe('max_unpool2d');
    expect(row('unpool').outputShape).toEqual([4, 8, 8]);
    expect([row('pool').params, row('switches').params, row('unpool').params]).toEqual([0, 0, 0]);
    // enc: 4 * 1 * 3 * 3 + 4; dec: 1 * 4 * 3 * 3 + 1.
    expect(summary(model).totalParams).toBe(40 + 37);
    // Back at the input's resolution: neighbouring outputs one pixel apart again.
    expect(row('unpool').stride).toEqual([1, 1]);
    expect(torchStateDictLayout(model).map((t) => t.torch)).toEqual(['enc.weight', 'enc.bias', 'dec.weight', 'dec.bias']);
    expect(() => new MaxUnpool2d({ kernel: 2, name: 'u' }).apply(input([4, 4, 4]))).toThrow('u: takes 2 input(s), got 1');
    expect(() => new MaxUnpool2d({ kernel: 2, outputSize: [8] as unknown as [number, number] })).toThrow(
      'max_unpool2d: outputSize must be a [height, width] pair of positive integers, got [8]',
    );
    const x = input([4, 8, 8]);
    expect(() => new MaxUnpool2d({ kernel: 2, name: 'u2' }).apply(x, new MaxPoolSwitches({ kernel: 2 }).apply(input([4, 6, 6])))).toThrow(
      "u2 (input [4,8,8], [4,3,3]): max_unpool2d: indices [1,4,3,3] must have the input's shape [1,4,8,8]",
    );
  });

  for (const name of ['cpu', 'webgpu'] as const) {
    it(`${name}: the SegNet-like model learns to rebuild its input through the switches (mse falls by half)`, async () => {
      const backend = name === 'cpu' ? cpu : await gpuBackend();
      const data = stripes(128, 4, 8, 7);
      const train = { ...data, targets: data.images, targetShape: [1, 8, 8] };
      const model = segnetTiny().build(backend, { seed: 5 });
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 16, seed: 1, loss: { kind: 'mse' } });
      const reports = await trainer.fit(train, { epochs: 6 });
      expect(reports.at(-1)!.loss).toBeLessThan(0.5 * reports[0].loss);
      trainer.dispose();
      model.dispose();
    });
  }

  it('a PyTorch state dict loads strictly: the unpooling adds no tensor', async () => {
    const model = segnetTiny().build(cpu, { seed: 5 });
    const bytes = await exportStateDict(model);
    const { tensors } = parseSafetensors(bytes, 'segnet.safetensors');
    expect(tensors.map((t) => t.name).sort()).toEqual(['dec.bias', 'dec.weight', 'enc.bias', 'enc.weight']);
    const again = segnetTiny().build(cpu, { seed: 9 });
    const result = loadStateDict(again, bytes, { file: 'segnet.safetensors' });
    expect(result.loaded.sort()).toEqual(['dec.bias', 'dec.weight', 'enc.bias', 'enc.weight']);
    const x = stripes(4, 4, 8, 3).images;
    expect([...(await again.predict(x))]).toEqual([...(await model.predict(x))]);
  });
});
