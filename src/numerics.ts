/** max |a - b| / max |b|: the error of a tensor relative to its own scale (1 where b is all zeros). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relativeError: ${a.length} values against ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale || 1);
}

/** A row-major [rows, cols] matrix as [cols, rows] (PyTorch's Linear layout and ours). */
export function transposeMatrix(data: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** binary16's unit roundoff (half its epsilon): the relative error of rounding a normal value to nearest. */
export const F16_UNIT_ROUNDOFF = 2 ** -11;
/** binary32's unit roundoff. */
export const F32_UNIT_ROUNDOFF = 2 ** -24;

/**
 * `x` rounded to the nearest binary16 value, ties to even, subnormals kept, beyond the
 * largest finite value to infinity (IEEE 754; what Math.f16round does where it exists).
 */
export function roundToF16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  // At and above 65520 (65504 plus half its ulp, the tie that goes to the even 2^16) it overflows.
  if (a >= 65520) return Math.sign(x) * Infinity;
  let e = Math.floor(Math.log2(a));
  // log2 may land one off at a power of two.
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  // 10 fraction bits; below 2^-14 the spacing stays 2^-24 (subnormals).
  const ulp = 2 ** (Math.max(e, -14) - 10);
  const q = a / ulp;
  let r = Math.round(q);
  if (r - q === 0.5 && r % 2 !== 0) r--;
  return Math.sign(x) * r * ulp;
}

/**
 * The operands each op stores in f16 at precision 'f16' (the f16 variant rows of
 * backends/webgpu: matmul's A and B, the convolution's input and filter, its input
 * gradient's dy and filter), by input index. Biases stay float32 (added to the float32
 * sum), and every output is float32. The CPU reference's f16 mode rounds these operands.
 */
export const F16_OPERANDS: Readonly<Record<string, readonly number[]>> = {
  matmul: [0, 1],
  conv2d: [0, 1],
  conv2d_grad_input: [0, 1],
};

/**
 * gamma_n = n u / (1 - n u) for float32's u. A float32 sum of n terms, in any order, is
 * within gamma_(n-1) * sum |term| of the exact sum, and a dot product of n rounded
 * products within gamma_n * sum |a b| (Higham, Accuracy and Stability of Numerical
 * Algorithms, 2nd ed., section 3.1). Products of f16 values are exact in float32 (11 + 11
 * significand bits fit in 24, and the smallest, 2^-48, is a normal float32).
 */
export function gammaF32(n: number): number {
  const nu = n * F32_UNIT_ROUNDOFF;
  if (nu >= 1) throw new Error(`gammaF32: ${n} terms are past the bound's reach (n u >= 1)`);
  return nu / (1 - nu);
}
