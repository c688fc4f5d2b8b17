// Scores of per-pixel labelling (semantic segmentation), as the FCN paper and torchvision's
// reference scripts report them: pixel accuracy, per-class intersection over union, and
// their mean over the classes that occur. Pixels whose truth is the ignore label count
// nowhere.

export interface SegmentationScores {
  /** Correct pixels over counted pixels. */
  pixelAccuracy: number;
  /** Per class: |predicted ∩ true| / |predicted ∪ true|; NaN for a class absent from both. */
  iou: number[];
  /** Mean of `iou` over the classes present in the truth or the prediction. */
  meanIoU: number;
  /** Pixels counted (all but the ignored). */
  pixels: number;
  /** classes x classes counts: row = true class, column = predicted class. */
  confusion: number[][];
}

/**
 * Scores predicted label maps against true ones (any shape, flattened; the same length).
 * Labels must be integers in [0, classes) except `ignoreLabel` in the truth (default 255,
 * PyTorch's and Pascal VOC's border label); a prediction out of range is an error.
 */
export function segmentationScores(predicted: ArrayLike<number>, truth: ArrayLike<number>, classes: number, ignoreLabel = 255): SegmentationScores {
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`segmentationScores: classes must be a positive integer, got ${classes}`);
  if (predicted.length !== truth.length) throw new Error(`segmentationScores: ${predicted.length} predicted pixels for ${truth.length} true ones`);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let pixels = 0;
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    if (t === ignoreLabel) continue;
    const p = predicted[i];
    if (!Number.isInteger(t) || t < 0 || t >= classes)
      throw new Error(`segmentationScores: true label ${t} at pixel ${i} is not a class in [0, ${classes}) nor the ignore label ${ignoreLabel}`);
    if (!Number.isInteger(p) || p < 0 || p >= classes)
      throw new Error(`segmentationScores: predicted label ${p} at pixel ${i} is not a class in [0, ${classes})`);
    confusion[t][p]++;
    pixels++;
    if (p === t) correct++;
  }
  const iou = confusion.map((row, c) => {
    const truePixels = row.reduce((a, b) => a + b, 0);
    const predictedPixels = confusion.reduce((a, r) => a + r[c], 0);
    const union = truePixels + predictedPixels - row[c];
    return union === 0 ? NaN : row[c] / union;
  });
  const present = iou.filter((v) => !Number.isNaN(v));
  return {
    pixelAccuracy: pixels === 0 ? NaN : correct / pixels,
    iou,
    meanIoU: present.length === 0 ? NaN : present.reduce((a, b) => a + b, 0) / present.length,
    pixels,
    confusion,
  };
}
