import { pool2dAttrs, pool2dGeometry, type Pool2dOptions } from '../../src/ops/pool2d';
import type { GradCase, GradTable } from '../helpers/gradcheck';
import type { ParityCase, ParityTable } from '../helpers/parity';

export interface PoolRow {
  x: [number, number, number, number];
  k: number | [number, number];
  options?: Pool2dOptions;
  /** Values with many ties (small integers) to pin the arg-max tie rule. */
  ties?: boolean;
}

export const poolRows: PoolRow[] = [
  { x: [1, 1, 1, 1], k: 1 },
  { x: [2, 3, 8, 8], k: 2 },
  { x: [1, 5, 7, 9], k: 2 },
  { x: [2, 2, 13, 13], k: 3, options: { stride: 2 } },
  { x: [1, 3, 6, 6], k: 3, options: { stride: 1, padding: 1 } },
  { x: [1, 3, 6, 6], k: 3, options: { stride: 1, padding: 1, countIncludePad: true } },
  { x: [2, 1, 9, 9], k: 2, options: { stride: 3 } },
  { x: [1, 2, 5, 7], k: [2, 3], options: { stride: [1, 2], padding: [1, 0, 0, 2] } },
  { x: [2, 2, 6, 6], k: 3, options: { stride: 2, padding: 'same' } },
  { x: [1, 2, 6, 6], k: 3, options: { stride: 1 }, ties: true },
  // Windows that tile the input exactly take the grad kernels' one-invocation-per-window path.
  { x: [4, 6, 28, 28], k: 2 },
  { x: [1, 2, 4, 9], k: [2, 3] },
  { x: [2, 1, 9, 9], k: 3 },
  { x: [1, 2, 6, 6], k: 2, ties: true },
];

export function poolName(r: PoolRow): string {
  const o = r.options ?? {};
  const parts = [`x=${r.x.join('x')}`, `k=${[r.k].flat().join('x')}`];
  if (o.stride) parts.push(`s=${[o.stride].flat().join('x')}`);
  if (o.padding !== undefined) parts.push(`p=${[o.padding].flat().join('/')}`);
  if (o.countIncludePad) parts.push('countPad');
  if (r.ties) parts.push('ties');
  return parts.join(',');
}

export function poolSetup(r: PoolRow) {
  const attrs = pool2dAttrs(r.x, r.k, r.options);
  const g = pool2dGeometry('pool', r.x, attrs);
  const n = r.x.reduce((a, b) => a * b, 1);
  const values = r.ties ? Array.from({ length: n }, (_, i) => (i * 7) % 3) : undefined;
  return { attrs, y: [g.n, g.c, g.oh, g.ow], window: g.kh * g.kw, values };
}

const cases: ParityCase[] = poolRows.flatMap((r) => {
  const { attrs, y, window, values } = poolSetup(r);
  const name = poolName(r);
  return [
    { name: `maxpool2d ${name}`, op: 'maxpool2d', inputs: [{ shape: r.x, values }], attrs },
    { name: `maxpool2d_grad ${name}`, op: 'maxpool2d_grad', inputs: [{ shape: r.x, values }, { shape: y }], attrs, reduction: window },
    { name: `avgpool2d ${name}`, op: 'avgpool2d', inputs: [{ shape: r.x, values }], attrs, reduction: window },
    { name: `avgpool2d_grad ${name}`, op: 'avgpool2d_grad', inputs: [{ shape: y }], attrs: { ...attrs, inputShape: r.x }, reduction: window },
  ];
});

// maxpool2d_grad with the ReLU folded in (the planner's fusion): inputs as a ReLU leaves them,
// about 60% zeros, so whole windows are zero (no gradient) and zeros tie; both grad paths.
for (const r of [
  { x: [4, 6, 28, 28], k: 2 },
  { x: [2, 2, 13, 13], k: 3, options: { stride: 2 } },
  { x: [1, 3, 6, 6], k: 3, options: { stride: 1, padding: 1 } },
] as PoolRow[]) {
  const { attrs, y, window } = poolSetup(r);
  const values = Array.from({ length: r.x.reduce((a, b) => a * b, 1) }, (_, i) => {
    const h = Math.sin(i * 12.9898) * 43758.5453;
    return Math.max(0, 2 * (h - Math.floor(h)) - 1.2);
  });
  cases.push({
    name: `maxpool2d_grad ${poolName(r)},relu`,
    op: 'maxpool2d_grad',
    inputs: [{ shape: r.x, values }, { shape: y }],
    attrs: { ...attrs, relu: true },
    reduction: window,
  });
}

for (const x of [
  [1, 1, 1, 1],
  [2, 3, 7, 7],
  [3, 5, 1, 9],
  [2, 16, 32, 32],
]) {
  cases.push({ name: `global_avg_pool x=${x.join('x')}`, op: 'global_avg_pool', inputs: [{ shape: x }], reduction: x[2] * x[3] });
}

export const pool2dTable: ParityTable = {
  ops: ['maxpool2d', 'maxpool2d_grad', 'avgpool2d', 'avgpool2d_grad', 'global_avg_pool'],
  cases,
};

/** Finite-difference checks of the pool rules (random inputs: no ties to straddle). */
export const pool2dGrads: GradTable = {
  kind: 'gradient',
  ops: ['maxpool2d', 'avgpool2d', 'global_avg_pool'],
  cases: [
    ...poolRows
      .filter((r) => !r.ties)
      .flatMap((r): GradCase[] => {
        const { attrs } = poolSetup(r);
        return (['maxpool2d', 'avgpool2d'] as const).map((op) => ({ name: `${op} ${poolName(r)}`, op, inputs: [{ shape: r.x }], attrs }));
      }),
    { name: 'global_avg_pool x=2x3x4x5', op: 'global_avg_pool', inputs: [{ shape: [2, 3, 4, 5] }] },
  ],
};
