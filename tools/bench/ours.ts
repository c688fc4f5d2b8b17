import type { WebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';
import { compileTrainStep } from '../../src/training/compile';
import { Optimizer } from '../../src/training/optimizers';
import { MODELS } from '../../src/nn/zoo';
import { conv2d, conv2dAttrs, conv2dGradFilter, conv2dGradInput } from '../../src/ops/conv2d';
import { depthwiseConv2d } from '../../src/ops/depthwise_conv2d';
import { matmul } from '../../src/ops/matmul';
import { runOp } from '../../src/ops/op';
import { avgpool2d, avgpool2dGradOp, maxpool2d, maxpool2dGradOp, pool2dAttrs } from '../../src/ops/pool2d';
import type { Shape } from '../../src/shape';
import { tensor, type Tensor } from '../../src/tensor';
import { predictModel, type CaseSpec } from './cases';
import { rooflineRun, rooflineUnsupported } from './roofline';
import { benchData, type BenchSystem, type PreparedCase } from './systems';

const WARMUP = 2;

/**
 * Our op cases: wall time from enqueue until the output is on the host, one submit and
 * one readback, as every peer is timed; GPU time from timestamp queries in runs of its
 * own (resolving and reading the queries is a second round trip, which the wall time of
 * a peer's run does not carry either).
 */
function opCase(gpu: WebGPUBackend, spec: Exclude<CaseSpec, { kind: 'train-step' | 'predict' | 'roofline' }>): PreparedCase {
  const input = (shape: Shape, seed: number) => tensor(gpu, benchData(shape, seed), shape);
  let inputs: Tensor[];
  let run: () => Tensor;
  switch (spec.kind) {
    case 'matmul':
      inputs = [input([spec.m, spec.k], 1), input([spec.k, spec.n], 2)];
      run = () => matmul(inputs[0], inputs[1]);
      break;
    case 'conv': {
      const filter = [spec.o, spec.x[1], spec.k, spec.k];
      const padding = spec.same ? 'same' : 'valid';
      const attrs = conv2dAttrs(spec.x, filter, { padding });
      const y = [spec.x[0], spec.o, spec.same ? spec.x[2] : spec.x[2] - spec.k + 1, spec.same ? spec.x[3] : spec.x[3] - spec.k + 1];
      if (spec.pass === 'fwd') {
        inputs = [input(spec.x, 1), input(filter, 2)];
        run = () => conv2d(inputs[0], inputs[1], { padding });
      } else if (spec.pass === 'grad-input') {
        inputs = [input(y, 3), input(filter, 2)];
        run = () => conv2dGradInput(inputs[0], inputs[1], spec.x, attrs);
      } else {
        inputs = [input(spec.x, 1), input(y, 3)];
        run = () => conv2dGradFilter(inputs[0], inputs[1], filter, attrs);
      }
      break;
    }
    case 'dwconv':
      inputs = [input(spec.x, 1), input([spec.x[1], 1, spec.k, spec.k], 2)];
      run = () => depthwiseConv2d(inputs[0], inputs[1], { stride: spec.stride, padding: 'same' });
      break;
    case 'pool': {
      const attrs = pool2dAttrs(spec.x, spec.k);
      const y = [spec.x[0], spec.x[1], spec.x[2] / spec.k, spec.x[3] / spec.k];
      inputs = [input(spec.x, 1), input(y, 2)];
      if (spec.pass === 'fwd') run = () => (spec.pool === 'max' ? maxpool2d : avgpool2d)(inputs[0], spec.k);
      else if (spec.pool === 'max') run = () => runOp(maxpool2dGradOp, [inputs[0], inputs[1]], attrs);
      else run = () => runOp(avgpool2dGradOp, [inputs[1]], { ...attrs, inputShape: spec.x });
      break;
    }
  }
  return {
    async run() {
      const start = performance.now();
      const out = run();
      await out.read();
      const wallMs = performance.now() - start;
      out.dispose();
      return { wallMs, gpuMs: null };
    },
    async gpuTime() {
      let out: Tensor | null = null;
      const t = await gpu.time(() => {
        out = run();
      });
      out!.dispose();
      return t.gpuMs;
    },
    dispose: () => inputs.forEach((t) => t.dispose()),
  };
}

/**
 * One whole training step (forward, loss, backward, SGD) as our trainer runs it: one
 * replayed command buffer, one submit, the loss read back. Wall time only.
 */
function trainStepCase(gpu: WebGPUBackend, spec: Extract<CaseSpec, { kind: 'train-step' }>): PreparedCase {
  const model = MODELS[spec.model]().build(gpu, { seed: 1 });
  const optimizer = new Optimizer({ kind: 'sgd', lr: 0.01 });
  const step = compileTrainStep(model, optimizer, spec.batch);
  const [c, h, w] = model.input.shape;
  const tuned = step.program.autotune();
  const x = benchData([spec.batch, c, h, w], 1);
  const labels = Float32Array.from({ length: spec.batch }, (_, i) => i % 10);
  return {
    async run() {
      await tuned;
      const start = performance.now();
      await step.program.run({ x, labels, step: Float32Array.of(optimizer.steps), hyper: optimizer.hyper() }, [step.loss]);
      return { wallMs: performance.now() - start, gpuMs: null };
    },
    dispose() {
      step.program.dispose();
      model.dispose();
    },
  };
}

/** model.predict as an app calls it: a built model, images in, outputs on the host (one submit, one readback). */
function predictCase(gpu: WebGPUBackend, spec: Extract<CaseSpec, { kind: 'predict' }>): PreparedCase {
  const model = predictModel(spec).build(gpu, { seed: 1 });
  const x = benchData([spec.batch, ...model.input.shape], 1);
  return {
    async run() {
      const start = performance.now();
      await model.predict(x, { batch: spec.batch });
      return { wallMs: performance.now() - start, gpuMs: null };
    },
    dispose: () => model.dispose(),
  };
}

/** A roofline measurement (roofline.ts) grown on our device to about 50 ms a run: its flops (or bytes) are the case's. */
async function rooflineCase(gpu: WebGPUBackend, spec: Extract<CaseSpec, { kind: 'roofline' }>): Promise<PreparedCase> {
  const r = await rooflineRun(gpu.device, spec.what, { targetMs: 50 });
  return {
    flops: r.work,
    run: async () => ({ wallMs: await r.run(), gpuMs: null }),
    dispose: () => r.dispose(),
  };
}

export function oursSystem(gpu: WebGPUBackend): BenchSystem {
  return {
    key: 'ours',
    label: 'ours',
    skipReason: (spec) => (spec.kind === 'roofline' ? `roofline ${spec.what}: ${rooflineUnsupported(gpu.device, spec.what)}` : 'not covered'),
    async prepare(spec) {
      if (spec.kind === 'roofline') {
        if (rooflineUnsupported(gpu.device, spec.what)) return null;
        const prepared = await rooflineCase(gpu, spec);
        prepared.firstMs = (await prepared.run()).wallMs;
        return prepared;
      }
      const prepared = spec.kind === 'train-step' ? trainStepCase(gpu, spec) : spec.kind === 'predict' ? predictCase(gpu, spec) : opCase(gpu, spec);
      // The first run meets the case's shape classes; tuning picks their variants (when on) before the warm-up.
      prepared.firstMs = (await prepared.run()).wallMs;
      await gpu.autotune();
      for (let i = 0; i < WARMUP; i++) await prepared.run();
      return prepared;
    },
  };
}
