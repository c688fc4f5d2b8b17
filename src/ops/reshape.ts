import { formatShape, sizeOf, type Shape } from '../shape';
import type { Tensor } from '../tensor';
import { defineOp, runOp } from './op';

/** Resolves one -1 extent from the element count; errors name the op and both shapes. */
export function resolveReshape(op: string, from: Shape, to: readonly number[]): number[] {
  const n = sizeOf(from);
  const unknown = to.filter((d) => d === -1).length;
  if (unknown > 1 || to.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new Error(`${op}: target shape ${formatShape(to)} may hold non-negative integers and at most one -1`);
  }
  const known = to.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const out = to.map((d) => (d === -1 ? (known === 0 ? 0 : n / known) : d));
  if (sizeOf(out) !== n || out.some((d) => !Number.isInteger(d))) {
    throw new Error(`${op}: cannot reshape ${formatShape(from)} (${n} values) to ${formatShape(to)}`);
  }
  return out;
}

export const reshapeOp = defineOp<{ shape: readonly number[] }>({
  name: 'reshape',
  inputs: 1,
  inferShape: ([x], attrs) => resolveReshape('reshape', x, attrs.shape),
  grad: ([x], _y, dy) => [reshape(dy, x.shape)],
});

/** The same values in a new shape (one extent may be -1). Row-major order is kept. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return runOp(reshapeOp, [x], { shape: [...shape] });
}

/** [N, ...] -> [N, product of the rest]: the bridge from conv layers to dense layers. */
export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.shape[0] ?? 1, -1]);
}
