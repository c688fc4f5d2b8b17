import { describe, expect, it } from 'vitest';
import { WebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';
import { Autotuner, type TuneStore } from '../../src/backends/webgpu/autotune';
import { PRETUNED_CHOICES } from '../../src/backends/webgpu/pretuned_choices';
import { gpuFamily } from '../../src/backends/webgpu/webgpu_backend';
import { PRETUNE_WORKLOADS, workloadPrograms } from '../../tools/jobs/pretune';
import { MODELS } from '../../src/nn/zoo';
import { compileTrainStep } from '../../src/training/compile';
import { Optimizer } from '../../src/training/optimizers';
import { lenet5 } from '../../src/nn/zoo';
import { matmul } from '../../src/ops/matmul';
import { tensor } from '../../src/tensor';

/** A store in memory, counting saves. */
function memoryStore(initial: Record<string, number> = {}) {
  const store = { data: { ...initial }, saves: 0 } as { data: Record<string, number>; saves: number } & TuneStore;
  store.load = async () => ({ ...store.data });
  store.save = async (c) => {
    store.data = { ...c };
    store.saves++;
  };
  return store;
}

describe('autotuning kernel variants', () => {
  it('queues an unseen shape class, times its variants, keeps the fastest and saves it under the adapter', async () => {
    const store = memoryStore();
    const gpu = await WebGPUBackend.create({ autotune: true, tuneStore: store, pretuned: false });
    const a = tensor(gpu, new Float32Array(96 * 80).fill(0.5), [96, 80]);
    const b = tensor(gpu, new Float32Array(80 * 72).fill(0.25), [80, 72]);
    matmul(a, b).dispose();
    expect(gpu.tuner.pendingCount).toBe(1);
    expect(await gpu.autotune()).toBe(1);
    expect(gpu.tuner.pendingCount).toBe(0);
    const keys = Object.keys(store.data);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toContain(`${gpu.adapterInfo.vendor}/${gpu.adapterInfo.architecture}`);
    expect(keys[0]).toContain('|matmul|m128 n128 k128 v4');
    expect([0, 1, 2, 3, 4]).toContain(store.data[keys[0]]); // K and N are multiples of 4: the vec4 variant competes with the four others
    expect(store.saves).toBe(1);
    // The same class again is not queued, and whichever variant won computes the same values.
    const y = matmul(a, b);
    expect(gpu.tuner.pendingCount).toBe(0);
    expect([...(await y.read())].every((v) => Math.abs(v - 10) < 1e-5)).toBe(true);
  });

  it('a new tuner reads the stored choice and does not tune again; a disabled one always runs variant 0', async () => {
    const request = {
      op: 'matmul',
      inputs: [
        [4, 4],
        [4, 4],
      ],
      attrs: {},
      outShape: [4, 4],
    };
    const names = ['a', 'b', 'c'];
    const stored = new Autotuner(true, 'gpu-x', memoryStore({ 'gpu-x|matmul|m4|a,b,c': 2 }));
    await stored.load();
    expect(stored.pick('matmul', 'm4', names, request)).toBe(2);
    expect(stored.pendingCount).toBe(0);
    // Another adapter's choice does not carry over.
    const other = new Autotuner(true, 'gpu-y', memoryStore({ 'gpu-x|matmul|m4|a,b,c': 2 }));
    await other.load();
    expect(other.pick('matmul', 'm4', names, request)).toBe(0);
    expect(other.pendingCount).toBe(1);
    // A choice stored for another list of variants (one was added or reordered) is not reused.
    const changed = new Autotuner(true, 'gpu-x', memoryStore({ 'gpu-x|matmul|m4|a,b,c': 2 }));
    await changed.load();
    expect(changed.pick('matmul', 'm4', ['a', 'c', 'b'], request)).toBe(0);
    expect(changed.pendingCount).toBe(1);
    const off = new Autotuner(false, 'gpu-x', memoryStore({ 'gpu-x|matmul|m4|a,b,c': 2 }));
    await off.load();
    expect(off.pick('matmul', 'm4', names, request)).toBe(0);
    expect(off.pendingCount).toBe(0);
    expect(off.withVariant(1, () => off.pick('matmul', 'm4', names, request))).toBe(1);
  });

  it('times variants in rounds, so a slow spell of the machine does not pick the slower variant', async () => {
    // Variant 0 takes 10 ms and variant 1 12 ms, but the first four timed runs fall in a
    // slow spell (+20 ms). Timed variant by variant, variant 0 would take all of the spell
    // (median 30 ms) and lose; in rounds the spell falls on both alike.
    const tuner = new Autotuner(true, 'fake');
    const names = ['fast', 'slower'];
    const request = { op: 'k', inputs: [[4]], attrs: {}, outShape: [4] };
    expect(tuner.pick('k', 'c', names, request)).toBe(0);
    let variant = -1;
    let timed = 0;
    const host = {
      upload: (data: Float32Array) => ({ length: data.length }),
      release: () => {},
      run: () => {
        variant = tuner.pick('k', 'c', names, request);
        return { length: 4 };
      },
      time: async (fn: () => void) => {
        fn();
        const ms = (variant === 0 ? 10 : 12) + (timed++ < 4 ? 20 : 0);
        return { wallMs: ms, gpuMs: ms };
      },
    };
    expect(await tuner.tune(host)).toBe(1);
    expect(timed).toBe(10);
    expect(tuner.pick('k', 'c', names, request)).toBe(0);
  });

  it('times a shape class queued at precision f16 at f16 (its rows are the f16 ones), and refuses a host that cannot', async () => {
    const tuner = new Autotuner(true, 'fake');
    const names = ['f16-a', 'f16-b'];
    const request = { op: 'k', inputs: [[4]], attrs: {}, outShape: [4], precision: 'f16' as const };
    expect(tuner.pick('k', 'c f16', names, request)).toBe(0);
    let precision = 'f32';
    const seen: string[] = [];
    const host = {
      upload: (data: Float32Array) => ({ length: data.length }),
      release: () => {},
      run: () => {
        seen.push(precision);
        return { length: 4 };
      },
      time: async (fn: () => void) => {
        fn();
        return { wallMs: 1, gpuMs: 1 };
      },
      withPrecision: <T>(p: 'f32' | 'f16', fn: () => T): T => {
        const before = precision;
        precision = p;
        try {
          return fn();
        } finally {
          precision = before;
        }
      },
    };
    expect(await tuner.tune(host)).toBe(1);
    expect(new Set(seen)).toEqual(new Set(['f16']));
    const other = new Autotuner(true, 'fake');
    other.pick('k', 'c f16', names, request);
    const { withPrecision: _, ...plain } = host;
    await expect(other.tune(plain)).rejects.toThrow('autotune: k was queued at precision f16, which this host cannot run');
  });

  it('a time budget times the shape classes it reaches; the rest run variant 0 and are not saved', async () => {
    let clock = 0;
    const store = memoryStore();
    const tuner = new Autotuner(true, 'fake', store, { budgetMs: 25, now: () => clock });
    const names = ['a', 'b'];
    const requests = ['c1', 'c2', 'c3'].map((c) => ({ c, request: { op: 'k', inputs: [[4]], attrs: {}, outShape: [4] } }));
    for (const { c, request } of requests) expect(tuner.pick('k', c, names, request)).toBe(0);
    let variant = -1;
    const host = {
      upload: (data: Float32Array) => ({ length: data.length }),
      release: () => {},
      run: () => {
        variant = tuner.pick('k', 'c1', names, requests[0].request);
        return { length: 4 };
      },
      // Each timed run costs 10 ms of the fake clock; variant 1 is faster.
      time: async (fn: () => void) => {
        fn();
        clock += 10;
        return { wallMs: variant === 1 ? 5 : 9, gpuMs: null };
      },
    };
    expect(await tuner.tune(host)).toBe(1);
    expect(tuner.pick('k', 'c1', names, requests[0].request)).toBe(1);
    expect(tuner.pick('k', 'c2', names, requests[1].request)).toBe(0);
    expect(tuner.pendingCount).toBe(0);
    expect(Object.keys(store.data)).toEqual(['fake|k|c1|a,b']);
    expect(() => new Autotuner(true, 'fake', null, { budgetMs: -1 })).toThrow('autotune: budgetMs must be a non-negative number');
  });

  it('a compiled training step tunes its new shape classes once, then records again with the choices', async () => {
    const gpu = await WebGPUBackend.create({ autotune: true, tuneStore: memoryStore(), pretuned: false });
    const model = lenet5([1, 16, 16], 4).build(gpu, { seed: 1 });
    const step = compileTrainStep(model, new Optimizer({ kind: 'sgd', lr: 0.01 }), 8);
    const dispatches = step.program.stats.dispatchesPerRun;
    expect(gpu.tuner.pendingCount).toBeGreaterThan(0);
    expect(await step.program.autotune()).toBe(true);
    expect(await step.program.autotune()).toBe(false);
    // Variants differ in dispatches (the packed-filter tile packs first, Winograd takes four),
    // so the re-recorded step may have fewer than variant 0's, never more than the budget.
    expect(step.program.stats.dispatchesPerRun).toBeGreaterThan(0);
    expect(step.program.stats.dispatchesPerRun).toBeLessThanOrEqual(Math.max(dispatches, 40));
    const [loss] = await step.program.run(
      { x: new Float32Array(8 * 256).fill(0.1), labels: Float32Array.from([0, 1, 2, 3, 0, 1, 2, 3]), step: Float32Array.of(0), hyper: Float32Array.of(0.01) },
      [step.loss],
    );
    expect(loss[0]).toBeGreaterThan(0);
    step.program.dispose();
    model.dispose();
  });

  it("shipped choices answer at once by variant name; this machine's stored choice wins; an unknown name is tuned", async () => {
    const request = {
      op: 'matmul',
      inputs: [
        [4, 4],
        [4, 4],
      ],
      attrs: {},
      outShape: [4, 4],
    };
    const names = ['a', 'b', 'c'];
    const pretuned = { 'matmul|m4': 'c', 'matmul|m8': 'gone' };
    const tuner = new Autotuner(true, 'gpu-x', memoryStore({ 'gpu-x|matmul|m16|a,b,c': 1 }), { pretuned });
    await tuner.load();
    expect(tuner.pick('matmul', 'm4', names, request)).toBe(2);
    // A reordered list still finds the shipped variant by its name.
    expect(tuner.pick('matmul', 'm4', ['c', 'a', 'b'], request)).toBe(0);
    expect(tuner.pendingCount).toBe(0);
    // A variant the kernel no longer offers is ignored: the class is queued as if unlisted.
    expect(tuner.pick('matmul', 'm8', names, request)).toBe(0);
    expect(tuner.pendingCount).toBe(1);
    // What this machine measured beats what was shipped.
    const both = new Autotuner(true, 'gpu-x', memoryStore({ 'gpu-x|matmul|m4|a,b,c': 1 }), { pretuned });
    await both.load();
    expect(both.pick('matmul', 'm4', names, request)).toBe(1);
    // Autotuning off is deterministic: variant 0 whatever was shipped.
    expect(new Autotuner(false, 'gpu-x', null, { pretuned }).pick('matmul', 'm4', names, request)).toBe(0);
  });

  it('timedChoices gives the winners by variant name, the form npm run tune ships', async () => {
    const tuner = new Autotuner(true, 'fake');
    const request = { op: 'k', inputs: [[4]], attrs: {}, outShape: [4] };
    tuner.pick('k', 'c', ['slow', 'fast'], request);
    let variant = -1;
    const host = {
      upload: (data: Float32Array) => ({ length: data.length }),
      release: () => {},
      run: () => {
        variant = tuner.pick('k', 'c', ['slow', 'fast'], request);
        return { length: 4 };
      },
      time: async (fn: () => void) => {
        fn();
        return { wallMs: variant === 1 ? 1 : 5, gpuMs: null };
      },
    };
    await tuner.tune(host);
    expect(tuner.timedChoices()).toEqual({ 'k|c': 'fast' });
  });

  it('on this adapter the shipped table covers every pretune workload: nothing is queued for tuning', async () => {
    const gpu = await WebGPUBackend.create({ autotune: true, tuneStore: memoryStore() });
    // The suite runs on SwiftShader, whose table npm run tune made; a missing table is a failure, not a skip.
    expect(Object.keys(PRETUNED_CHOICES)).toContain(gpuFamily(gpu.adapterInfo));
    for (const w of PRETUNE_WORKLOADS) {
      const model = MODELS[w.model]().build(gpu, { seed: 1 });
      const programs = workloadPrograms(model, w);
      expect({ model: w.model, queued: gpu.tuner.pendingCount }).toEqual({ model: w.model, queued: 0 });
      programs.forEach((p) => p.dispose());
      model.dispose();
    }
    // Without the table the same first workload queues its shape classes.
    const bare = await WebGPUBackend.create({ autotune: true, tuneStore: memoryStore(), pretuned: false });
    const model = MODELS[PRETUNE_WORKLOADS[0].model]().build(bare, { seed: 1 });
    const step = compileTrainStep(model, new Optimizer({ kind: 'adam', lr: 1e-3 }), PRETUNE_WORKLOADS[0].train[0]);
    expect(bare.tuner.pendingCount).toBeGreaterThan(0);
    step.program.dispose();
    model.dispose();
  }, 120_000);

  it('records the variant each kernel ran, and a replay runs exactly those: no timing, no queue, an unknown name throws', async () => {
    const request = {
      op: 'matmul',
      inputs: [
        [4, 4],
        [4, 4],
      ],
      attrs: {},
      outShape: [4, 4],
    };
    const names = ['a', 'b', 'c'];
    const tuner = new Autotuner(true, 'gpu-x', memoryStore({ 'gpu-x|matmul|m4|a,b,c': 2 }));
    await tuner.load();
    tuner.pick('matmul', 'm4', names, request);
    tuner.pick('matmul', 'm8', names, request);
    // One variant only is not a choice, and forced picks (tuning itself, parity rows) are not the run's.
    tuner.pick('matmul', 'm16', ['a'], request);
    tuner.withVariant(1, () => tuner.pick('matmul', 'm32', names, request));
    expect(tuner.usedChoices()).toEqual({ 'matmul|m4': 'c', 'matmul|m8': 'a' });
    const replay = new Autotuner(false, 'gpu-y', null, { replay: { 'matmul|m4': 'c', 'matmul|m8': 'b' } });
    expect(replay.pick('matmul', 'm4', names, request)).toBe(2);
    expect(replay.pick('matmul', 'm8', ['b', 'a'], request)).toBe(0);
    // A class the record does not list runs its first variant, and nothing is queued for timing.
    expect(replay.pick('matmul', 'm64', names, request)).toBe(0);
    expect(replay.pendingCount).toBe(0);
    expect(() => replay.pick('matmul', 'm4', ['a', 'b'], request)).toThrow(
      "autotune: the tuning to replay runs 'c' for matmul|m4, which is not offered here (variants: a, b)",
    );
    // On a backend, `tuning` turns timing off and replays.
    const gpu = await WebGPUBackend.create({ tuning: { 'matmul|m128 n128 k128 v4': 'matmul_vec4' }, tuneStore: memoryStore() });
    expect(gpu.tuner.enabled).toBe(false);
    const a = tensor(gpu, new Float32Array(96 * 80).fill(0.5), [96, 80]);
    const b = tensor(gpu, new Float32Array(80 * 72).fill(0.25), [80, 72]);
    matmul(a, b).dispose();
    expect(gpu.tuner.usedChoices()).toEqual({ 'matmul|m128 n128 k128 v4': 'matmul_vec4' });
    expect(gpu.tuner.pendingCount).toBe(0);
  });
});
