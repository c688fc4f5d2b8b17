// TensorFlow.js 4.22 as a benchmark peer, on its WebGPU and its CPU backend. Used only
// by the benchmark harness (a dev dependency), loaded on demand. TF.js works in NHWC
// with HWIO filters, so each case is built in TF.js's own layout with the same sizes.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { CaseSpec } from './cases';
import { NETS } from './nets';
import { benchData, type BenchSystem, type PreparedCase, type RunTiming } from './systems';
import { buildZooTrainStep } from './tfjs_zoo';

type Tf = typeof TfCore;
type TfTensor = TfCore.Tensor;
type BackendName = 'webgpu' | 'cpu';

const WARMUP = 2;

/** NCHW -> NHWC sizes. */
const nhwc = (s: readonly number[]) => [s[0], s[2], s[3], s[1]];

/** A layer of the benchmark networks, in TF.js terms. */
/** Builds the case's tensors and its work as a function returning the output tensor. */
function buildOp(tf: Tf, spec: Exclude<CaseSpec, { kind: 'train-step' | 'predict' | 'roofline' }>): { inputs: TfTensor[]; run: () => TfTensor } {
  const input = (shape: number[], seed: number) => tf.tensor(benchData(shape, seed), shape);
  switch (spec.kind) {
    case 'matmul': {
      const inputs = [input([spec.m, spec.k], 1), input([spec.k, spec.n], 2)];
      return { inputs, run: () => tf.matMul(inputs[0] as TfCore.Tensor2D, inputs[1] as TfCore.Tensor2D) };
    }
    case 'conv': {
      const pad = spec.same ? 'same' : 'valid';
      const x = nhwc(spec.x);
      const filterShape = [spec.k, spec.k, spec.x[1], spec.o];
      const out = spec.same ? [x[1], x[2]] : [x[1] - spec.k + 1, x[2] - spec.k + 1];
      const y = [x[0], out[0], out[1], spec.o];
      const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: undefined } as const;
      if (spec.pass === 'fwd') {
        const inputs = [input(x, 1), input(filterShape, 2)];
        return { inputs, run: () => tf.conv2d(inputs[0] as TfCore.Tensor4D, inputs[1] as TfCore.Tensor4D, 1, pad) };
      }
      if (spec.pass === 'grad-input') {
        const inputs = [input(y, 3), input(filterShape, 2)];
        const kernelAttrs = { ...attrs, inputShape: x };
        return { inputs, run: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: inputs[0], filter: inputs[1] }, kernelAttrs as never) as TfTensor };
      }
      const inputs = [input(x, 1), input(y, 3)];
      const kernelAttrs = { ...attrs, filterShape };
      return { inputs, run: () => tf.engine().runKernel('Conv2DBackpropFilter', { x: inputs[0], dy: inputs[1] }, kernelAttrs as never) as TfTensor };
    }
    case 'dwconv': {
      const inputs = [input(nhwc(spec.x), 1), input([spec.k, spec.k, spec.x[1], 1], 2)];
      return { inputs, run: () => tf.depthwiseConv2d(inputs[0] as TfCore.Tensor4D, inputs[1] as TfCore.Tensor4D, spec.stride, 'same') };
    }
    case 'pool': {
      const x = input(nhwc(spec.x), 1);
      const pool = spec.pool === 'max' ? tf.maxPool : tf.avgPool;
      if (spec.pass === 'fwd') return { inputs: [x], run: () => pool(x as TfCore.Tensor4D, spec.k, spec.k, 'valid') };
      const y = pool(x as TfCore.Tensor4D, spec.k, spec.k, 'valid');
      const dy = input(y.shape as number[], 2);
      const attrs = { filterSize: spec.k, strides: spec.k, pad: 'valid' };
      const run =
        spec.pool === 'max'
          ? () => tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs as never) as TfTensor
          : () => tf.engine().runKernel('AvgPoolGrad', { dy, input: x }, attrs as never) as TfTensor;
      return { inputs: [x, y, dy], run };
    }
  }
}

/** A benchmark network's variables (He-scaled, seeded) and its forward pass on a batch of inputs, returning logits. */
function buildNet(tf: Tf, model: keyof typeof NETS, batch: number): { vars: TfCore.Variable[]; x: TfTensor; forward: () => TfTensor } {
  const net = NETS[model];
  const vars: TfCore.Variable[] = [];
  let seed = 10;
  const weight = (shape: number[], fanIn: number) => {
    const v = tf.variable(tf.mul(tf.tensor(benchData(shape, seed++), shape), Math.sqrt(2 / fanIn)));
    vars.push(v);
    return v;
  };
  const params = net.layers.map((l) => {
    if ('conv' in l) return [weight([l.conv[0], l.conv[0], l.conv[1], l.conv[2]], l.conv[0] * l.conv[0] * l.conv[1]), weight([l.conv[2]], 1)];
    if ('dense' in l) return [weight(l.dense, l.dense[0]), weight([l.dense[1]], 1)];
    return [];
  });
  const x = tf.tensor(benchData([batch, ...net.input], 1), [batch, ...net.input]);
  const forward = () => {
    let h: TfTensor = x;
    net.layers.forEach((l, i) => {
      const [w, b] = params[i];
      if ('conv' in l) h = tf.relu(tf.add(tf.conv2d(h as TfCore.Tensor4D, w as TfCore.Tensor4D, 1, l.pad), b));
      else if ('pool' in l) h = tf.maxPool(h as TfCore.Tensor4D, 2, 2, 'valid');
      else if ('flatten' in l) h = tf.reshape(h, [batch, -1]);
      else {
        h = tf.add(tf.matMul(h as TfCore.Tensor2D, w as TfCore.Tensor2D), b);
        if (l.relu) h = tf.relu(h);
      }
    });
    return h;
  };
  return { vars, x, forward };
}

/** One SGD training step of a benchmark network with TF.js ops and optimizer; returns the loss. */
function buildTrainStep(tf: Tf, spec: Extract<CaseSpec, { kind: 'train-step' }>): { inputs: TfTensor[]; run: () => TfTensor } {
  if (spec.model === 'resnet20' || spec.model === 'mobilenet-v1-cifar') return buildZooTrainStep(tf, spec.model, spec.batch);
  const { vars, x, forward } = buildNet(tf, spec.model, spec.batch);
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: spec.batch }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const optimizer = tf.train.sgd(0.01);
  return {
    inputs: [x, labels, ...vars],
    run: () => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, forward()) as TfCore.Scalar, true, vars)!,
  };
}

/** Inference of a benchmark network as an app runs it: the forward pass in tf.tidy, logits returned (read by the harness). */
export function buildPredict(tf: Tf, spec: Extract<CaseSpec, { kind: 'predict' }>): { inputs: TfTensor[]; run: () => TfTensor } {
  if (spec.model !== 'lenet5') throw new Error(`TF.js peer: no ${spec.model} network is built for prediction`);
  const { vars, x, forward } = buildNet(tf, spec.model, spec.batch);
  return { inputs: [x, ...vars], run: () => tf.tidy(forward) };
}

/** TF.js on one backend. Every run first switches the engine to that backend (not timed). */
export function tfjsSystem(tf: Tf, backend: BackendName): BenchSystem {
  const use = async () => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
  };
  return {
    key: backend === 'webgpu' ? 'tfjsWebgpu' : 'tfjsCpu',
    label: `TF.js ${tf.version_core} ${backend}`,
    skipReason: (spec) =>
      spec.kind === 'predict'
        ? `TF.js is timed on LeNet-5's prediction only; ${spec.model} is not built in TF.js here`
        : spec.kind === 'roofline'
          ? "the adapter's roofline is measured by ours alone"
          : 'not covered',
    async prepare(spec) {
      if ((spec.kind === 'predict' && spec.model !== 'lenet5') || spec.kind === 'roofline') return null;
      await use();
      const built = spec.kind === 'train-step' ? buildTrainStep(tf, spec) : spec.kind === 'predict' ? buildPredict(tf, spec) : buildOp(tf, spec);
      const prepared: PreparedCase & { gpuTime(): Promise<number | null> } = {
        async run(): Promise<RunTiming> {
          await use();
          const start = performance.now();
          const out = built.run();
          // Done means the result is on the host (the loss, for a training step), as for ours.
          await out.data();
          const wallMs = performance.now() - start;
          out.dispose();
          return { wallMs, gpuMs: null };
        },
        /** GPU time of one run from TF.js's own timestamp queries (tf.time's kernelMs). */
        async gpuTime() {
          if (backend !== 'webgpu') return null;
          await use();
          let out: TfTensor | null = null;
          const info = await tf.time(() => {
            out = built.run();
          });
          out!.dispose();
          return typeof info.kernelMs === 'number' && info.kernelMs > 0 ? info.kernelMs : null;
        },
        dispose: () => built.inputs.forEach((t) => t.dispose()),
      };
      prepared.firstMs = (await prepared.run()).wallMs;
      for (let i = 1; i < WARMUP; i++) await prepared.run();
      return prepared;
    },
  };
}

/** Loads TF.js core with both backends and initialises each; throws with the reason if one cannot start. */
export async function loadTfjs(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs-core');
  // Gradients live apart from tfjs-core's index (the @tensorflow/tfjs bundle imports them).
  await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  await import('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs-backend-webgpu');
  for (const b of ['cpu', 'webgpu']) {
    if (!(await tf.setBackend(b))) throw new Error(`TF.js could not start its ${b} backend`);
  }
  return tf;
}
