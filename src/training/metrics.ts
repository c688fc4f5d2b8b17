/** classes x classes counts: row = true class, column = predicted class. */
export function confusionMatrix(predictions: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number[][] {
  if (predictions.length !== labels.length) throw new Error(`confusionMatrix: ${predictions.length} predictions for ${labels.length} labels`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predictions[i]]++;
  return m;
}

/** Fraction of predictions equal to their labels. */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) hit++;
  return labels.length === 0 ? 0 : hit / labels.length;
}

/** Correct predictions among the first `count` entries. */
export function countCorrect(predictions: ArrayLike<number>, labels: ArrayLike<number>, count = labels.length): number {
  let hit = 0;
  for (let i = 0; i < count; i++) if (predictions[i] === labels[i]) hit++;
  return hit;
}

/**
 * Fraction of examples whose label is among the `k` highest of their class scores
 * (probabilities or logits, [count, classes] row-major); ties rank the lower class first.
 */
export function topKAccuracy(scores: ArrayLike<number>, labels: ArrayLike<number>, classes: number, k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > classes) throw new Error(`topKAccuracy: k must be an integer in 1..${classes}, got ${k}`);
  if (scores.length !== labels.length * classes) throw new Error(`topKAccuracy: ${scores.length} scores for ${labels.length} labels of ${classes} classes`);
  let hit = 0;
  for (let i = 0; i < labels.length; i++) {
    const own = scores[i * classes + labels[i]];
    // The label is in the top k when fewer than k classes outrank it.
    let above = 0;
    for (let c = 0; c < classes; c++) {
      const v = scores[i * classes + c];
      if (v > own || (v === own && c < labels[i])) above++;
    }
    if (above < k) hit++;
  }
  return labels.length === 0 ? 0 : hit / labels.length;
}

export interface ClassMetrics {
  /** Of the examples predicted as the class, the fraction that are (NaN when none was predicted). */
  precision: number;
  /** Of the examples of the class, the fraction predicted as it (NaN when the class has none). */
  recall: number;
  /** Their harmonic mean (NaN when either is). */
  f1: number;
  /** Examples of the class. */
  support: number;
}

/** Per-class precision, recall and F1 from a confusion matrix (row = true class, column = predicted). */
export function perClassMetrics(confusion: readonly (readonly number[])[]): ClassMetrics[] {
  return confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + r[c], 0);
    const precision = predicted > 0 ? tp / predicted : NaN;
    const recall = support > 0 ? tp / support : NaN;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : Number.isNaN(precision + recall) ? NaN : 0;
    return { precision, recall, f1, support };
  });
}
