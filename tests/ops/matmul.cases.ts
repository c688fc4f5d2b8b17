import type { ParityCase, ParityTable } from '../helpers/parity';

/** [m, n, k, transposeA, transposeB, bias, batch] */
type Row = [number, number, number, boolean, boolean, boolean, number?];

const rows: Row[] = [
  [1, 1, 1, false, false, false],
  [1, 1, 1, true, true, true],
  [1, 37, 5, false, false, false],
  [1, 64, 64, false, true, true],
  [41, 1, 9, false, false, false],
  [64, 1, 33, true, false, true],
  [1, 1, 513, false, false, false],
  [2, 3, 4, false, false, true],
  [3, 5, 7, false, false, false],
  [7, 11, 13, true, false, false],
  [13, 17, 19, false, true, false],
  [31, 29, 23, true, true, true],
  [32, 32, 32, false, false, false],
  [33, 65, 17, false, false, true],
  [64, 120, 400, false, true, true],
  [64, 400, 120, false, false, false],
  [100, 3, 250, true, false, false],
  [127, 131, 1, false, false, true],
  [257, 129, 65, false, false, false],
  [257, 129, 65, true, false, false],
  [257, 129, 65, false, true, false],
  [257, 129, 65, true, true, true],
  [128, 128, 128, false, false, true],
  [5, 6, 7, false, false, false, 3],
  [9, 4, 10, true, true, true, 2],
  // K and N multiples of 4, untransposed: the vec4 variant's shapes (M not a multiple of 4, batched).
  [33, 16, 8, false, false, false],
  [6, 8, 12, false, false, true, 2],
];

function name([m, n, k, ta, tb, bias, batch]: Row): string {
  return `m=${m},n=${n},k=${k}${ta ? ',tA' : ''}${tb ? ',tB' : ''}${bias ? ',bias' : ''}${batch ? `,batch=${batch}` : ''}`;
}

function toCase(row: Row): ParityCase {
  const [m, n, k, ta, tb, bias, batch] = row;
  const lead = batch ? [batch] : [];
  const inputs = [{ shape: [...lead, ...(ta ? [k, m] : [m, k])] }, { shape: [...lead, ...(tb ? [n, k] : [k, n])] }];
  if (bias) inputs.push({ shape: [n] });
  return { name: name(row), op: 'matmul', inputs, attrs: { transposeA: ta, transposeB: tb }, reduction: k + (bias ? 1 : 0) };
}

/** A batched A against a shared rank-2 B (the dense-layer-over-time shape). */
const sharedB: ParityCase = {
  name: 'm=6,n=5,k=4,batch=3,B shared',
  op: 'matmul',
  inputs: [{ shape: [3, 6, 4] }, { shape: [4, 5] }],
  attrs: { transposeA: false, transposeB: false },
  reduction: 4,
};

/** The fused ReLU of a dense layer, with and without bias and transposes. */
const fusedRelu: ParityCase[] = (
  [
    [64, 120, 400, false, false, true],
    [33, 65, 17, true, true, false],
  ] as Row[]
).map((row) => {
  const c = toCase(row);
  return { ...c, name: `${c.name},relu`, attrs: { ...c.attrs, relu: true } };
});

/**
 * The fused ReLU must keep NaN (PyTorch's relu does): a NaN bias makes its whole column
 * NaN on the CPU, and a kernel whose epilogue is max(v, 0) writes zeros there. Rows that
 * take the vec4 variant (N a multiple of 4) and the scalar ones.
 */
const nanBiasRelu: ParityCase[] = (
  [
    [33, 16, 8, false, false, true],
    [13, 17, 19, false, true, true],
    [64, 120, 400, false, false, true],
  ] as Row[]
).map((row) => {
  const c = toCase(row);
  const n = row[1];
  const bias = Array.from({ length: n }, (_, j) => (j % 5 === 0 ? NaN : 0.25 - j / n));
  return { ...c, name: `${c.name},relu,NaN bias`, inputs: [c.inputs[0], c.inputs[1], { shape: [n], values: bias }], attrs: { ...c.attrs, relu: true } };
});

export const matmulTable: ParityTable = { ops: ['matmul'], cases: [...rows.map(toCase), sharedB, ...fusedRelu, ...nanBiasRelu] };
