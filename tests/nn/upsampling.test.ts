import { describe, expect, it } from 'vitest';
import { Conv2d, ConvTranspose2d, sequential, summary, Trainer, Upsample } from '../../src/index';
import { exportStateDict, loadStateDict } from '../../src/io/state_dict';
import { parseSafetensors } from '../../src/io/safetensors';
import type { Backend } from '../../src/backends/backend';
import { cpu, gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

/** Down by a strided convolution, back up by a transposed one: an 8x8 autoencoder. */
const autoencoder = (backend: Backend) =>
  sequential([1, 8, 8], [new Conv2d({ filters: 6, kernel: 3, stride: 2, padding: 1, activation: 'relu', name: 'down' }), new ConvTranspose2d({ filters: 1, kernel: 4, stride: 2, padding: 1, name: 'up' })], 'updown').build(backend, { seed: 3 });

describe('ConvTranspose2d', () => {
  it('counts PyTorch\'s parameters, doubles the size, and reports the receptive field going back up', () => {
    const model = sequential([4, 5, 5], [new ConvTranspose2d({ filters: 6, kernel: 4, stride: 2, padding: 1, name: 'up' }), new ConvTranspose2d({ filters: 3, kernel: 3, stride: 2, padding: 1, outputPadding: 1, groups: 3, name: 'up2' })]);
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
    expect(() => new ConvTranspose2d({ filters: 4, kernel: 3, outputPadding: -1 })).toThrow('conv_transpose2d: outputPadding must be a non-negative integer or a [height, width] pair of them, got -1');
    expect(() => sequential([4, 5, 5], [new ConvTranspose2d({ filters: 4, kernel: 3, stride: 2, outputPadding: 2, name: 'u' })])).toThrow('u (input [4,5,5]): conv2d_transpose: outputPadding [2,2] must be smaller than the stride [2,2]');
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

  it('moves to and from a PyTorch state dict under PyTorch\'s names and layout', async () => {
    const model = autoencoder(cpu);
    const bytes = await exportStateDict(model);
    const { tensors } = parseSafetensors(bytes, 'updown.safetensors');
    const shapes = Object.fromEntries(tensors.map((t) => [t.name, t.shape]));
    expect(shapes['up.weight']).toEqual([6, 1, 4, 4]);
    expect(shapes['up.bias']).toEqual([1]);
    const again = autoencoder(cpu);
    loadStateDict(again, bytes, { file: 'updown.safetensors' });
    const a = await model.params().find((p) => p.name === 'up.weight')!.tensor.read();
    const b = await again.params().find((p) => p.name === 'up.weight')!.tensor.read();
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
      const model = sequential([1, 8, 8], [
        new Conv2d({ filters: 8, kernel: 3, stride: 2, padding: 1, activation: 'relu', name: 'down' }),
        new Conv2d({ filters: 1, kernel: 1, name: 'score' }),
        new Upsample({ size: [8, 8], mode: 'bilinear', name: 'up' }),
      ], 'fcn-tiny').build(backend, { seed: 2 });
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 16, seed: 1, loss: { kind: 'mse' } });
      const reports = await trainer.fit(train, { epochs: 6 });
      expect(reports.at(-1)!.loss).toBeLessThan(0.6 * reports[0].loss);
      trainer.dispose();
      model.dispose();
    });
  }
});
