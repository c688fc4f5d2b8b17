// Top-k accuracy and per-class precision, recall and F1.
import { describe, expect, it } from 'vitest';
import { perClassMetrics, topKAccuracy } from '../../src/training/metrics';

describe('metrics', () => {
  it('top-k accuracy counts a label among the k highest scores', () => {
    // Three examples, four classes; the labels rank 1st, 3rd and 4th.
    const scores = [0.7, 0.1, 0.1, 0.1, 0.1, 0.5, 0.3, 0.1, 0.4, 0.3, 0.2, 0.1];
    const labels = [0, 2, 3];
    expect(topKAccuracy(scores, labels, 4, 1)).toBeCloseTo(1 / 3);
    expect(topKAccuracy(scores, labels, 4, 2)).toBeCloseTo(2 / 3);
    expect(topKAccuracy(scores, labels, 4, 3)).toBeCloseTo(2 / 3);
    expect(topKAccuracy(scores, labels, 4, 4)).toBe(1);
    // A tie ranks the lower class first: label 1 tied with class 0 is second.
    expect(topKAccuracy([0.5, 0.5], [1], 2, 1)).toBe(0);
    expect(() => topKAccuracy(scores, labels, 4, 5)).toThrow('topKAccuracy: k must be an integer in 1..4, got 5');
  });

  it('precision, recall and F1 per class from the confusion matrix', () => {
    // Row = true class. Class 0: 8 of 10 found, 8 of 9 predicted right; class 2 never predicted.
    const m = perClassMetrics([
      [8, 2, 0],
      [1, 5, 0],
      [0, 3, 0],
    ]);
    expect(m[0]).toEqual({ precision: 8 / 9, recall: 0.8, f1: (2 * (8 / 9) * 0.8) / (8 / 9 + 0.8), support: 10 });
    expect(m[1].precision).toBe(0.5);
    expect(m[1].recall).toBeCloseTo(5 / 6);
    expect(Number.isNaN(m[2].precision)).toBe(true);
    expect(m[2].recall).toBe(0);
    expect(m[2].support).toBe(3);
  });
});
