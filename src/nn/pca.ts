// Principal components of a set of feature vectors (a network's "CNN codes"), for the
// 2-D pictures of what a network's features separate. The engine does the heavy part on
// its backend: centring, the d x d covariance (one GEMM over all n vectors) and each
// subspace-iteration product; the host only orthonormalises a d x k basis between them.
import type { Backend } from '../backends/backend';
import { matmul } from '../ops/matmul';
import { mean } from '../ops/reduce';
import { sub } from '../ops/binary';
import { Random } from '../random';
import { scope, tensor, type Tensor } from '../tensor';

export interface PcaResult {
  /** [n, k]: each vector's coordinates along the components. */
  projection: Float32Array;
  /** [d, k]: the components, unit length, by falling variance (column j is component j). */
  components: Float32Array;
  /** The variance along each component, and the fraction of the total it is. */
  variance: number[];
  explained: number[];
}

/** Gram-Schmidt on the columns of a [d, k] matrix, in place; returns the columns' norms before normalising. */
function orthonormalise(q: Float32Array, d: number, k: number): number[] {
  const norms: number[] = [];
  for (let j = 0; j < k; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += q[i * k + j] * q[i * k + p];
      for (let i = 0; i < d; i++) q[i * k + j] -= dot * q[i * k + p];
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += q[i * k + j] ** 2;
    norm = Math.sqrt(norm);
    norms.push(norm);
    for (let i = 0; i < d; i++) q[i * k + j] /= norm || 1;
  }
  return norms;
}

/**
 * The top `k` principal components of `n` vectors of length `d` (row-major), by subspace
 * iteration on their covariance until the basis stops turning (or `iterations` run out).
 */
export async function pca(backend: Backend, data: ArrayLike<number>, n: number, d: number, k = 2, iterations = 100): Promise<PcaResult> {
  if (data.length !== n * d || n < 2) throw new Error(`pca: needs at least 2 vectors of ${d} values, got ${data.length} values for ${n}`);
  if (!Number.isInteger(k) || k < 1 || k > d) throw new Error(`pca: components must be an integer in 1..${d}, got ${k}`);
  const x = tensor(backend, data, [n, d]);
  const centred = scope(() => sub(x, mean(x, 0, { keepDims: true })));
  // Covariance [d, d] = Xc^T Xc / (n - 1).
  const cov = scope(() => matmul(centred, centred, { transposeA: true }));
  const scale = 1 / (n - 1);
  const q = new Random(7).uniformArray(d * k);
  orthonormalise(q, d, k);
  let variance: number[] = [];
  try {
    for (let it = 0; it < iterations; it++) {
      const basis = tensor(backend, q, [d, k]);
      const product: Tensor = matmul(cov, basis);
      const next = await product.read();
      basis.dispose();
      product.dispose();
      variance = orthonormalise(next, d, k).map((v) => v * scale);
      // Converged when every new column points where the old one did (signs may flip).
      let turned = 0;
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += next[i * k + j] * q[i * k + j];
        turned = Math.max(turned, 1 - Math.abs(dot));
      }
      q.set(next);
      if (turned < 1e-7) break;
    }
    const basis = tensor(backend, q, [d, k]);
    const projected = matmul(centred, basis);
    const projection = await projected.read();
    basis.dispose();
    projected.dispose();
    // The total variance is the covariance's trace.
    const total = (await cov.read()).reduce((s, v, i) => (i % (d + 1) === 0 ? s + v : s), 0) * scale;
    return { projection, components: q, variance, explained: variance.map((v) => (total > 0 ? v / total : 0)) };
  } finally {
    x.dispose();
    centred.dispose();
    cov.dispose();
  }
}
