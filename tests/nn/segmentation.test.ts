import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend';
import type { Dataset } from '../../src/data/dataset';
import { segmentationScenes } from '../../src/data/segmentation_scenes';
import { Conv2d, loadCheckpoint, MaxPool2d, saveCheckpoint, sequential, Trainer, Upsample } from '../../src/index';
import { lossOf } from '../../src/training/losses';
import { pixelTargets } from '../../src/training/pixel_loss';
import { segmentationScores } from '../../src/training/segmentation_metrics';
import { Random } from '../../src/random';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';

describe('pixel cross-entropy', () => {
  it("equals PyTorch's CrossEntropyLoss(ignore_index=255) on [N, C, H, W] logits, on both backends", async () => {
    const [n, c, h, w] = [2, 3, 4, 5];
    const rng = new Random(21);
    const logits = rng.uniformArray(n * c * h * w, -4, 4);
    const maps = new Float32Array(n * h * w).map((_, i) => (i % 7 === 3 ? 255 : (i * 5) % c));
    // In float64: the mean over labelled pixels of logsumexp over channels minus the label's logit.
    let total = 0;
    let labelled = 0;
    for (let b = 0; b < n; b++) {
      for (let p = 0; p < h * w; p++) {
        const t = maps[b * h * w + p];
        if (t === 255) continue;
        const row = Array.from({ length: c }, (_, k) => Math.fround(logits[(b * c + k) * h * w + p]));
        const m = Math.max(...row);
        total += m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[t];
        labelled++;
      }
    }
    const config = { kind: 'pixel-cross-entropy' } as const;
    const coefficients = pixelTargets(config, maps, n, null, 0, n, [c, h, w], new Float32Array(n * c * h * w));
    for (const backend of [cpu, await gpuBackend()]) {
      const loss = lossOf(
        config,
        tensor(backend, logits, [n, c, h, w]),
        tensor(backend, new Float32Array(n), [n]),
        tensor(backend, coefficients, [n, c, h, w]),
      );
      expect((await loss.read())[0]).toBeCloseTo(total / labelled, 5);
    }
  });

  it("with classWeights equals PyTorch's CrossEntropyLoss(weight, ignore_index=255): the weighted mean, on both backends", async () => {
    const [n, c, h, w] = [2, 3, 3, 4];
    const rng = new Random(5);
    const logits = rng.uniformArray(n * c * h * w, -3, 3);
    const maps = new Float32Array(n * h * w).map((_, i) => (i % 5 === 2 ? 255 : (i * 7) % c));
    const weights = [0.2, 1.5, 3];
    let total = 0;
    let weightSum = 0;
    for (let b = 0; b < n; b++) {
      for (let p = 0; p < h * w; p++) {
        const t = maps[b * h * w + p];
        if (t === 255) continue;
        const row = Array.from({ length: c }, (_, k) => Math.fround(logits[(b * c + k) * h * w + p]));
        const m = Math.max(...row);
        total += weights[t] * (m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[t]);
        weightSum += weights[t];
      }
    }
    const config = { kind: 'pixel-cross-entropy', classWeights: weights } as const;
    const coefficients = pixelTargets(config, maps, n, null, 0, n, [c, h, w], new Float32Array(n * c * h * w));
    for (const backend of [cpu, await gpuBackend()]) {
      const loss = lossOf(
        config,
        tensor(backend, logits, [n, c, h, w]),
        tensor(backend, new Float32Array(n), [n]),
        tensor(backend, coefficients, [n, c, h, w]),
      );
      expect((await loss.read())[0]).toBeCloseTo(total / weightSum, 5);
    }
    const model = sequential([1, 4, 4], [new Conv2d({ filters: 3, kernel: 1 })]).build(cpu);
    expect(() => new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.1 }, loss: { kind: 'pixel-cross-entropy', classWeights: [1, 2] } })).toThrow(
      "loss: 2 class weights for sequential's 3 classes",
    );
  });

  it('a checkpoint taken mid-epoch loads: its correct answers count pixels, up to h x w per example', async () => {
    const model = sequential([1, 4, 4], [new Conv2d({ filters: 3, kernel: 1 })]).build(cpu);
    const progress = { epoch: 0, batch: 2, lossSum: 1.5, correct: 50, seen: 4, nonFinite: 0, seconds: 1 };
    const bytes = await saveCheckpoint(model, undefined, { progress });
    expect(loadCheckpoint(model, bytes, 'mid.safetensors').progress).toEqual(progress);
    const tooMany = await saveCheckpoint(model, undefined, { progress: { ...progress, correct: 65 } });
    expect(() => loadCheckpoint(model, tooMany, 'bad.safetensors')).toThrow(
      'bad.safetensors: metadata says 65 correct of 4 examples seen this epoch (at most 16 scored values each)',
    );
  });

  it('refuses label maps that do not fit, naming the map, the pixel and the label', () => {
    const model = sequential([1, 4, 4], [new Conv2d({ filters: 3, kernel: 1 })]).build(cpu);
    const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 2, loss: { kind: 'pixel-cross-entropy' } });
    const base: Dataset = {
      images: new Float32Array(64),
      labels: new Uint8Array(0),
      shape: [1, 4, 4],
      classes: 3,
      count: 4,
      targets: new Float32Array(64),
      targetShape: [4, 4],
    };
    const bad = new Float32Array(64);
    bad[16 + 5] = 3;
    return Promise.all([
      expect(trainer.fit({ ...base, targets: bad }, { epochs: 1 })).rejects.toThrow(
        'fit: label 3 at pixel 5 of map 1 is not a class in [0, 3) nor the ignore label 255',
      ),
      expect(trainer.fit({ ...base, targetShape: [2, 8] }, { epochs: 1 })).rejects.toThrow(
        "fit: label maps of shape [2,8] do not fit the model's output [3,4,4] (need [4, 4])",
      ),
    ]);
  });
});

/** 16x16 items of two kinds: a filled square (class 0) and a hollow frame (class 1). */
function shapes(count: number): Dataset {
  const images = new Float32Array(count * 256);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < 256; p++) {
      const [y, x] = [Math.floor(p / 16), p % 16];
      const inside = y >= 3 && y < 13 && x >= 3 && x < 13;
      const frame = inside && (y < 5 || y >= 11 || x < 5 || x >= 11);
      images[i * 256 + p] = (labels[i] === 0 ? inside : frame) ? 1 : 0;
    }
  }
  return { images, labels, shape: [1, 16, 16], classes: 2, count };
}

const fcn = (backend: Backend) =>
  sequential(
    [1, 32, 32],
    [
      new Conv2d({ filters: 8, kernel: 3, padding: 1, activation: 'relu', name: 'c1' }),
      new MaxPool2d({ kernel: 2, name: 'p1' }),
      new Conv2d({ filters: 16, kernel: 3, padding: 1, activation: 'relu', name: 'c2' }),
      new Conv2d({ filters: 3, kernel: 1, name: 'score' }),
      new Upsample({ scale: 2, mode: 'bilinear', name: 'up' }),
    ],
    'fcn-test',
  ).build(backend, { seed: 5 });

describe('segmentation end to end', () => {
  // WebGPU only: the float64-summing CPU reference takes 45 s for the same run (its ops are checked against it above and in tests/ops).
  {
    const name = 'webgpu';
    it(`${name}: a small FCN on 32x32 scenes learns to label pixels (loss falls, pixel accuracy beats all-background, both kinds found)`, async () => {
      const backend = await gpuBackend();
      const train = segmentationScenes(shapes(20), { count: 96, size: 32, items: [1, 2], threshold: 0.5, seed: 1 });
      const test = segmentationScenes(shapes(20), { count: 32, size: 32, items: [1, 2], threshold: 0.5, seed: 2 });
      const model = fcn(backend);
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 16, seed: 1, loss: { kind: 'pixel-cross-entropy' } });
      const reports = await trainer.fit(train, { epochs: 8 });
      expect(reports.at(-1)!.loss).toBeLessThan(0.5 * reports[0].loss);
      const logits = await model.predict(test.images);
      const predicted = new Uint8Array(32 * 1024);
      for (let i = 0; i < 32; i++) {
        for (let p = 0; p < 1024; p++) {
          let best = 0;
          for (let k = 1; k < 3; k++) if (logits[(i * 3 + k) * 1024 + p] > logits[(i * 3 + best) * 1024 + p]) best = k;
          predicted[i * 1024 + p] = best;
        }
      }
      const scores = segmentationScores(predicted, test.targets!, 3);
      const background = test.targets!.filter((t) => t === 0).length / test.targets!.length;
      expect(scores.pixelAccuracy).toBeGreaterThan(background + 0.02);
      expect(scores.iou[1], 'squares').toBeGreaterThan(0.3);
      expect(scores.iou[2], 'frames').toBeGreaterThan(0.3);
      const evaluated = await trainer.evaluate(test);
      expect(evaluated.accuracy).toBeCloseTo(scores.pixelAccuracy, 5);
      // evaluate's label maps and scores are those of the logits predict gives.
      expect(evaluated.segmentation!.predictions).toEqual(predicted);
      expect(evaluated.segmentation!.meanIoU).toBeCloseTo(scores.meanIoU, 6);
      expect(evaluated.segmentation!.confusion).toEqual(scores.confusion);
      trainer.dispose();
      model.dispose();
    });
  }
});
