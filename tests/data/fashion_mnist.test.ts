import { describe, expect, it } from 'vitest';
import { fetchIdxSplit } from '../../src/data/fashion_mnist';

describe('real Fashion-MNIST (served from /usr/share/datasets by the dev server)', () => {
  it('reads the 10k test split: 28x28 images in [0, 1], labels 0..9 balanced', async () => {
    const test = await fetchIdxSplit('/datasets/fashion-mnist', 'test');
    expect(test.count).toBe(10000);
    expect(test.shape).toEqual([1, 28, 28]);
    expect(test.images.length).toBe(10000 * 784);
    const counts = new Array(10).fill(0);
    for (const l of test.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(1000));
    expect(Math.max(...test.images.subarray(0, 784 * 10))).toBeLessThanOrEqual(1);
  });
});
