import { describe, expect, it } from 'vitest';
import { segmentationScores } from '../../src/training/segmentation_metrics';

describe('segmentationScores', () => {
  it('pixel accuracy, per-class IoU and mean IoU of a worked 3-class example; ignored pixels count nowhere', () => {
    // truth:     0 0 1 1 | 2 2 255 1
    // predicted: 0 1 1 1 | 2 0 2   2
    const s = segmentationScores([0, 1, 1, 1, 2, 0, 2, 2], [0, 0, 1, 1, 2, 2, 255, 1], 3);
    expect(s.pixels).toBe(7);
    expect(s.pixelAccuracy).toBeCloseTo(4 / 7, 12);
    // class 0: tp 1, true 2, predicted 2 -> 1/3; class 1: tp 2, true 3, predicted 3 -> 2/4; class 2: tp 1, true 2, predicted 2 -> 1/3.
    expect(s.iou[0]).toBeCloseTo(1 / 3, 12);
    expect(s.iou[1]).toBeCloseTo(2 / 4, 12);
    expect(s.iou[2]).toBeCloseTo(1 / 3, 12);
    expect(s.meanIoU).toBeCloseTo((1 / 3 + 1 / 2 + 1 / 3) / 3, 12);
    expect(s.confusion).toEqual([
      [1, 1, 0],
      [0, 2, 1],
      [1, 0, 1],
    ]);
  });

  it('a class absent from truth and prediction is NaN and left out of the mean', () => {
    const s = segmentationScores([0, 0, 2, 2], [0, 0, 2, 2], 4);
    expect(s.iou[1]).toBeNaN();
    expect(s.iou[3]).toBeNaN();
    expect(s.meanIoU).toBe(1);
  });

  it('names the bad pixel and label', () => {
    expect(() => segmentationScores([0, 5], [0, 1], 3)).toThrow('segmentationScores: predicted label 5 at pixel 1 is not a class in [0, 3)');
    expect(() => segmentationScores([0, 1], [0, 7], 3, -1)).toThrow(
      'segmentationScores: true label 7 at pixel 1 is not a class in [0, 3) nor the ignore label -1',
    );
    expect(() => segmentationScores([0], [0, 1], 3)).toThrow('segmentationScores: 1 predicted pixels for 2 true ones');
  });
});
