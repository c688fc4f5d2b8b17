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
