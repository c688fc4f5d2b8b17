import { normalizeAxes, type Shape } from '../shape';
import { full, scope, type Tensor } from '../tensor';
import { mul } from './by_name';
import { reshape } from './reshape';
import { defineOp, runOp, type OpDef } from './op';

/** Reductions over a set of axes; the index is reduce.wgsl's `OP` (mean is sum then scale). */
export const REDUCE_OPS = ['sum', 'mean', 'max'] as const;
export type ReduceOpName = (typeof REDUCE_OPS)[number];

export interface ReduceAttrs {
  [key: string]: unknown;
  /** Axes to reduce (negative counts from the end); all axes when empty. */
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

/** The reduced axes (sorted, non-negative); an empty list means all of them. */
export function reducedAxes(op: string, shape: Shape, axes: readonly number[]): number[] {
  return axes.length === 0 ? shape.map((_, i) => i) : normalizeAxes(op, axes, shape.length);
}

function inferReduceShape(op: string, [x]: readonly Shape[], attrs: ReduceAttrs): Shape {
  const axes = reducedAxes(op, x, attrs.axes);
  if (op === 'max' && axes.some((a) => x[a] === 0)) {
    throw new Error(`max: cannot reduce an empty axis of shape [${x.join(',')}] (max of nothing is undefined)`);
  }
  return attrs.keepDims ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
}

/**
 * sum and mean spread dy back over the reduced axes (mean divides by their count).
 * max has no rule yet: a graph that needs it fails with a clear error.
 */
function reduceGrad(name: ReduceOpName): OpDef<ReduceAttrs>['grad'] {
  if (name === 'max') return undefined;
  return ([x], _y, dy, attrs) => {
    const axes = reducedAxes(name, x.shape, attrs.axes);
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    return [
      scope(() => {
        const kept = reshape(
          dy,
          x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
        );
        return mul(kept, full(x.backend, x.shape, name === 'mean' ? 1 / count : 1));
      }),
    ];
  };
}

export const reduceOps = Object.fromEntries(
  REDUCE_OPS.map((name) => [
    name,
    defineOp<ReduceAttrs>({ name, inputs: 1, inferShape: (shapes, attrs) => inferReduceShape(name, shapes, attrs), grad: reduceGrad(name) }),
  ]),
) as Record<ReduceOpName, OpDef<ReduceAttrs>>;

export interface ReduceOptions {
  keepDims?: boolean;
}

const reduce =
  (name: ReduceOpName) =>
  (x: Tensor, axes: number | readonly number[] = [], options: ReduceOptions = {}) =>
    runOp(reduceOps[name], [x], { axes: typeof axes === 'number' ? [axes] : axes, keepDims: options.keepDims ?? false });

/** Sum over `axes` (all when omitted). */
export const sum = reduce('sum');
/** Mean over `axes` (all when omitted). */
export const mean = reduce('mean');
/** Maximum over `axes` (all when omitted). */
export const max = reduce('max');
