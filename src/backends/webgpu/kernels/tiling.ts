/** Invocations per workgroup for the register-tiled (4x4 per invocation) kernels. */
const INVOCATIONS = 64;

/**
 * Workgroup shape for a 4x4-per-invocation GEMM with `rows` x `cols` outputs: as many
 * invocations along rows as the rows need (up to 8), the rest along columns, so a
 * GEMM with few rows (LeNet's 6 channels) does not leave most invocations idle.
 */
export function tileShape(rows: number): { wgX: number; wgY: number } {
  const rowInvocations = Math.ceil(rows / 4);
  let wgY = 1;
  while (wgY < rowInvocations && wgY < 8) wgY *= 2;
  return { wgX: INVOCATIONS / wgY, wgY };
}

/** Tile counts along rows and columns for a workgroup shape. */
export function tileCounts(rows: number, cols: number, shape: { wgX: number; wgY: number }) {
  return { tilesM: Math.ceil(rows / (4 * shape.wgY)), tilesN: Math.ceil(cols / (4 * shape.wgX)) };
}
