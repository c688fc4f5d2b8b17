import { describe, expect, it } from 'vitest';
import { segmentationScenes } from '../../src/data/segmentation_scenes';
import { Random } from '../../src/random';
import type { Dataset } from '../../src/data/dataset';

/** 28x28 items: a filled square of ink (class k) in the middle, faint noise around it. */
function items(count: number): Dataset {
  const rng = new Random(3);
  const images = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < 784; p++) {
      const [y, x] = [Math.floor(p / 28), p % 28];
      images[i * 784 + p] = y >= 8 && y < 20 && x >= 8 && x < 20 ? 0.9 : 0.1 * rng.next();
    }
  }
  return { images, labels, shape: [1, 28, 28], classes: 10, count };
}

describe('segmentationScenes', () => {
  const source = items(50);
  const scenes = segmentationScenes(source, { count: 40, seed: 7 });

  it('makes 64x64 scenes with per-pixel maps of 11 labels (background 0, class + 1 where the ink is)', () => {
    expect(scenes.shape).toEqual([1, 64, 64]);
    expect(scenes.targetShape).toEqual([64, 64]);
    expect(scenes.classes).toBe(11);
    expect(scenes.images.length).toBe(40 * 4096);
    for (let i = 0; i < scenes.images.length; i++) {
      const t = scenes.targets![i];
      expect(Number.isInteger(t) && t >= 0 && t <= 10).toBe(true);
      // Labelled exactly where ink is above the threshold.
      expect(t > 0).toBe(scenes.images[i] > 0.2);
    }
  });

  it('places 1 to 4 items per scene without overlap: each item is a 12x12 block of one label', () => {
    for (let s = 0; s < 40; s++) {
      const map = scenes.targets!.subarray(s * 4096, (s + 1) * 4096);
      const inked = map.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
      // Each item inks 144 pixels and no two items share one.
      expect(inked % 144).toBe(0);
      expect(inked / 144).toBeGreaterThanOrEqual(1);
      expect(inked / 144).toBeLessThanOrEqual(4);
    }
  });

  it('is the same for the same seed and differs for another', () => {
    expect(segmentationScenes(source, { count: 40, seed: 7 }).targets).toEqual(scenes.targets);
    expect(segmentationScenes(source, { count: 40, seed: 8 }).targets).not.toEqual(scenes.targets);
  });

  it('refuses what cannot be made, naming the option', () => {
    expect(() => segmentationScenes(source, { count: 2, size: 20 })).toThrow('segmentationScenes: 28x28 items do not fit a 20x20 scene');
    expect(() => segmentationScenes(source, { count: 2, items: [3, 2] })).toThrow(
      'segmentationScenes: items must be [fewest, most] with 1 <= fewest <= most, got [3, 2]',
    );
    expect(() => segmentationScenes({ ...source, shape: [3, 28, 28] }, { count: 2 })).toThrow('segmentationScenes: the source must be one-channel images');
  });
});
