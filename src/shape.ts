/** A tensor shape: non-negative integer extents, outermost first (NCHW for images). */
export type Shape = readonly number[];

/** Number of elements in a shape (1 for a scalar shape []). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C order) strides of a shape, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** `[2,3,4]` style text for error messages. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Throws unless `shape` is a list of non-negative integers. */
export function assertValidShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: invalid shape ${formatShape(shape)}: every extent must be a non-negative integer`);
    }
  }
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * NumPy broadcasting: shapes are aligned at their last axis and each pair of extents
 * must be equal or contain a 1.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (axis ${i} of the result: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading an input of shape `input` while walking an output of shape `out`
 * that it was broadcast to: broadcast axes get stride 0.
 */
export function broadcastStrides(input: Shape, out: Shape): number[] {
  const own = stridesOf(input);
  const offset = out.length - input.length;
  return out.map((_, i) => {
    const j = i - offset;
    return j < 0 || input[j] === 1 ? 0 : own[j];
  });
}

/** Normalises possibly negative axes against `rank`, rejecting duplicates and out-of-range ones. */
export function normalizeAxes(op: string, axes: readonly number[], rank: number): number[] {
  const seen = new Set<number>();
  for (const axis of axes) {
    if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
      throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
    }
    const a = axis < 0 ? axis + rank : axis;
    if (seen.has(a)) throw new Error(`${op}: axis ${axis} is given twice`);
    seen.add(a);
  }
  return [...seen].sort((x, y) => x - y);
}
