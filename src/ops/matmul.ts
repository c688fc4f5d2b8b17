import { formatShape, type Shape } from '../shape';
import { scope, type Tensor } from '../tensor';
import { activationGradOps } from './activation_grad';
import { sum } from './reduce';
import { defineOp, runOp } from './op';

export interface MatmulAttrs {
  [key: string]: unknown;
  /** Read A as its transpose: A is stored K x M instead of M x K. */
  readonly transposeA: boolean;
  /** Read B as its transpose: B is stored N x K instead of K x N. */
  readonly transposeB: boolean;
  /** ReLU applied to the result in the same kernel (fused activation of a dense layer). */
  readonly relu?: boolean;
}

/** The matrix view of a rank-2 or rank-3 (batched) matmul operand. */
export interface MatmulDims {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** Batch stride of each operand in elements; 0 when a rank-2 operand is shared by every batch. */
  aBatchStride: number;
  bBatchStride: number;
  hasBias: boolean;
}

/** Resolves M, N, K and the batch from operand shapes, with errors naming every shape. */
export function matmulDims(shapes: readonly Shape[], attrs: MatmulAttrs): MatmulDims {
  const [a, b, bias] = shapes;
  const what = () => `A ${formatShape(a)}${attrs.transposeA ? ' (transposed)' : ''}, B ${formatShape(b)}${attrs.transposeB ? ' (transposed)' : ''}`;
  if (a.length < 2 || a.length > 3 || b.length < 2 || b.length > 3) {
    throw new Error(`matmul: operands must be rank 2 or 3 (batched), got ${what()}`);
  }
  const [am, ak] = attrs.transposeA ? [a.at(-1)!, a.at(-2)!] : [a.at(-2)!, a.at(-1)!];
  const [bk, bn] = attrs.transposeB ? [b.at(-1)!, b.at(-2)!] : [b.at(-2)!, b.at(-1)!];
  if (ak !== bk) throw new Error(`matmul: inner dimensions differ (K=${ak} vs K=${bk}) for ${what()}`);
  const aBatch = a.length === 3 ? a[0] : 1;
  const bBatch = b.length === 3 ? b[0] : 1;
  if (a.length === 3 && b.length === 3 && aBatch !== bBatch) {
    throw new Error(`matmul: batch sizes differ (${aBatch} vs ${bBatch}) for ${what()}`);
  }
  if (bias && (bias.length !== 1 || bias[0] !== bn)) {
    throw new Error(`matmul: bias must have shape [${bn}] (one value per output column), got ${formatShape(bias)} for ${what()}`);
  }
  return {
    batch: Math.max(aBatch, bBatch),
    m: am,
    n: bn,
    k: ak,
    aBatchStride: a.length === 3 ? am * ak : 0,
    bBatchStride: b.length === 3 ? bk * bn : 0,
    hasBias: bias !== undefined,
  };
}

/**
 * With C = op(A) op(B): d op(A) = dC op(B)^T and d op(B) = op(A)^T dC; a transposed
 * operand takes the transpose of that. A rank-2 operand shared across a batch sums its
 * per-batch gradients; the bias gets dC summed over every axis but the last.
 */
function matmulGrad([a, b, bias]: readonly Tensor[], y: Tensor, upstream: Tensor, attrs: MatmulAttrs): Tensor[] {
  // With a fused ReLU, the gradient first passes the ReLU: y > 0 exactly where its input was.
  const dy = attrs.relu ? runOp(activationGradOps.relu_grad, [y, upstream], {}) : upstream;
  const tA = attrs.transposeA;
  const tB = attrs.transposeB;
  const batched = dy.rank === 3;
  const da = tA
    ? matmul(b, dy, { transposeA: tB, transposeB: true }) // (dC op(B)^T)^T = op(B) dC^T
    : matmul(dy, b, { transposeB: !tB });
  const db = tB
    ? matmul(dy, a, { transposeA: true, transposeB: tA }) // (op(A)^T dC)^T = dC^T op(A)
    : matmul(a, dy, { transposeA: !tA });
  const unbatch = (g: Tensor, operand: Tensor) => (batched && operand.rank === 2 ? scope(() => sum(g, 0)) : g);
  const grads = [unbatch(da, a), unbatch(db, b)];
  if (bias) grads.push(sum(dy, batched ? [0, 1] : [0]));
  return grads;
}

export const matmulOp = defineOp<MatmulAttrs>({
  name: 'matmul',
  inputs: [2, 3],
  inferShape(shapes, attrs) {
    const d = matmulDims(shapes, attrs);
    return shapes[0].length === 3 || shapes[1].length === 3 ? [d.batch, d.m, d.n] : [d.m, d.n];
  },
  grad: matmulGrad,
});

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  /** Added to every row of the result; shape [N]. */
  bias?: Tensor;
  /** Apply ReLU in the GEMM's own kernel. */
  relu?: boolean;
}

/**
 * C = op(A) · op(B) (+ bias), where op transposes when asked. Operands are rank 2
 * (M x K times K x N) or rank 3 with a leading batch; a rank-2 operand is shared
 * across the other's batch.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const attrs: MatmulAttrs = { transposeA: options.transposeA ?? false, transposeB: options.transposeB ?? false, ...(options.relu ? { relu: true } : {}) };
  return runOp(matmulOp, options.bias ? [a, b, options.bias] : [a, b], attrs);
}

/**
 * A dense (fully connected) layer: x [batch, in] times weights [in, out] plus bias
 * [out]. It is matmul, so it shares the GEMM kernel and the gradient rule: dx = dy W^T,
 * dW = x^T dy, db = sum of dy over the batch.
 */
export function dense(x: Tensor, weights: Tensor, bias?: Tensor, relu = false): Tensor {
  return matmul(x, weights, { bias, relu });
}
