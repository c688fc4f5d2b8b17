/**
 * Spreads `total` workgroups over x, y and z so no dimension exceeds `maxPerDimension`.
 * Shaders recover the linear workgroup index as
 * `wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y` and return when it is >= total,
 * because the folded grid may hold a few more workgroups than asked for.
 */
export function foldWorkgroups(total: number, maxPerDimension: number): [number, number, number] {
  if (!Number.isInteger(total) || total < 0) throw new Error(`foldWorkgroups: invalid workgroup count ${total}`);
  const x = Math.min(total, maxPerDimension);
  if (x === 0) return [0, 1, 1];
  let y = Math.ceil(total / x);
  let z = 1;
  if (y > maxPerDimension) {
    z = Math.ceil(y / maxPerDimension);
    y = maxPerDimension;
  }
  if (z > maxPerDimension) {
    throw new Error(`foldWorkgroups: ${total} workgroups exceed ${maxPerDimension}^3, the most one dispatch can hold`);
  }
  return [x, y, z];
}
