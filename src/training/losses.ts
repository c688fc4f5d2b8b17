// The losses a model can train with, beyond plain softmax cross-entropy (which keeps its
// fused kernel): cross-entropy with label smoothing and class weights, binary
// cross-entropy on logits (multi-label outputs, per-pixel maps), mean squared error and
// L1 (regression). Each is written with the engine's elementwise and reduction ops, so it
// runs inside the compiled training step, its gradient comes from their rules, and its
// values equal on the CPU reference and WebGPU as theirs do.
import type { Dataset } from '../data/dataset';
import { abs, exp, log, neg, relu, square } from '../ops/unary';
import { add, mul, sub } from '../ops/binary';
import { mean, sum } from '../ops/reduce';
import { logSoftmax, logSoftmaxChannels, softmaxCrossEntropy } from '../ops/softmax';
import { checkPixelOutput, checkPixelTargets, pixelTargets, scorePixels, type PixelCrossEntropy } from './pixel_loss';
import { countCorrect } from './metrics';
import { formatShape, sizeOf, type Shape } from '../shape';
import { tensor, type Tensor } from '../tensor';

export type LossConfig =
  /**
   * Mean -log softmax(logits)[label]. `labelSmoothing` ε spreads ε of the target over all
   * classes; `classWeights` weighs each example by its class's weight, the mean taken over
   * the weights (PyTorch's CrossEntropyLoss(weight, label_smoothing) exactly).
   */
  | { kind: 'softmax-cross-entropy'; labelSmoothing?: number; classWeights?: readonly number[] }
  /** Mean over every output value of the logistic loss of its logit against a target in [0, 1] (PyTorch's BCEWithLogitsLoss). */
  | { kind: 'binary-cross-entropy' }
  /** Mean of (output - target)^2 over every output value. */
  | { kind: 'mse' }
  /** Mean of |output - target| over every output value. */
  | { kind: 'l1' }
  /** Per-pixel softmax cross-entropy against label maps (segmentation); pixel_loss.ts. */
  | PixelCrossEntropy;

export const SOFTMAX_CROSS_ENTROPY: LossConfig = { kind: 'softmax-cross-entropy' };

/** A loss of class labels (one class index per example), not of per-value targets. */
export const learnsLabels = (c: LossConfig) => c.kind === 'softmax-cross-entropy';

/** Plain cross-entropy: the fused kernel, and no targets input. */
const fused = (c: LossConfig) => c.kind === 'softmax-cross-entropy' && !c.labelSmoothing && !c.classWeights;

/** Checks a loss against the model's per-example output shape; throws naming what does not fit. */
export function checkLoss(config: LossConfig, model: string, output: Shape): void {
  const kinds = ['softmax-cross-entropy', 'binary-cross-entropy', 'mse', 'l1', 'pixel-cross-entropy'];
  if (!kinds.includes(config.kind)) throw new Error(`loss: kind must be one of ${kinds.join(', ')}, got ${JSON.stringify(config.kind)}`);
  if (config.kind === 'pixel-cross-entropy') {
    checkPixelOutput(model, output);
    checkClassWeights(config.classWeights, model, output[0]);
    return;
  }
  if (config.kind !== 'softmax-cross-entropy') return;
  if (output.length !== 1)
    throw new Error(
      `${model}: softmax cross-entropy needs [batch, classes] logits, but the output is [batch, ${output.join(', ')}] (binary-cross-entropy, mse and l1 train other outputs)`,
    );
  const e = config.labelSmoothing ?? 0;
  if (!(e >= 0 && e < 1)) throw new Error(`loss: labelSmoothing must be in [0, 1), got ${config.labelSmoothing}`);
  checkClassWeights(config.classWeights, model, output[0]);
}

/** Class weights, when given: one per class, finite, >= 0 and not all 0. */
function checkClassWeights(w: readonly number[] | undefined, model: string, classes: number): void {
  if (!w) return;
  if (w.length !== classes) throw new Error(`loss: ${w.length} class weights for ${model}'s ${classes} classes`);
  if (w.some((v) => !(v >= 0) || !Number.isFinite(v)) || w.every((v) => v === 0))
    throw new Error(`loss: class weights must be finite, >= 0 and not all 0, got [${w.join(', ')}]`);
}

/** The shape of the step's `targets` input for a batch, or null when the labels are all it needs. */
export function targetShape(config: LossConfig, output: Shape, batch: number): Shape | null {
  if (fused(config)) return null;
  return [batch, ...output];
}

/**
 * One batch's loss in the graph (a scalar). `labels` are class indices ([batch]);
 * `targets` what targetShape asks for: per-value targets, or for weighted or smoothed
 * cross-entropy the coefficients of -log p that fillTargets builds.
 */
export function lossOf(config: LossConfig, output: Tensor, labels: Tensor, targets: Tensor | null): Tensor {
  if (fused(config)) return softmaxCrossEntropy(output, labels);
  if (!targets) throw new Error(`loss ${config.kind}: needs a targets input`);
  switch (config.kind) {
    case 'softmax-cross-entropy':
      // -sum_ik c_ik log p_ik with c from fillTargets (weights, smoothing and the mean's divisor in it).
      return neg(sum(mul(targets, logSoftmax(output))));
    case 'binary-cross-entropy': {
      // max(x, 0) - x t + log(1 + exp(-|x|)): finite for any logit.
      const one = tensor(output.backend, [1], [1]);
      return mean(add(sub(relu(output), mul(output, targets)), log(add(exp(neg(abs(output))), one))));
    }
    case 'mse':
      return mean(square(sub(output, targets)));
    case 'l1':
      return mean(abs(sub(output, targets)));
    case 'pixel-cross-entropy':
      // -sum c log p with c from pixelTargets (one-hot over labelled pixels, divided by their count).
      return neg(sum(mul(targets, logSoftmaxChannels(output))));
  }
}

/**
 * The cross-entropy coefficients of a batch's class labels, into `out` ([labels.length,
 * K], K the model's classes): c_ik = w_k ((1 - ε) [k = y_i] + ε / K) / sum_i w_{y_i}.
 * Returns `out`.
 */
export function crossEntropyTargets(
  config: Extract<LossConfig, { kind: 'softmax-cross-entropy' }>,
  labels: ArrayLike<number>,
  out: Float32Array,
): Float32Array {
  const k = out.length / labels.length;
  const e = config.labelSmoothing ?? 0;
  const w = config.classWeights ?? new Array<number>(k).fill(1);
  let total = 0;
  for (let i = 0; i < labels.length; i++) total += w[labels[i]];
  // A batch of classes that all weigh 0 has no loss (and no gradient), not a NaN one.
  const scale = total > 0 ? 1 / total : 0;
  for (let i = 0; i < labels.length; i++) {
    for (let c = 0; c < k; c++) out[i * k + c] = w[c] * ((c === labels[i] ? 1 - e : 0) + e / k) * scale;
  }
  return out;
}

/**
 * Writes the targets of the examples `order[start ..]` into `out` (targetShape's size):
 * the cross-entropy coefficients of their `labels` (the batch's, as fillBatch wrote them),
 * or their per-value targets copied from the dataset.
 */
export function fillTargets(config: LossConfig, d: Dataset, order: ArrayLike<number>, start: number, labels: ArrayLike<number>, out: Float32Array): void {
  if (config.kind === 'softmax-cross-entropy') {
    crossEntropyTargets(config, labels, out);
    return;
  }
  if (config.kind === 'pixel-cross-entropy') {
    pixelTargets(config, d.targets!, d.count, order, start, labels.length, [out.length / labels.length / sizeOf(d.targetShape!), ...d.targetShape!], out);
    return;
  }
  const per = sizeOf(d.targetShape ?? []);
  for (let i = 0; i < labels.length; i++) {
    const j = order[start + i];
    out.set(d.targets!.subarray(j * per, (j + 1) * per), i * per);
  }
}

/** Checks that a dataset carries what the loss learns from: labels, or per-value targets of the output's shape. */
export function checkTargets(config: LossConfig, name: string, d: Dataset, output: Shape): void {
  if (learnsLabels(config)) return;
  if (config.kind === 'pixel-cross-entropy') {
    checkPixelTargets(config, name, d, output);
    return;
  }
  if (!d.targets || !d.targetShape)
    throw new Error(
      `${name}: the ${config.kind} loss learns per-value targets, but the dataset has none (give it targets and targetShape ${formatShape(output)})`,
    );
  if (formatShape(d.targetShape) !== formatShape(output))
    throw new Error(`${name}: targets of shape ${formatShape(d.targetShape)} do not fit the model's output ${formatShape(output)}`);
  if (d.targets.length !== d.count * sizeOf(output))
    throw new Error(`${name}: ${d.targets.length} target values for ${d.count} examples of ${formatShape(output)} (need ${d.count * sizeOf(output)})`);
  if (config.kind === 'binary-cross-entropy') {
    const bad = d.targets.findIndex((t) => !(t >= 0 && t <= 1));
    if (bad >= 0) throw new Error(`${name}: binary cross-entropy targets must be in [0, 1]; value ${d.targets[bad]} at index ${bad}`);
  }
}

/**
 * Correct answers among a batch's outputs read back: for cross-entropy the arg-max
 * predictions against the labels; for binary cross-entropy every output value whose sign
 * agrees with its target (> 0.5); regression losses count none (no accuracy).
 */
export function scoreBatch(config: LossConfig, values: Float32Array, labels: ArrayLike<number>, targets: Float32Array | null, output?: Shape): number {
  if (learnsLabels(config)) return countCorrect(values, labels);
  if (config.kind === 'pixel-cross-entropy' && targets && output) return scorePixels(values, targets, output);
  if (config.kind !== 'binary-cross-entropy' || !targets) return 0;
  let correct = 0;
  for (let i = 0; i < targets.length; i++) if (values[i] > 0 === targets[i] > 0.5) correct++;
  return correct;
}
