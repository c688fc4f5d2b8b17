// The resnet20 weights shipped with the demo (demo/pretrained/fashion-mnist-resnet20.safetensors,
// the recorded two-epoch run of docs/benchmarks.md, 0.9103 on all 10,000 test images) load
// into the zoo's resnet20 by name, carry their input normalisation, and still classify.
import { describe, expect, it } from 'vitest';
import { fetchIdxSplit, normalize, resnet20, take } from '../../src/index';
import { loadCheckpoint } from '../../src/io/checkpoint';
import { parseSafetensors } from '../../src/io/safetensors';
import { gpuBackend } from '../helpers/backends';

const FILE = '/demo/pretrained/fashion-mnist-resnet20.safetensors';
const IMAGES = 500;

describe('the shipped resnet20 weights', () => {
  it(`load into resnet20 and classify the first ${IMAGES} test images at 0.88 or better`, async () => {
    const res = await fetch(FILE);
    expect(res.ok, FILE).toBe(true);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const { metadata } = parseSafetensors(bytes, FILE);
    expect(metadata.model_key).toBe('resnet20');
    const mean = Number(metadata.input_mean);
    const std = Number(metadata.input_std);
    expect(mean).toBeGreaterThan(0);
    expect(std).toBeGreaterThan(0);
    const backend = await gpuBackend();
    const model = resnet20().build(backend, { seed: 1 });
    loadCheckpoint(model, bytes, FILE);
    const test = take(await fetchIdxSplit('/datasets/fashion-mnist', 'test'), IMAGES);
    const scores = await model.predict(normalize(Float32Array.from(test.images), mean, std));
    const classes = scores.length / IMAGES;
    let right = 0;
    for (let i = 0; i < IMAGES; i++) {
      const row = scores.subarray(i * classes, (i + 1) * classes);
      if (row.indexOf(Math.max(...row)) === test.labels[i]) right++;
    }
    // The run scored 0.9103 on 10,000 images; 500 images' binomial spread is about 0.013, so
    // 0.88 is over two of them below: a file that loaded wrong (or random weights, 0.10) fails.
    expect(right / IMAGES).toBeGreaterThanOrEqual(0.88);
    model.dispose();
  }, 180_000);
});
