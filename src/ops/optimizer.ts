import { formatShape, sizeOf, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { defineOp, runOp } from './op';

/**
 * Optimizer updates as in-place ops: one kernel per parameter tensor reads its gradient
 * and rewrites the parameter and its state. Values that change every step (learning
 * rate, Adam's bias corrections) come from a small `hyper` tensor rather than
 * attributes, so a recorded training step replays with new values and no rebuild.
 */

export interface SgdUpdateAttrs {
  [key: string]: unknown;
  /** Heavy-ball momentum mu (0 disables; then no velocity input is given). */
  readonly momentum: number;
  readonly nesterov: boolean;
  /** L2 penalty added to the gradient: g += weightDecay * param. */
  readonly weightDecay: number;
  /** Multiplies the step's learning rate for this weight (a layer's Model.scaleLearningRate; default 1). */
  readonly lrScale?: number;
}

export interface AdamUpdateAttrs {
  [key: string]: unknown;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW: decay the weights directly (param -= lr * wd * param) instead of adding to the gradient. */
  readonly decoupled: boolean;
  /** Multiplies the step's learning rate for this weight (default 1). */
  readonly lrScale?: number;
}

function checkState(op: string, shapes: readonly Shape[], names: readonly string[], hyperIndex: number, hyperLength: number): Shape {
  const param = shapes[0];
  shapes.forEach((s, i) => {
    if (i === hyperIndex) return;
    if (sizeOf(s) !== sizeOf(param) || formatShape(s) !== formatShape(param)) {
      throw new Error(`${op}: ${names[i]} ${formatShape(s)} must have the parameter's shape ${formatShape(param)}`);
    }
  });
  const hyper = shapes[hyperIndex];
  if (hyper.length !== 1 || hyper[0] !== hyperLength) {
    throw new Error(`${op}: hyper must be [${hyperLength}], got ${formatShape(hyper)}`);
  }
  return param;
}

/**
 * SGD, PyTorch's formulation: g = grad + wd * param; with momentum mu:
 * v = mu * v + g and the step is g + mu * v (Nesterov) or v; param -= lr * step.
 * Inputs: param, grad, hyper [lr], velocity (only when momentum > 0).
 */
export const sgdUpdateOp = defineOp<SgdUpdateAttrs>({
  name: 'sgd_update',
  inputs: [3, 4],
  mutates: [0, 3],
  inferShape(shapes, attrs) {
    if (attrs.momentum > 0 && shapes.length !== 4) throw new Error(`sgd_update: momentum ${attrs.momentum} needs a velocity input`);
    if (!(attrs.momentum >= 0 && attrs.momentum < 1)) throw new Error(`sgd_update: momentum must be in [0, 1), got ${attrs.momentum}`);
    return checkState('sgd_update', shapes, ['param', 'grad', 'hyper', 'velocity'], 2, 1);
  },
});

/**
 * Adam (and AdamW when decoupled): m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
 * param -= lr * (m / bc1) / (sqrt(v / bc2) + eps), with bc_i = 1 - b_i^t.
 * Inputs: param, grad, hyper [lr, bc1, bc2], m, v.
 */
export const adamUpdateOp = defineOp<AdamUpdateAttrs>({
  name: 'adam_update',
  inputs: 5,
  mutates: [0, 3, 4],
  inferShape(shapes, attrs) {
    for (const k of ['beta1', 'beta2'] as const) {
      if (!(attrs[k] >= 0 && attrs[k] < 1)) throw new Error(`adam_update: ${k} must be in [0, 1), got ${attrs[k]}`);
    }
    return checkState('adam_update', shapes, ['param', 'grad', 'hyper', 'm', 'v'], 2, 3);
  },
});

/**
 * Two SGD updates in one kernel (a layer's weight and bias): one dispatch instead of
 * two. Inputs: param, param2, grad, grad2, hyper [lr], then velocity, velocity2 when
 * momentum > 0. The tensors of each set share a shape; the two sets need not.
 */
export const sgdUpdatePairOp = defineOp<SgdUpdateAttrs>({
  name: 'sgd_update_pair',
  inputs: [5, 7],
  mutates: [0, 1, 5, 6],
  inferShape(shapes, attrs) {
    if (attrs.momentum > 0 && shapes.length !== 7) throw new Error(`sgd_update_pair: momentum ${attrs.momentum} needs two velocity inputs`);
    if (!(attrs.momentum >= 0 && attrs.momentum < 1)) throw new Error(`sgd_update_pair: momentum must be in [0, 1), got ${attrs.momentum}`);
    const [p1, p2, g1, g2, h, v1, v2] = shapes;
    checkState('sgd_update_pair', v2 ? [p2, g2, h, v2] : [p2, g2, h], ['param2', 'grad2', 'hyper', 'velocity2'], 2, 1);
    return checkState('sgd_update_pair', v1 ? [p1, g1, h, v1] : [p1, g1, h], ['param', 'grad', 'hyper', 'velocity'], 2, 1);
  },
});

/**
 * Two Adam updates in one kernel. Inputs: param, param2, grad, grad2, hyper
 * [lr, bc1, bc2], m, v, m2, v2.
 */
export const adamUpdatePairOp = defineOp<AdamUpdateAttrs>({
  name: 'adam_update_pair',
  inputs: 9,
  mutates: [0, 1, 5, 6, 7, 8],
  inferShape(shapes, attrs) {
    for (const k of ['beta1', 'beta2'] as const) {
      if (!(attrs[k] >= 0 && attrs[k] < 1)) throw new Error(`adam_update_pair: ${k} must be in [0, 1), got ${attrs[k]}`);
    }
    const [p1, p2, g1, g2, h, m1, v1, m2, v2] = shapes;
    checkState('adam_update_pair', [p2, g2, h, m2, v2], ['param2', 'grad2', 'hyper', 'm2', 'v2'], 2, 3);
    return checkState('adam_update_pair', [p1, g1, h, m1, v1], ['param', 'grad', 'hyper', 'm', 'v'], 2, 3);
  },
});

/** Copies `value` into `target` in place (running statistics, loaded weights). */
export const assignOp = defineOp({
  name: 'assign',
  inputs: 2,
  mutates: [0],
  inferShape([target, value]) {
    if (formatShape(target) !== formatShape(value)) throw new Error(`assign: value ${formatShape(value)} must match target ${formatShape(target)}`);
    return target;
  },
});

export const sgdUpdate = (param: Tensor, grad: Tensor, hyper: Tensor, velocity: Tensor | null, attrs: SgdUpdateAttrs) =>
  runOp(sgdUpdateOp, velocity ? [param, grad, hyper, velocity] : [param, grad, hyper], attrs);
export const adamUpdate = (param: Tensor, grad: Tensor, hyper: Tensor, m: Tensor, v: Tensor, attrs: AdamUpdateAttrs) =>
  runOp(adamUpdateOp, [param, grad, hyper, m, v], attrs);
export const sgdUpdatePair = (
  param: Tensor,
  param2: Tensor,
  grad: Tensor,
  grad2: Tensor,
  hyper: Tensor,
  velocities: [Tensor, Tensor] | null,
  attrs: SgdUpdateAttrs,
) => runOp(sgdUpdatePairOp, [param, param2, grad, grad2, hyper, ...(velocities ?? [])], attrs);
export const adamUpdatePair = (
  param: Tensor,
  param2: Tensor,
  grad: Tensor,
  grad2: Tensor,
  hyper: Tensor,
  [m, v, m2, v2]: [Tensor, Tensor, Tensor, Tensor],
  attrs: AdamUpdateAttrs,
) => runOp(adamUpdatePairOp, [param, param2, grad, grad2, hyper, m, v, m2, v2], attrs);
export const assign = (target: Tensor, value: Tensor) => runOp(assignOp, [target, value], {});
