import { UNARY_OPS } from '../../src/ops/unary';
import type { GradCase, GradTable } from '../helpers/gradcheck';

/** Domains away from kinks and poles so central differences are exact to ~1e-9. */
const unaryRange: Record<string, [number, number]> = { log: [0.5, 3], sqrt: [0.5, 3], rsqrt: [0.5, 3], reciprocal: [0.5, 3] };
const smoothUnary = UNARY_OPS.filter((op) => op !== 'sign');

export const unaryGrads: GradTable = {
  kind: 'gradient',
  ops: UNARY_OPS,
  cases: [
    ...smoothUnary.map((op): GradCase => ({ name: `${op} x=3x4`, op, inputs: [{ shape: [3, 4], range: unaryRange[op] ?? [-2, 2] }] })),
    { name: 'relu6 across 0 and 6 x=4x5', op: 'relu6', inputs: [{ shape: [4, 5], range: [-2, 8] }] },
    { name: 'leaky_relu alpha=0.2', op: 'leaky_relu', inputs: [{ shape: [10] }], attrs: { alpha: 0.2 } },
    { name: 'elu alpha=0.7', op: 'elu', inputs: [{ shape: [10] }], attrs: { alpha: 0.7 } },
    { name: 'sign x=5', op: 'sign', inputs: [{ shape: [5] }] },
  ],
};

export const binaryGrads: GradTable = {
  kind: 'gradient',
  ops: ['add', 'sub', 'mul', 'div'],
  cases: ['add', 'sub', 'mul', 'div'].flatMap((op): GradCase[] => [
    { name: `${op} a=3x4,b=3x4`, op, inputs: [{ shape: [3, 4] }, { shape: [3, 4], range: [0.5, 2] }] },
    { name: `${op} a=2x3x4,b=3x1 (broadcast)`, op, inputs: [{ shape: [2, 3, 4] }, { shape: [3, 1], range: [0.5, 2] }] },
    { name: `${op} a=1x4,b=3x1 (both broadcast)`, op, inputs: [{ shape: [1, 4] }, { shape: [3, 1], range: [0.5, 2] }] },
  ]),
};

export const reduceGrads: GradTable = {
  kind: 'gradient',
  ops: ['sum', 'mean'],
  cases: ['sum', 'mean'].flatMap((op): GradCase[] => [
    { name: `${op} all of 2x3x4`, op, inputs: [{ shape: [2, 3, 4] }], attrs: { axes: [], keepDims: false } },
    { name: `${op} axes [0,2] of 2x3x4`, op, inputs: [{ shape: [2, 3, 4] }], attrs: { axes: [0, 2], keepDims: false } },
    { name: `${op} axis 1 of 2x3x4 keepDims`, op, inputs: [{ shape: [2, 3, 4] }], attrs: { axes: [1], keepDims: true } },
  ]),
};

const mm = (m: number, n: number, k: number, tA: boolean, tB: boolean, bias: boolean, batch?: number, sharedB = false): GradCase => {
  const lead = batch ? [batch] : [];
  return {
    name: `matmul m=${m},n=${n},k=${k}${tA ? ',tA' : ''}${tB ? ',tB' : ''}${bias ? ',bias' : ''}${batch ? `,batch=${batch}` : ''}${sharedB ? ',B shared' : ''}`,
    op: 'matmul',
    inputs: [
      { shape: [...lead, ...(tA ? [k, m] : [m, k])] },
      { shape: [...(sharedB ? [] : lead), ...(tB ? [n, k] : [k, n])] },
      ...(bias ? [{ shape: [n] }] : []),
    ],
    attrs: { transposeA: tA, transposeB: tB },
  };
};

export const matmulGrads: GradTable = {
  kind: 'gradient',
  ops: ['matmul'],
  cases: [
    mm(3, 4, 5, false, false, true),
    mm(3, 4, 5, true, false, false),
    mm(3, 4, 5, false, true, false),
    mm(3, 4, 5, true, true, true),
    mm(2, 3, 4, false, false, true, 2),
    mm(2, 3, 4, true, true, false, 3),
    mm(2, 3, 4, false, false, false, 2, true),
    // Fused ReLU: the rule must pass the gradient through max(0, .) first.
    { ...mm(3, 4, 5, false, false, true), name: 'matmul m=3,n=4,k=5,bias,relu', attrs: { transposeA: false, transposeB: false, relu: true } },
  ],
};
