// Test-time augmentation (Trainer.evaluate and predict with tta) against the host: the
// same crops cut in JavaScript, run one by one through model.predict, softmax averaged.
// Also training on images larger than the model's input (random crops to its size).
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset';
import { lenet5 } from '../../src/nn/zoo';
import { Random } from '../../src/random';
import { Trainer } from '../../src/training/trainer';
import type { Backend } from '../../src/backends/backend';
import { cpu, gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

/** Image i of [count, c, h, w] padded by p zeros, then the crop at (top, left) of size ch x cw, mirrored or not. */
function hostCrop(
  images: Float32Array,
  i: number,
  [c, h, w]: readonly number[],
  p: number,
  top: number,
  left: number,
  ch: number,
  cw: number,
  mirrored: boolean,
) {
  const out = new Float32Array(c * ch * cw);
  for (let k = 0; k < c; k++) {
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) {
        const iy = top + y - p;
        const ix = left + (mirrored ? cw - 1 - x : x) - p;
        out[(k * ch + y) * cw + x] = iy >= 0 && iy < h && ix >= 0 && ix < w ? images[((i * c + k) * h + iy) * w + ix] : 0;
      }
    }
  }
  return out;
}

/** The views' (top, left, mirrored) in the padded image: corners, centre, then their mirrors. */
function hostViews(tta: 'ten-crop' | 'flip' | 'centre', hp: number, wp: number, ch: number, cw: number): [number, number, boolean][] {
  const centre: [number, number] = [Math.floor((hp - ch) / 2), Math.floor((wp - cw) / 2)];
  if (tta === 'centre') return [[...centre, false]];
  if (tta === 'flip')
    return [
      [...centre, false],
      [...centre, true],
    ];
  const five: [number, number][] = [[0, 0], [0, wp - cw], [hp - ch, 0], [hp - ch, wp - cw], centre];
  return [...five.map(([t, l]): [number, number, boolean] => [t, l, false]), ...five.map(([t, l]): [number, number, boolean] => [t, l, true])];
}

/** Averaged softmax of every image's views, each view run alone through model.predict. */
async function hostTta(
  model: ReturnType<typeof lenet5>,
  images: Float32Array,
  count: number,
  shape: readonly number[],
  p: number,
  tta: 'ten-crop' | 'flip' | 'centre',
) {
  const [, ch, cw] = model.input.shape;
  const classes = model.output.shape[0];
  const probs = new Float64Array(count * classes);
  for (let i = 0; i < count; i++) {
    const views = hostViews(tta, shape[1] + 2 * p, shape[2] + 2 * p, ch, cw);
    for (const [top, left, mirrored] of views) {
      const logits = await model.predict(hostCrop(images, i, shape, p, top, left, ch, cw, mirrored));
      const m = Math.max(...logits);
      const e = [...logits].map((v) => Math.exp(v - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let k = 0; k < classes; k++) probs[i * classes + k] += e[k] / z / views.length;
    }
  }
  return probs;
}

function randomImages(count: number, shape: readonly number[], classes: number, seed: number): Dataset {
  const rng = new Random(seed);
  const per = shape.reduce((a, b) => a * b, 1);
  const images = Float32Array.from({ length: count * per }, () => rng.normal());
  const labels = Uint8Array.from({ length: count }, () => Math.floor(rng.next() * classes));
  return { images, labels, shape, classes, count };
}

const close = (got: Float32Array, want: Float64Array) => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(2e-6 + 1e-5 * want[i]);
};

describe.each([
  ['cpu', async (): Promise<Backend> => cpu],
  ['webgpu', gpuBackend],
])('test-time augmentation on %s', (_name, getBackend) => {
  it('ten-crop of larger images: evaluate and predict equal the ten host crops run one by one, softmax averaged', async () => {
    const backend = await getBackend();
    const model = lenet5([3, 12, 12], 5).build(backend, { seed: 3 });
    const data = randomImages(7, [3, 16, 15], 5, 1);
    // 32 crops a step: 3 images of 10 views, then a last step of 1.
    const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 32 });
    const want = await hostTta(model, data.images, 7, data.shape, 0, 'ten-crop');
    const predicted = await trainer.predict(data.images, { tta: 'ten-crop', imageShape: [3, 16, 15] });
    close(predicted.probabilities, want);
    const r = await trainer.evaluate(data, { tta: 'ten-crop' });
    close(r.probabilities, want);
    let loss = 0;
    for (let i = 0; i < 7; i++) {
      const row = [...want.subarray(i * 5, i * 5 + 5)];
      expect(r.predictions[i]).toBe(row.indexOf(Math.max(...row)));
      loss -= Math.log(want[i * 5 + data.labels[i]]) / 7;
    }
    expect(r.loss).toBeCloseTo(loss, 5);
    // One centre crop differs from the average of ten.
    const centre = await trainer.evaluate(data);
    close(centre.probabilities, await hostTta(model, data.images, 7, data.shape, 0, 'centre'));
    expect(Math.max(...centre.probabilities.map((v, i) => Math.abs(v - want[i])))).toBeGreaterThan(1e-3);
    trainer.dispose();
    model.dispose();
  });

  it("images of the model's size: ten crops of the image padded by 2, and 'flip' (the image and its mirror)", async () => {
    const backend = await getBackend();
    const model = lenet5([1, 12, 12], 4).build(backend, { seed: 5 });
    const data = randomImages(5, [1, 12, 12], 4, 2);
    const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 16 });
    close((await trainer.evaluate(data, { tta: 'ten-crop', padding: 2 })).probabilities, await hostTta(model, data.images, 5, data.shape, 2, 'ten-crop'));
    close((await trainer.predict(data.images, { tta: 'flip' })).probabilities, await hostTta(model, data.images, 5, data.shape, 0, 'flip'));
    trainer.dispose();
    model.dispose();
  });
});

describe('crops in training and evaluation', () => {
  it('fits on images larger than the model (random 16x16 windows of 20x20, or resized crops), validating on centre crops', async () => {
    const gpu = await gpuBackend();
    const train = stripes(256, 4, 20, 1);
    const test = stripes(64, 4, 20, 2);
    for (const augment of [{}, { cropScale: [0.6, 1] as [number, number], cropRatio: [0.9, 1.1] as [number, number] }]) {
      const model = lenet5([1, 16, 16], 4).build(gpu, { seed: 1 });
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 32, augment });
      const [report] = await trainer.fit(train, { epochs: 1, validation: test, evaluation: { tta: 'ten-crop' } });
      expect(report.testAccuracy).toBeGreaterThan(0.5);
      expect((await trainer.evaluate(test)).accuracy).toBeGreaterThan(0.5);
      trainer.dispose();
      model.dispose();
    }
  });

  it('rejects what cannot be cropped, naming the shapes and the option', async () => {
    const model = lenet5([1, 16, 16], 4).build(cpu, { seed: 1 });
    const big = stripes(32, 4, 20, 1);
    const plain = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 16 });
    await expect(plain.fit(big, { epochs: 1 })).rejects.toThrow("fit: examples of shape [1,20,20] do not fit lenet5's input [1,16,16]");
    await expect(plain.evaluate(stripes(8, 4, 12, 1))).rejects.toThrow(
      "evaluate: examples of shape [1,12,12] do not fit the model's input [1,16,16] (a centre crop needs images [1, H, W] with H, W >= 16, 16)",
    );
    await expect(plain.evaluate(big, { tta: 'six-crop' as 'ten-crop' })).rejects.toThrow(
      "evaluate: tta must be 'flip', 'five-crop' or 'ten-crop', got six-crop",
    );
    const mse = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 16, loss: { kind: 'mse' } });
    await expect(mse.predict(big.images, { tta: 'ten-crop' })).rejects.toThrow("predict: this trainer's mse loss has no classes to predict");
    model.dispose();
  });
});
