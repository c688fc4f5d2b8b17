import { describe, expect, it } from 'vitest';
import { conv2d, gradients, matmul, maximum, maxpool2d, mul, planGraph, Program, relu, reshape, sum, tensor, TraceBackend, exp } from '../../src/index';
import { assign } from '../../src/ops/optimizer';
import { Random } from '../../src/random';
import { cpu, gpuBackend } from '../helpers/backends';

describe('graph: trace, autograd, plan, program', () => {
  const rng = new Random(4);
  const xv = rng.uniformArray(6 * 5);
  const wv = rng.uniformArray(5 * 3);

  /** loss = sum(relu(x w)) with dloss/dw; plus a dead branch and a reshape. */
  function build(w: ReturnType<typeof tensor>) {
    const trace = new TraceBackend();
    const x = trace.input('x', [6, 5]);
    const tw = trace.external(w, 'w');
    const h = relu(matmul(x, tw));
    exp(h); // read by nobody: the planner must drop it
    const loss = sum(reshape(h, [18]));
    const [dw] = gradients(trace, loss, [tw]);
    const ids = [trace.valueOf(loss).id, trace.valueOf(dw).id];
    return { trace, ids, plan: planGraph(trace, ids) };
  }

  it('drops dead nodes, aliases reshapes and frees values after their last reader', () => {
    const { trace, plan } = build(tensor(cpu, wv, [5, 3]));
    expect(trace.nodes.map((n) => n.op)).toContain('exp');
    expect(plan.nodes.map((n) => n.op)).not.toContain('exp');
    const r = plan.nodes.find((n) => n.op === 'reshape')!;
    expect(plan.root[r.output]).toBe(plan.root[r.inputs[0]]);
    const freed = plan.freeAfter.flat();
    expect(new Set(freed).size).toBe(freed.length);
    for (const id of plan.outputs) expect(freed).not.toContain(plan.root[id]);
  });

  it('a program computes the same loss and gradient as eager ops, on both backends, run after run', async () => {
    const gpu = await gpuBackend();
    for (const backend of [cpu, gpu]) {
      const w = tensor(backend, wv, [5, 3]);
      const { ids, plan } = build(w);
      const program = new Program(backend, plan);
      for (const scale of [1, -2]) {
        const x = xv.map((v) => v * scale);
        const [loss, dw] = await program.run({ x }, ids);
        // Eager reference: dloss/dw = x^T (x w > 0).
        const xt = tensor(backend, x, [6, 5]);
        const y = await matmul(xt, w).read();
        expect(loss[0]).toBeCloseTo(
          y.reduce((s, v) => s + Math.max(v, 0), 0),
          4,
        );
        const mask = tensor(
          backend,
          y.map((v) => (v > 0 ? 1 : 0)),
          [6, 3],
        );
        const want = await matmul(xt, mask, { transposeA: true }).read();
        dw.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
      }
      if (backend === gpu) {
        const before = gpu.stats();
        await program.run({ x: xv }, ids);
        const after = gpu.stats();
        expect(after.submits - before.submits).toBe(1);
        expect(after.readbacks - before.readbacks).toBe(1);
        expect(after.dispatches - before.dispatches).toBe(program.stats.dispatchesPerRun);
      }
      program.dispose();
    }
  });

  it('names what is wrong: a bad feed, an in-place write to a non-persistent value, a missing gradient rule', async () => {
    const w = tensor(cpu, wv, [5, 3]);
    const { ids, plan } = build(w);
    const program = new Program(cpu, plan);
    await expect(async () => program.run({ x: new Float32Array(3) }, ids)).rejects.toThrow("graph: input 'x' of shape [6,5] needs 30 values, got 3");
    await expect(async () => program.run({ y: new Float32Array(3) })).rejects.toThrow("graph: no input named 'y' (inputs: x)");
    const trace = new TraceBackend();
    const x = trace.input('x', [2]);
    expect(() => assign(x, x)).toThrow(
      'graph: assign writes input 0 in place, which must be a persistent tensor (a weight or state), not a input of shape [2]',
    );
    const tw = trace.external(tensor(cpu, [1, 2], [2]), 'w');
    const loss = sum(maximum(tw, x));
    expect(() => gradients(trace, loss, [tw])).toThrow(/autograd: op 'maximum' \(node \d+, output \[2\]\) has no gradient rule/);
    await expect(trace.read()).rejects.toThrow('read: a traced tensor has no values');
  });
});

describe('graph: the planner folds ReLU gradients into max-pool gradients', () => {
  const rng = new Random(9);
  const xv = rng.uniformArray(2 * 3 * 8 * 8);
  const wv = rng.uniformArray(4 * 3 * 3 * 3);
  const weights = rng.uniformArray(4 * 4 * 4 * 2).map((v) => v * 3);

  /** loss = sum(maxpool(relu(conv(x, w))) * weights): the ReLU fused into conv2d, or as its own op. */
  function build(w: ReturnType<typeof tensor>, fusedRelu: boolean) {
    const trace = new TraceBackend();
    const x = trace.input('x', [2, 3, 8, 8]);
    const tw = trace.external(w, 'w');
    const h = fusedRelu ? conv2d(x, tw, { padding: 1, relu: true }) : relu(conv2d(x, tw, { padding: 1 }));
    const pooled = maxpool2d(h, 2);
    const loss = sum(mul(pooled, tensor(trace, weights, [2, 4, 4, 4])));
    const [dw] = gradients(trace, loss, [tw]);
    const ids = [trace.valueOf(loss).id, trace.valueOf(dw).id];
    return { ids, fused: planGraph(trace, ids), plain: planGraph(trace, ids, { fuse: false }) };
  }

  for (const fusedRelu of [true, false]) {
    it(`${fusedRelu ? 'conv2d with relu' : 'a relu op'} before the pool: one node fewer, the same gradient on both backends`, async () => {
      for (const backend of [cpu, await gpuBackend()]) {
        const w = tensor(backend, wv, [4, 3, 3, 3]);
        const { ids, fused, plain } = build(w, fusedRelu);
        expect(plain.nodes.map((n) => n.op)).toContain('relu_grad');
        expect(fused.nodes.map((n) => n.op)).not.toContain('relu_grad');
        expect(fused.nodes.find((n) => n.op === 'maxpool2d_grad')?.attrs.relu).toBe(true);
        expect(fused.nodes.length).toBe(plain.nodes.length - 1);
        const [, want] = await new Program(backend, plain).run({ x: xv }, ids);
        const [, got] = await new Program(backend, fused).run({ x: xv }, ids);
        // Some gradient is masked: a relu-less pool gradient would differ.
        expect(want.some((v) => v !== 0)).toBe(true);
        got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
      }
    });
  }
});
