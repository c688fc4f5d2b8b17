// The one rule for class labels, shared by the CPU kernel and the host-side checks of
// the GPU path, so both backends refuse a bad label with the same words.

/** Why `label` is not a class index in [0, classes) (any class count when classes is undefined), or null. */
export function badLabel(label: number, row: number, classes: number | undefined, op = 'softmax_cross_entropy'): string | null {
  const ok = Number.isInteger(label) && label >= 0 && (classes === undefined || label < classes);
  if (ok) return null;
  const range = classes === undefined ? '(a non-negative integer)' : `in [0, ${classes})`;
  return `${op}: label ${label} at row ${row} is not a class index ${range}`;
}
