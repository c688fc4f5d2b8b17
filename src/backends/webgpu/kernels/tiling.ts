/** Invocations per workgroup for the register-tiled kernels. */
const INVOCATIONS = 64;

/**
 * Workgroup shape for a register-tiled kernel with `tile` x `tile` outputs per invocation
 * (4x4 GEMM and convolutions, 8x8 conv tiles) and `rows` output rows: as many invocations
 * along rows as the rows need (up to 8), the rest along columns, so a kernel with few rows
 * (LeNet's 6 channels) does not leave most invocations idle.
 */
export function tileShape(rows: number, tile = 4): { wgX: number; wgY: number } {
  const rowInvocations = Math.ceil(rows / tile);
  let wgY = 1;
  while (wgY < rowInvocations && wgY < 8) wgY *= 2;
  return { wgX: INVOCATIONS / wgY, wgY };
}

/** Tile counts along rows and columns for a workgroup shape. */
export function tileCounts(rows: number, cols: number, shape: { wgX: number; wgY: number }) {
  return { tilesM: Math.ceil(rows / (4 * shape.wgY)), tilesN: Math.ceil(cols / (4 * shape.wgX)) };
}
