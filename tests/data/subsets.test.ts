// The transfer and search workflow's data helpers: class subsets relabelled, a few
// examples per class, a held-out validation split; all seeded copies.
import { describe, expect, it } from 'vitest';
import { samplePerClass, selectClasses, splitValidation, type Dataset } from '../../src/data/dataset';

/** 40 one-pixel images whose value is their index; label = index % 4. */
const data = (): Dataset => ({
  images: Float32Array.from({ length: 40 }, (_, i) => i),
  labels: Uint8Array.from({ length: 40 }, (_, i) => i % 4),
  shape: [1, 1, 1],
  classes: 4,
  count: 40,
});

describe('dataset subsets', () => {
  it('selectClasses keeps the examples of the classes given, relabelled in that order', () => {
    const s = selectClasses(data(), [3, 1]);
    expect(s.count).toBe(20);
    expect(s.classes).toBe(2);
    expect([...s.images.slice(0, 4)]).toEqual([1, 3, 5, 7]);
    expect([...s.labels.slice(0, 4)]).toEqual([1, 0, 1, 0]);
    expect(() => selectClasses(data(), [1, 1])).toThrow('selectClasses: classes 1, 1 repeat one');
    expect(() => selectClasses(data(), [4])).toThrow('selectClasses: 4 is not a class of the dataset (0..3)');
  });

  it('samplePerClass draws n of every class, interleaved, the same for a seed', () => {
    const s = samplePerClass(data(), 3, 7);
    expect(s.count).toBe(12);
    expect([...s.labels]).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    for (let i = 0; i < 12; i++) expect(s.images[i] % 4).toBe(s.labels[i]);
    expect(new Set(s.images).size).toBe(12);
    expect(samplePerClass(data(), 3, 7).images).toEqual(s.images);
    expect(samplePerClass(data(), 3, 8).images).not.toEqual(s.images);
    expect(() => samplePerClass(data(), 11, 1)).toThrow('samplePerClass: class 0 has 10 examples, fewer than 11');
  });

  it('splitValidation holds out a seeded fraction; the two sides cover the set once', () => {
    const { train, validation } = splitValidation(data(), 0.25, 3);
    expect([train.count, validation.count]).toEqual([30, 10]);
    expect([...train.images, ...validation.images].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (let i = 0; i < 10; i++) expect(validation.labels[i]).toBe(validation.images[i] % 4);
    expect(splitValidation(data(), 0.25, 3).validation.images).toEqual(validation.images);
    expect(() => splitValidation(data(), 1, 3)).toThrow('splitValidation: fraction must be in (0, 1), got 1');
  });
});
