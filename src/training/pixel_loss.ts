// Per-pixel softmax cross-entropy (semantic segmentation, PyTorch's CrossEntropyLoss on
// [N, C, H, W] logits with ignore_index): the mean over labelled pixels of
// -log softmax over channels at the pixel's label. The labels come as label maps
// [H, W] per example (a Dataset's targets); the step takes them as coefficients
// c[n, k, p] = [k = label(n, p)] / (labelled pixels in the batch), so the loss is
// -sum(c * log_softmax_channels(logits)) inside the compiled step, and its gradient
// comes from the ops' rules.
import type { Dataset } from '../data/dataset';
import { formatShape, sizeOf, type Shape } from '../shape';

export interface PixelCrossEntropy {
  kind: 'pixel-cross-entropy';
  /** Pixels with this label count nowhere (default 255, PyTorch's and Pascal VOC's border label). */
  ignoreLabel?: number;
  /**
   * A weight per class: each labelled pixel counts with its class's weight and the mean is
   * taken over the weights (PyTorch's CrossEntropyLoss(weight=...)), e.g. to keep a
   * background that covers most pixels from drowning the rarer classes.
   */
  classWeights?: readonly number[];
}

export const ignoreLabelOf = (c: PixelCrossEntropy) => c.ignoreLabel ?? 255;

/** The model must output [classes, height, width] logits. */
export function checkPixelOutput(model: string, output: Shape): void {
  if (output.length !== 3)
    throw new Error(`${model}: pixel cross-entropy needs [batch, classes, height, width] logits, but the output is [batch, ${output.join(', ')}]`);
}

/** The dataset's targets must be label maps [height, width] of the output's size, each label a class or the ignore label. */
export function checkPixelTargets(config: PixelCrossEntropy, name: string, d: Dataset, output: Shape): void {
  const [classes, h, w] = output;
  if (!d.targets || !d.targetShape)
    throw new Error(`${name}: pixel cross-entropy learns label maps, but the dataset has no targets (give it targets and targetShape [${h}, ${w}])`);
  if (formatShape(d.targetShape) !== formatShape([h, w]))
    throw new Error(`${name}: label maps of shape ${formatShape(d.targetShape)} do not fit the model's output ${formatShape(output)} (need [${h}, ${w}])`);
  if (d.targets.length !== d.count * h * w)
    throw new Error(`${name}: ${d.targets.length} label values for ${d.count} maps of [${h}, ${w}] (need ${d.count * h * w})`);
  const ignore = ignoreLabelOf(config);
  const bad = d.targets.findIndex((t) => t !== ignore && !(Number.isInteger(t) && t >= 0 && t < classes));
  if (bad >= 0) {
    const per = h * w;
    throw new Error(
      `${name}: label ${d.targets[bad]} at pixel ${bad % per} of map ${Math.floor(bad / per)} is not a class in [0, ${classes}) nor the ignore label ${ignore}`,
    );
  }
}

/**
 * Writes the coefficients of the label maps of examples `order[start ..]` (or `start ..`
 * without an order) into `out`
 * ([batch, classes, h, w]): one-hot at each labelled pixel's class (times its class
 * weight), divided by the batch's labelled pixels (their summed weights; none labelled:
 * all zero, so the batch has no loss rather than a NaN one).
 */
export function pixelTargets(
  config: PixelCrossEntropy,
  maps: Float32Array,
  count: number,
  order: ArrayLike<number> | null,
  start: number,
  batch: number,
  output: Shape,
  out: Float32Array,
): Float32Array {
  const [classes, h, w] = output;
  const per = h * w;
  const ignore = ignoreLabelOf(config);
  const weights = config.classWeights;
  out.fill(0);
  let labelled = 0;
  for (let i = 0; i < batch; i++) {
    const j = order ? order[start + i] : start + i;
    if (j >= count) continue;
    for (let p = 0; p < per; p++) {
      const t = maps[j * per + p];
      if (t === ignore) continue;
      const w = weights ? weights[t] : 1;
      out[(i * classes + t) * per + p] = w;
      labelled += w;
    }
  }
  if (labelled > 0) for (let k = 0; k < out.length; k++) out[k] /= labelled;
  return out;
}

/** Pixels whose arg-max class over the logits is their label, read from the coefficients (a labelled pixel's class is the one with a coefficient). */
export function scorePixels(logits: Float32Array, coefficients: Float32Array, output: Shape): number {
  const [classes, h, w] = output;
  const per = h * w;
  const images = logits.length / sizeOf(output);
  let correct = 0;
  for (let i = 0; i < images; i++) {
    for (let p = 0; p < per; p++) {
      let best = 0;
      let label = -1;
      for (let k = 0; k < classes; k++) {
        const at = (i * classes + k) * per + p;
        if (logits[at] > logits[(i * classes + best) * per + p]) best = k;
        if (coefficients[at] > 0) label = k;
      }
      if (label === best) correct++;
    }
  }
  return correct;
}

/**
 * Writes the arg-max class of every pixel of `logits` ([images, classes, h, w]) into
 * `out` from `offset` (images x h x w labels); ties go to the lower class.
 */
export function pixelArgmax(logits: Float32Array, output: Shape, out: Uint8Array, offset: number): void {
  const [classes, h, w] = output;
  const per = h * w;
  const images = logits.length / sizeOf(output);
  for (let i = 0; i < images; i++) {
    for (let p = 0; p < per; p++) {
      let best = 0;
      let bestValue = logits[i * classes * per + p];
      for (let k = 1; k < classes; k++) {
        const v = logits[(i * classes + k) * per + p];
        if (v > bestValue) {
          best = k;
          bestValue = v;
        }
      }
      out[offset + i * per + p] = best;
    }
  }
}

/** The share of labelled pixels (not the ignore label) of the most common class: what predicting it everywhere scores. */
export function pixelMajorityShare(maps: ArrayLike<number>, classes: number, ignoreLabel: number): number {
  const counts = new Array<number>(Math.max(classes, 1)).fill(0);
  let labelled = 0;
  for (let i = 0; i < maps.length; i++) {
    if (maps[i] === ignoreLabel) continue;
    counts[maps[i]]++;
    labelled++;
  }
  return labelled === 0 ? 0 : Math.max(...counts) / labelled;
}
