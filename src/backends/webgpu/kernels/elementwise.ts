/** Workgroup size of the one-element-per-invocation kernels (unary, binary, reduce). */
export const ELEMENTWISE_WG = 64;

/** Workgroups needed to give each of `n` elements one invocation. */
export function elementwiseWorkgroups(n: number): number {
  return Math.ceil(n / ELEMENTWISE_WG);
}

/**
 * Workgroups needed when each invocation takes four consecutive elements (unary, binary,
 * activation_grad, batch_norm's element-wise passes). Four explicit loads and stores per
 * invocation beat one element each on SwiftShader, where it was measured; a loop over the
 * four lost most of the gain.
 */
export function quadWorkgroups(n: number): number {
  return Math.ceil(n / (4 * ELEMENTWISE_WG));
}

/** Pads a per-axis list to the 8 slots (two vec4u) the shaders' params structs hold. */
export function axisList(op: string, values: readonly number[]): number[] {
  if (values.length > 8) throw new Error(`${op}: tensors of rank ${values.length} are not supported (at most 8 axes)`);
  return [...values, ...new Array<number>(8 - values.length).fill(0)];
}
