import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend';
import { adamUpdate, adamUpdatePair, assign, sgdUpdate, sgdUpdatePair } from '../../src/ops/optimizer';
import { argmax } from '../../src/ops/argmax';
import { Random } from '../../src/random';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkParity } from '../helpers/parity';
import { argmaxTable, optimizerTable } from './optimizer.cases';

describe('optimizer update parity (one step, updated parameter)', () => {
  for (const c of optimizerTable.cases) it(c.name, () => checkParity(c));
});

describe('argmax parity', () => {
  for (const c of argmaxTable.cases) it(c.name, () => checkParity(c));
});

describe('paired updates (two weights in one kernel)', () => {
  /** Runs a pair update and the same two single updates from equal inputs; returns every tensor after each. */
  async function both(backend: Backend, kind: 'momentum' | 'adamw') {
    const rng = new Random(9);
    const sizes = [150, 6];
    const data = sizes.map((n) => Array.from({ length: 5 }, () => rng.uniformArray(n, 0, 1)));
    const make = () => sizes.map((n, k) => data[k].map((d) => tensor(backend, d, [n])));
    const [a, b] = [make(), make()]; // per weight: param, grad, s1, s2, (unused)
    if (kind === 'momentum') {
      const hyper = tensor(backend, [0.05], [1]);
      const attrs = { momentum: 0.9, nesterov: false, weightDecay: 1e-2 };
      sgdUpdatePair(a[0][0], a[1][0], a[0][1], a[1][1], hyper, [a[0][2], a[1][2]], attrs);
      for (const w of b) sgdUpdate(w[0], w[1], hyper, w[2], attrs);
    } else {
      const hyper = tensor(backend, [0.01, 0.3, 0.05], [3]);
      const attrs = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, decoupled: true };
      adamUpdatePair(a[0][0], a[1][0], a[0][1], a[1][1], hyper, [a[0][2], a[0][3], a[1][2], a[1][3]], attrs);
      for (const w of b) adamUpdate(w[0], w[1], hyper, w[2], w[3], attrs);
    }
    const read = async (set: typeof a) => Promise.all(set.flatMap((w) => [w[0], w[2], w[3]]).map((t) => t.read()));
    return { pair: await read(a), singles: await read(b) };
  }

  for (const kind of ['momentum', 'adamw'] as const) {
    it(`${kind}: the pair writes both weights and their state exactly as two single updates, on both backends`, async () => {
      for (const backend of [cpu, await gpuBackend()]) {
        const { pair, singles } = await both(backend, kind);
        pair.forEach((values, i) => expect([...values], `${backend.name} tensor ${i}`).toEqual([...singles[i]]));
      }
    });
  }
});

/** Ten steps with changing gradients and learning rate; returns param and every state tensor. */
async function tenSteps(backend: Backend, kind: 'nesterov' | 'adamw') {
  const rng = new Random(5);
  const n = 37;
  const param = tensor(backend, rng.uniformArray(n), [n]);
  const s1 = tensor(backend, new Float32Array(n), [n]);
  const s2 = tensor(backend, new Float32Array(n), [n]);
  for (let t = 1; t <= 10; t++) {
    const grad = tensor(backend, rng.uniformArray(n), [n]);
    const lr = 0.05 / t;
    if (kind === 'nesterov') {
      sgdUpdate(param, grad, tensor(backend, [lr], [1]), s1, { momentum: 0.9, nesterov: true, weightDecay: 1e-2 });
    } else {
      const hyper = tensor(backend, [lr, 1 - 0.9 ** t, 1 - 0.999 ** t], [3]);
      adamUpdate(param, grad, hyper, s1, s2, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, decoupled: true });
    }
  }
  return Promise.all([param.read(), s1.read(), s2.read()]);
}

describe('optimizer updates over many steps', () => {
  for (const kind of ['nesterov', 'adamw'] as const) {
    it(`${kind}: parameter and state agree between backends after 10 steps (tol 1e-5)`, async () => {
      const gpu = await gpuBackend();
      const [want, got] = [await tenSteps(cpu, kind), await tenSteps(gpu, kind)];
      for (let k = 0; k < 3; k++) {
        for (let i = 0; i < want[k].length; i++) expect(Math.abs(got[k][i] - want[k][i]), `tensor ${k}[${i}]`).toBeLessThan(1e-5 * (1 + Math.abs(want[k][i])));
      }
      expect(want[1].some((v) => v !== 0)).toBe(true);
    });
  }

  it('SGD without momentum is param - lr * grad; the update returns the parameter itself', async () => {
    const param = tensor(cpu, [1, 2], [2]);
    const out = sgdUpdate(param, tensor(cpu, [10, -10], [2]), tensor(cpu, [0.1], [1]), null, { momentum: 0, nesterov: false, weightDecay: 0 });
    expect(out).toBe(param);
    const got = await param.read();
    expect(got[0]).toBeCloseTo(0, 6);
    expect(got[1]).toBeCloseTo(3, 6);
  });

  it('Adam moves each weight by about lr on its first step (bias correction)', async () => {
    const gpu = await gpuBackend();
    const param = tensor(gpu, [0, 0, 0], [3]);
    const zeros = () => tensor(gpu, [0, 0, 0], [3]);
    adamUpdate(param, tensor(gpu, [5, -0.1, 1e-3], [3]), tensor(gpu, [0.01, 0.1, 0.001], [3]), zeros(), zeros(), {
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0,
      decoupled: false,
    });
    const got = await param.read();
    [-0.01, 0.01, -0.01].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 5));
  });

  it('rejects mismatched state, a wrong hyper tensor and momentum without velocity', () => {
    const a = tensor(cpu, [1, 2], [2]);
    const h = tensor(cpu, [0.1], [1]);
    expect(() => sgdUpdate(a, tensor(cpu, [1], [1]), h, null, { momentum: 0, nesterov: false, weightDecay: 0 })).toThrow(
      "sgd_update: grad [1] must have the parameter's shape [2]",
    );
    expect(() => sgdUpdate(a, a, h, null, { momentum: 0.9, nesterov: false, weightDecay: 0 })).toThrow('sgd_update: momentum 0.9 needs a velocity input');
    expect(() => adamUpdate(a, a, h, a, a, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false })).toThrow(
      'adam_update: hyper must be [3], got [1]',
    );
    expect(() => assign(a, h)).toThrow('assign: value [1] must match target [2]');
    expect(() => argmax(a)).toThrow('argmax: input must be [rows, cols]');
  });
});

describe("Adam's moments take 1 - beta in double, as PyTorch and the CPU reference do", () => {
  // 1 - beta2 in f32 would carry beta2's rounding: 1 - f32(0.999) = 0.00099998713 (1.3e-5
  // below 0.001) and 1 - f32(0.9999) = 1.0001659e-4 (1.7e-4 above): a second moment off by
  // that at every step. PyTorch's exp_avg_sq.mul_(beta2).addcmul_(g, g, value=1 - beta2)
  // takes 1 - beta2 in double, rounded once.
  for (const [beta1, beta2] of [
    [0.9, 0.999],
    [0.95, 0.9999],
  ]) {
    it(`beta1 ${beta1}, beta2 ${beta2}: one step from zero state gives m = f32((1 - beta1) g) and v = f32((1 - beta2) g^2) on both backends`, async () => {
      const g = Float32Array.of(1, -3, 0.5, 1e-3, 7);
      for (const backend of [cpu, await gpuBackend()]) {
        const param = tensor(backend, new Float32Array(g.length), [g.length]);
        const m = tensor(backend, new Float32Array(g.length), [g.length]);
        const v = tensor(backend, new Float32Array(g.length), [g.length]);
        const hyper = tensor(backend, [1e-3, 1 - beta1, 1 - beta2], [3]);
        const attrs = { beta1, beta2, eps: 1e-8, weightDecay: 0, decoupled: false };
        adamUpdate(param, tensor(backend, g, [g.length]), hyper, m, v, attrs);
        const [mv, vv] = [await m.read(), await v.read()];
        g.forEach((x, i) => {
          const wantM = Math.fround((1 - beta1) * x);
          const wantV = Math.fround(Math.fround(1 - beta2) * Math.fround(x * x));
          expect(Math.abs(mv[i] - wantM), `${backend.name} m[${i}]`).toBeLessThanOrEqual(Math.abs(wantM) * 2 ** -22);
          expect(Math.abs(vv[i] - wantV), `${backend.name} v[${i}]: ${vv[i]}, want ${wantV}`).toBeLessThanOrEqual(Math.abs(wantV) * 2 ** -22);
        });
      }
    });
  }
});
