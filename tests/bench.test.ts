import { describe, expect, it } from 'vitest';
import { benchCases, quickCaseNames } from '../tools/bench/cases';
import { loadPeers } from '../tools/bench/peers';
import { runBench, selectCases, type Timing } from '../tools/bench/runner';
import { matmul } from '../src/ops/matmul';
import { tensor } from '../src/tensor';
import { gpuBackend } from './helpers/backends';

describe('kernel timing and the benchmark runner', () => {
  it('times enqueued work with timestamp queries when the device has them', async () => {
    const gpu = await gpuBackend();
    const a = tensor(gpu, new Float32Array(128 * 128).fill(1), [128, 128]);
    const t = await gpu.time(() => void matmul(a, a));
    expect(t.wallMs).toBeGreaterThan(0);
    if (gpu.features.has('timestamp-query')) {
      expect(t.gpuMs).toBeGreaterThan(0);
      expect(t.gpuMs!).toBeLessThanOrEqual(t.wallMs + 1);
    } else {
      expect(t.gpuMs).toBeNull();
    }
  });

  it('runs a named case and reports medians of at least 5 runs and GFLOP/s', async () => {
    const report = await runBench(await gpuBackend(), { filter: 'dense-64x400x120' });
    expect(report.cases.map((c) => c.name)).toEqual(['dense-64x400x120']);
    const [c] = report.cases;
    expect(c.flops).toBe(2 * 64 * 400 * 120);
    expect(c.ours.runs).toBeGreaterThanOrEqual(5);
    expect(c.gflops).toBeGreaterThan(0);
  });

  it('names every case the benchmark issue lists, and the quick set includes its three musts', () => {
    const names = benchCases.map((c) => c.name);
    for (const n of ['matmul-256', 'matmul-512', 'matmul-1024', 'dense-64x400x120', 'dwconv-3x3-s1', 'dwconv-3x3-s2']) expect(names).toContain(n);
    for (const layer of ['conv-lenet1', 'conv-lenet2', 'conv-vgg', 'conv-mobilenet-pw']) {
      for (const pass of ['fwd', 'grad-input', 'grad-filter']) expect(names).toContain(`${layer}-${pass}`);
    }
    for (const n of ['lenet5-train-step-b64', 'cifar-cnn-train-step-b64', 'maxpool-2x2-fwd', 'maxpool-2x2-bwd', 'avgpool-2x2-fwd', 'avgpool-2x2-bwd'])
      expect(names).toContain(n);
    for (const n of ['matmul-512', 'conv-lenet1-fwd', 'lenet5-predict-b1', 'lenet5-train-step-b64']) expect(quickCaseNames.has(n)).toBe(true);
  });

  it('a filter with commas selects the cases matching any of its parts', () => {
    expect(selectCases({ filter: 'matmul-512,dwconv' }).map((c) => c.name)).toEqual(['matmul-512', 'dwconv-3x3-s1', 'dwconv-3x3-s2']);
    expect(selectCases({ quick: true, filter: 'conv-lenet1,lenet5' }).map((c) => c.name)).toEqual(
      ['conv-lenet1-fwd', 'conv-lenet1-grad-input', 'conv-lenet1-grad-filter', 'lenet5-predict-b1', 'lenet5-train-step-b64'].filter((n) =>
        quickCaseNames.has(n),
      ),
    );
  });

  it('times the same case on TF.js (WebGPU and CPU) and jax-js beside ours, and reports how many times faster ours is', async () => {
    const peers = await loadPeers();
    expect(peers.peerErrors).toEqual({});
    const report = await runBench(await gpuBackend(), { filter: 'dense-64x400x120', ...peers });
    expect(report.peers.tfjsWebgpu).toMatch(/^TF\.js 4\.22\.0 webgpu$/);
    const [c] = report.cases;
    for (const key of ['tfjsWebgpu', 'tfjsCpu', 'jax'] as const) {
      const t = c[key]!;
      expect('medianMs' in t ? t.medianMs : t.skipped).toBeGreaterThan(0);
      expect(c.speedup[key]).toBeCloseTo((t as Timing).medianMs / c.ours.medianMs, 6);
    }
  });

  it('a peer that does not cover a case says why instead of a time', async () => {
    const peers = await loadPeers({ jax: true });
    const report = await runBench(await gpuBackend(), { filter: 'maxpool-2x2-fwd', ...peers });
    expect(report.cases[0].jax).toEqual({ skipped: 'jax-js is timed on matmul, conv forward and training steps; not on pool fwd' });
    expect(report.cases[0].speedup.jax).toBeUndefined();
  });

  it("the prediction case times model.predict at batch 1 beside TF.js's LeNet-5, with each first call", async () => {
    const peers = await loadPeers();
    const report = await runBench(await gpuBackend(), { filter: 'lenet5-predict-b1', ...peers });
    const [c] = report.cases;
    expect(c.imagesPerSecond).toBeCloseTo(1 / (c.ours.medianMs / 1000), 6);
    for (const key of ['ours', 'tfjsWebgpu', 'tfjsCpu'] as const) {
      const t = c[key] as Timing;
      expect(t.medianMs, key).toBeGreaterThan(0);
      expect(t.firstMs, key).toBeGreaterThan(0);
    }
    expect(c.jax).toEqual({ skipped: 'jax-js is timed on matmul, conv forward and training steps; not on predict' });
    // ONNX Runtime Web is timed, or (where its WebGPU outputs are wrong) says it failed.
    const ort = c.ortWeb!;
    if ('medianMs' in ort) expect(c.speedup.ortWeb).toBeCloseTo(ort.medianMs / c.ours.medianMs, 6);
    else expect(ort.skipped).toMatch(/^failed: its WebGPU outputs differ/);
  });

  it('ONNX Runtime Web runs the exported model of a prediction case; where its WebGPU outputs are wrong it is not timed, and says so', async () => {
    const { loadOrt, ortSystem } = await import('../tools/bench/ort');
    const { exportOnnx } = await import('../src/io/onnx/onnx_export');
    const { benchData } = await import('../tools/bench/systems');
    const { predictModel } = await import('../tools/bench/cases');
    const ort = await loadOrt();
    const spec = { kind: 'predict', model: 'lenet5', batch: 3 } as const;
    const model = predictModel(spec).build(await gpuBackend(), { seed: 1 });
    const x = benchData([3, ...model.input.shape], 1);
    const ours = await model.predict(x, { batch: 3 });
    const bytes = await exportOnnx(model);
    model.dispose();
    const run = async (ep: string) => {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: [ep] });
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [3, ...model.input.shape]) });
      const values = (await out[session.outputNames[0]].getData()) as Float32Array;
      await session.release();
      return Math.max(...ours.map((v, i) => Math.abs(v - values[i])));
    };
    // Its wasm (CPU) build gives our logits.
    expect(await run('wasm'), 'largest |ours - ONNX Runtime Web wasm| of LeNet-5 logits').toBeLessThan(1e-4);
    // Its WebGPU build must too, or the bench reports it as failed rather than timing wrong work
    // (on SwiftShader its convolutions of 6 input channels are wrong: see the README).
    const webgpu = await run('webgpu');
    const prepared = await ortSystem(ort)
      .prepare(spec)
      .then(
        (p) => {
          p?.dispose();
          return 'timed';
        },
        (e: Error) => e.message,
      );
    if (webgpu < 1e-4) expect(prepared).toBe('timed');
    else expect(prepared).toMatch(/^its WebGPU outputs differ from its own wasm outputs on this adapter \(largest difference [0-9.]+\), so it is not timed$/);
    expect(ortSystem(ort).skipReason!({ kind: 'matmul', m: 2, n: 2, k: 2 })).toBe('ONNX Runtime Web is timed on inference (predict cases) only; not on matmul');
  });

  it('the training-step case runs one whole compiled step and reports images per second', async () => {
    const report = await runBench(await gpuBackend(), { filter: 'lenet5-train-step-b64' });
    const [c] = report.cases;
    expect(c.imagesPerSecond).toBeCloseTo(64 / (c.ours.medianMs / 1000), 6);
  });
});

describe('jax-js training steps (valueAndGrad and the SGD update under one jit)', () => {
  it("LeNet-5's step learns: the loss on a fixed batch falls from step to step", async () => {
    const { loadJax } = await import('../tools/bench/jax');
    const { jaxTrainStep } = await import('../tools/bench/jax_train');
    const jax = await loadJax();
    const step = jaxTrainStep(jax, 'lenet5', 8);
    const losses = [await step.run(), await step.run(), await step.run()];
    step.dispose();
    // Ten classes, He-scaled weights: the first loss is finite and the same batch's loss falls under SGD.
    expect(losses.every(Number.isFinite), `${losses}`).toBe(true);
    expect(losses[2], `${losses}`).toBeLessThan(losses[0]);
  });

  it('resnet20 and mobilenet-v1-cifar in jax-js have our parameter counts and learn a fixed batch', async () => {
    const { loadJax } = await import('../tools/bench/jax');
    const { jaxZooTrainStep } = await import('../tools/bench/jax_zoo');
    const { MODELS, summary } = await import('../src/index');
    const jax = await loadJax();
    for (const model of ['resnet20', 'mobilenet-v1-cifar'] as const) {
      const step = jaxZooTrainStep(jax, model, 4);
      expect({ model, parameters: step.parameterCount() }).toEqual({ model, parameters: summary(MODELS[model]()).totalParams });
      const losses = [await step.run(), await step.run(), await step.run()];
      step.dispose();
      expect(losses.every(Number.isFinite), `${model}: ${losses}`).toBe(true);
      expect(losses[2], `${model}: ${losses}`).toBeLessThan(losses[0]);
    }
  }, 300_000);
});

describe('zoo training steps on TF.js, built layer for layer like ours', () => {
  it('resnet20 and mobilenet-v1-cifar have our parameter counts in TF.js, and one TF.js step gives a finite loss', async () => {
    const { loadTfjs } = await import('../tools/bench/tfjs');
    const { buildZooTrainStep } = await import('../tools/bench/tfjs_zoo');
    const { MODELS, summary } = await import('../src/index');
    const tf = await loadTfjs();
    await tf.setBackend('cpu');
    for (const model of ['resnet20', 'mobilenet-v1-cifar'] as const) {
      const step = buildZooTrainStep(tf, model, 4);
      // Inputs: x, labels, then the variables (weights, batch norm gamma and beta).
      const params = step.inputs.slice(2).reduce((n, t) => n + t.size, 0);
      expect(params, model).toBe(summary(MODELS[model]()).totalParams);
      const loss = step.run();
      expect(Number.isFinite((await loss.data())[0])).toBe(true);
      loss.dispose();
      step.inputs.forEach((t) => t.dispose());
    }
    expect(benchCases.map((c) => c.name)).toEqual(expect.arrayContaining(['resnet20-train-step-b16', 'mobilenet-v1-cifar-train-step-b16']));
  });

  it("TF.js's LeNet-5 of the prediction case has our parameter count and gives 10 logits an image", async () => {
    const { loadTfjs, buildPredict } = await import('../tools/bench/tfjs');
    const { MODELS, summary } = await import('../src/index');
    const tf = await loadTfjs();
    await tf.setBackend('cpu');
    const predict = buildPredict(tf, { kind: 'predict', model: 'lenet5', batch: 2 });
    expect(predict.inputs.slice(1).reduce((n, t) => n + t.size, 0)).toBe(summary(MODELS.lenet5()).totalParams);
    const logits = predict.run();
    expect(logits.shape).toEqual([2, 10]);
    logits.dispose();
    predict.inputs.forEach((t) => t.dispose());
  });

  it("the roofline cases time the adapter's own limits, ours alone, with the work sized on the adapter", async () => {
    const gpu = await gpuBackend();
    const peers = await loadPeers({ tfjs: true, jax: true });
    const report = await runBench(gpu, { filter: 'roofline-', ...peers });
    const f16 = gpu.features.has('shader-f16');
    expect(report.cases.map((c) => c.name)).toEqual(['roofline-fma-f32', ...(f16 ? ['roofline-fma-f16'] : []), 'roofline-copy']);
    if (!f16) expect(report.notRun).toEqual([{ name: 'roofline-fma-f16', reason: "roofline fma-f16: the device has no 'shader-f16'" }]);
    for (const c of report.cases) {
      expect(c.flops, c.name).toBeGreaterThan(0);
      expect(c.gflops, c.name).toBeCloseTo(c.flops / (c.ours.medianMs * 1e6), 6);
      expect(c.tfjsWebgpu).toEqual({ skipped: "the adapter's roofline is measured by ours alone" });
      expect(c.jax).toEqual({ skipped: 'jax-js is timed on matmul, conv forward and training steps; not on roofline' });
    }
  });

  it("the device pack's full bench names the issue's cases at real sizes, and op cases know their least traffic", async () => {
    const { deviceBenchCases, caseBytes } = await import('../tools/device/bench_cases');
    const full = deviceBenchCases('full');
    expect(full.map((c) => c.name)).toEqual([
      'matmul-1024',
      'matmul-2048',
      'matmul-4096',
      ...['conv-vgg', 'conv-resnet50-3x3', 'conv-mobilenet-pw'].flatMap((n) => ['fwd', 'grad-input', 'grad-filter'].map((p) => `${n}-${p}`)),
      'lenet5-train-step-b64',
      'resnet20-train-step-b16',
      'resnet20-train-step-b64',
      'lenet5-predict-b1',
      'lenet5-predict-b64',
      'resnet18-predict-b1',
      'resnet18-predict-b64',
    ]);
    expect(full.find((c) => c.name === 'matmul-4096')!.flops).toBe(2 * 4096 ** 3);
    expect(caseBytes(full[0])).toBe(4 * 3 * 1024 * 1024);
    expect(caseBytes(full.find((c) => c.name === 'resnet20-train-step-b16')!)).toBeUndefined();
    expect(deviceBenchCases('smoke').map((c) => c.name)).toEqual(['matmul-128', 'conv-lenet2-fwd', 'lenet5-predict-b1']);
  });
});
