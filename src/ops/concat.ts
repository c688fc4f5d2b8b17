import { formatShape, normalizeAxes, type Shape } from '../shape';
import { full, type Tensor } from '../tensor';
import { defineOp, runOp } from './op';

/** Inputs placed side by side along `axis` (channels, axis 1, for Inception and DenseNet). */
export const concatOp = defineOp<{ axis: number }>({
  name: 'concat',
  inputs: [1, 64],
  inferShape(shapes, attrs) {
    const [first] = shapes;
    const [axis] = normalizeAxes('concat', [attrs.axis], first.length);
    shapes.forEach((s, i) => {
      if (s.length !== first.length || s.some((d, k) => k !== axis && d !== first[k])) {
        throw new Error(`concat: input ${i} ${formatShape(s)} does not match input 0 ${formatShape(first)} outside axis ${axis}`);
      }
    });
    return first.map((d, k) => (k === axis ? shapes.reduce((n, s) => n + s[axis], 0) : d));
  },
  // Split dy back into each input's part.
  grad(inputs, _y, dy, attrs) {
    const axis = attrs.axis < 0 ? attrs.axis + dy.rank : attrs.axis;
    let start = 0;
    return inputs.map((x) => {
      const part = slice(dy, axis, start, x.shape[axis]);
      start += x.shape[axis];
      return part;
    });
  },
});

/** x[..., start:start+size, ...] along `axis`: concat's backward. */
export const sliceOp = defineOp<{ axis: number; start: number; size: number }>({
  name: 'slice',
  inputs: 1,
  inferShape([x], attrs) {
    const [axis] = normalizeAxes('slice', [attrs.axis], x.length);
    if (!Number.isInteger(attrs.start) || !Number.isInteger(attrs.size) || attrs.start < 0 || attrs.size < 0 || attrs.start + attrs.size > x[axis]) {
      throw new Error(`slice: [${attrs.start}, ${attrs.start + attrs.size}) is outside axis ${axis} of ${formatShape(x)}`);
    }
    return x.map((d, k) => (k === axis ? attrs.size : d));
  },
  // Zeros around dy: concat with zero blocks before and after.
  grad([x], _y, dy, attrs) {
    const axis = attrs.axis < 0 ? attrs.axis + x.rank : attrs.axis;
    const block = (n: number) =>
      full(
        x.backend,
        x.shape.map((d, k) => (k === axis ? n : d)),
        0,
      );
    const before = attrs.start;
    const after = x.shape[axis] - attrs.start - attrs.size;
    const parts = [...(before > 0 ? [block(before)] : []), dy, ...(after > 0 ? [block(after)] : [])];
    const dx = runOp(concatOp, parts, { axis });
    for (const p of parts) if (p !== dy) p.dispose();
    return [dx];
  },
});

export function concat(inputs: readonly Tensor[], axis = 1): Tensor {
  return runOp(concatOp, inputs, { axis });
}

export function slice(x: Tensor, axis: number, start: number, size: number): Tensor {
  return runOp(sliceOp, [x], { axis, start, size });
}

/** Elements before `axis` (outer) and from `axis` on (inner) of a shape. */
export function splitAt(shape: Shape, axis: number): { outer: number; inner: number } {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  return { outer, inner: shape.slice(axis).reduce((a, b) => a * b, 1) };
}
