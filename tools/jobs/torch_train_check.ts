// The engine's half of `npm run check:torch -- --train`: a zoo network trained for 30
// steps here and in PyTorch (scripts/torch_train_check.py) from the same weights, moved by
// state dict, on the same batches of real Fashion-MNIST, with SGD (momentum 0.9) and Adam;
// every step's loss and every weight and running statistic after every step compared.
//
// prepareTrainCheck writes what PyTorch needs (the network as ONNX, which
// scripts/torch_onnx_net.py turns into torch.nn modules named as our layers, its initial
// state dict, the batches); compareTrainCheck trains ours with the trainer's own compiled
// step (compileTrainStep: one submit per step) and compares after each step.
import type { Backend } from '../../src/backends/backend';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { meanStd, normalize } from '../../src/data/dataset';
import { fetchIdxSplit } from '../../src/data/fashion_mnist';
import { exportOnnx } from '../../src/io/onnx/onnx_export';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors';
import { exportStateDict, loadStateDict } from '../../src/io/state_dict';
import { torchStateDictLayout } from '../../src/io/torch_layout';
import type { Model } from '../../src/nn/model';
import { Dropout } from '../../src/nn/norm_layers';
import { MODELS } from '../../src/nn/zoo';
import { relativeError, transposeMatrix } from '../../src/numerics';
import { compileTrainStep } from '../../src/training/compile';
import { Optimizer, type OptimizerConfig } from '../../src/training/optimizers';
import { stepGradients } from '../../src/training/step_gradients';

/** The networks the check trains: one of each family of the zoo that trains here. */
export const TRAIN_CHECK_MODELS = ['lenet5', 'resnet20', 'mobilenet-v1-cifar', 'densenet-bc', 'googlenet-mini', 'alexnet-mini'] as const;

export type TrainCheckOptimizer = { kind: 'sgd' | 'adam'; lr: number };

/** SGD with momentum 0.9 at 0.01 and Adam at 1e-3 (PyTorch's defaults otherwise: betas 0.9, 0.999, eps 1e-8). */
export const TRAIN_CHECK_OPTIMIZERS: readonly TrainCheckOptimizer[] = [
  { kind: 'sgd', lr: 0.01 },
  { kind: 'adam', lr: 1e-3 },
];

/**
 * The pass rule: the loss within LOSS_EARLY (relative) for the first EARLY_STEPS steps and
 * LOSS_LATE after; every tensor within TENSOR of its largest value. FLOAT64_STEP: the first
 * step's loss and gradients of the CPU reference in float64 against PyTorch's float64 (what
 * the rule with float32's spread also asks; both sides' figures are read as float32, and
 * batch norm's eps is a float32 constant here, 2.5e-8 off 1e-5).
 */
export const TRAIN_CHECK_TOLERANCE = { earlySteps: 10, lossEarly: 1e-4, lossLate: 1e-3, tensor: 1e-3, float64Step: 1e-6 } as const;

/** The optimizer config of ours that PyTorch's torch.optim.SGD(momentum=0.9) or Adam(defaults) is. */
export function optimizerConfig(o: TrainCheckOptimizer): OptimizerConfig {
  return o.kind === 'sgd' ? { kind: 'sgd', lr: o.lr, momentum: 0.9 } : { kind: 'adam', lr: o.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
}

/**
 * The zoo network `key` with its dropout rates set to 0: the check compares one
 * function on both sides (PyTorch's side has no dropout: the ONNX form leaves it out).
 */
export function checkModel(key: string): Model {
  const make = MODELS[key];
  if (!make) throw new Error(`check:torch --train: no zoo model '${key}'`);
  const model = make();
  for (const layer of model.layers) {
    if (layer instanceof Dropout) Object.assign(layer, { options: { ...layer.options, rate: 0 } });
  }
  return model;
}

/**
 * The first `count` training images of Fashion-MNIST, normalised as `npm run train`
 * normalises them (the training split's mean and standard deviation), in order.
 */
export async function fashionMnistBatches(datasetsUrl: string, count: number): Promise<{ x: Float32Array; labels: Float32Array; shape: number[] }> {
  const train = await fetchIdxSplit(`${datasetsUrl}/fashion-mnist`, 'train');
  const { mean, std } = meanStd(train.images);
  const per = train.shape.reduce((a, b) => a * b, 1);
  const x = normalize(train.images.slice(0, count * per), mean, std);
  return { x, labels: Float32Array.from(train.labels.subarray(0, count)), shape: [count, ...train.shape] };
}

/** What PyTorch's half reads: the network (ONNX), its initial state dict, the batches. */
export async function prepareTrainCheck(
  key: string,
  backend: Backend,
  data: { x: Float32Array; labels: Float32Array; shape: number[] },
  seed = 1,
): Promise<{ onnx: Uint8Array; state: Uint8Array; batches: Uint8Array; parameters: number }> {
  const model = checkModel(key).build(backend, { seed });
  try {
    const batches = serializeSafetensors([
      { name: 'x', shape: data.shape, data: data.x },
      { name: 'labels', shape: [data.labels.length], data: data.labels },
    ]);
    return { onnx: await exportOnnx(model), state: await exportStateDict(model), batches, parameters: model.countParams() };
  } finally {
    model.dispose();
  }
}

/** The figures of one network and optimizer. Tensor errors are relative to the tensor's largest value in PyTorch's run. */
export interface TrajectoryFigures {
  model: string;
  optimizer: string;
  lr: number;
  steps: number;
  /** The worst relative loss error over the first `earlySteps` steps, and over all. */
  lossEarly: number;
  lossAll: number;
  /** The worst weight error and the worst running-statistic error after the last step, and the tensors they are on. */
  weights: number;
  weightsOn: string;
  runningStats: number;
  runningStatsOn: string;
  /** The worst tensor error after the first step (the floating-point noise one step makes). */
  firstStep: number;
  /** The first step whose loss is out of bounds, and the first step at which a tensor is over the tolerance (the worst tensor then). */
  lossDrift: { step: number; error: number } | null;
  tensorDrift: { step: number; tensor: string; error: number; count: number } | null;
  /**
   * Each step restarted from PyTorch's state before it (weights, running statistics and
   * optimizer state after the step before), against PyTorch's same step in float64 from
   * that state: the worst loss error and the worst tensor error after one step over all
   * steps, and where. One step's float32 error, with nothing carried from the steps before.
   */
  resync: {
    loss: number;
    tensor: number;
    tensorOn: string;
    step: number;
    /**
     * The worst of these errors over what is allowed: 1e-4 for the loss and 1e-3 for a
     * tensor, or 4x PyTorch's own one-step float32 error on it (the step run in float64
     * from the same state) where that is larger; pass: at most 1.
     */
    ratio: number;
    ratioOn: string;
    pass: boolean;
  };
  /** PyTorch's own float32 run against the same run in float64: the same figures (what float32 alone does to this trajectory). */
  torchFloat64: {
    lossEarly: number;
    lossAll: number;
    weights: number;
    weightsOn: string;
    runningStats: number;
    runningStatsOn: string;
    firstStep: number;
    lossDrift: TrajectoryFigures['lossDrift'];
    tensorDrift: TrajectoryFigures['tensorDrift'];
  } | null;
  /**
   * The rule with float32's own spread: ours against PyTorch's float64 run, where a figure
   * passes within the bound or within 4x the spread of PyTorch's float32 runs (on
   * one thread, on two, with its first weight one unit in the last place up, with oneDNN
   * off, in the channels-last layout, and three from the initial weights moved at random by
   * a unit in the last place) from it. Every loss is held to 4x the largest spread of any
   * step's loss: where float32 makes the trajectory chaotic (a ReLU input within float32's
   * rounding of zero, taken one way by one run and the other by another), the runs part at
   * steps that are chance, so the rule holds how far ours parts, not when. The tensors are
   * held after the last step, each to its own spread. Pass also needs `float64Step`.
   * `loss` and `tensors`: the worst error over what is allowed (pass: at most 1); `drift`:
   * the first step with a tensor beyond its own step's spread (shown, not judged).
   */
  withSpread: {
    loss: number;
    lossStep: number;
    tensors: number;
    tensorsOn: string;
    drift: { step: number; tensor: string; error: number; allowed: number } | null;
    pass: boolean;
  } | null;
  /**
   * The first step in float64 on both sides: the CPU reference with precision 'float64'
   * against PyTorch's float64 step from the same weights on the same batch: the loss's
   * relative error and the worst gradient's error relative to its largest value. With
   * float32 out of the way this is the arithmetic of every forward and gradient rule; the
   * rule with float32's spread passes only when it is within TRAIN_CHECK_TOLERANCE.float64Step.
   */
  float64Step: { loss: number; gradients: number; gradientsOn: string; pass: boolean } | null;
  /** Weights PyTorch's graph does not reach (GoogLeNet's auxiliary heads): not compared. */
  unreached: string[];
  losses: { ours: number[]; torch: number[] };
  pass: boolean;
  seconds: number;
}

/**
 * Trains the network from `state` on `batches` with each optimizer, ours against PyTorch's
 * trajectory (`torch.get(kind)`: torch.<kind>.safetensors), step by step.
 */
export async function compareTrainCheck(
  key: string,
  backend: Backend,
  files: { state: Uint8Array; batches: Uint8Array; torch: ReadonlyMap<string, Uint8Array> },
  optimizers: readonly TrainCheckOptimizer[],
  options: { steps: number; batch: number; variant?: string },
): Promise<TrajectoryFigures[]> {
  const batches = new Map(parseSafetensors(files.batches, 'batches.safetensors').tensors.map((t) => [t.name, t]));
  const x = batches.get('x')!;
  const labels = batches.get('labels')!.data;
  const first = files.torch.values().next().value;
  const float64Step = first ? await float64FirstStep(key, files.state, x.data, labels, options.batch, first) : null;
  const model = checkModel(key).build(backend, { seed: 1 });
  const out: TrajectoryFigures[] = [];
  try {
    for (const o of optimizers) {
      const bytes = files.torch.get(o.kind);
      if (!bytes) throw new Error(`check:torch --train: no PyTorch trajectory for ${o.kind}`);
      const f = await trajectory(key, model, files.state, x.data, labels, bytes, o, options);
      f.float64Step = float64Step;
      if (f.withSpread) f.withSpread.pass &&= float64Step?.pass === true;
      out.push(f);
    }
  } finally {
    model.dispose();
  }
  return out;
}

/**
 * The first step on the CPU reference in float64 (every value kept in double) against
 * PyTorch's float64 step (`grad64.*` of its file), from the same weights on the first
 * batch: null where the file has no float64 step.
 */
async function float64FirstStep(
  key: string,
  state: Uint8Array,
  x: Float32Array,
  labels: Float32Array,
  batch: number,
  torchBytes: Uint8Array,
): Promise<TrajectoryFigures['float64Step']> {
  const torch = new Map(parseSafetensors(torchBytes, 'torch trajectory').tensors.map((t) => [t.name, t.data]));
  const loss64 = torch.get('grad64.loss');
  if (!loss64) return null;
  const model = checkModel(key).build(new CpuBackend({ precision: 'float64' }), { seed: 1 });
  try {
    loadStateDict(model, state, { file: 'state.safetensors' });
    const per = x.length / labels.length;
    const step = await stepGradients(model, x.subarray(0, batch * per), labels.subarray(0, batch));
    const out = { loss: Math.abs(step.loss - loss64[0]) / Math.abs(loss64[0]), gradients: 0, gradientsOn: '', pass: false };
    for (const t of torchStateDictLayout(model)) {
      const want = torch.get(`grad64.${t.torch}`);
      const got = t.ours === null ? undefined : step.gradients.get(t.ours);
      if (!want || !got) continue;
      const p = model.params().find((q) => q.name === t.ours)!;
      const error = relativeError(t.transposed ? transposeMatrix(got, p.spec.shape[0], p.spec.shape[1]) : got, want);
      if (error > out.gradients) [out.gradients, out.gradientsOn] = [error, t.torch];
    }
    out.pass = out.loss <= TRAIN_CHECK_TOLERANCE.float64Step && out.gradients <= TRAIN_CHECK_TOLERANCE.float64Step;
    return out;
  } finally {
    model.dispose();
  }
}

async function trajectory(
  key: string,
  model: Model,
  state: Uint8Array,
  x: Float32Array,
  labels: Float32Array,
  torchBytes: Uint8Array,
  o: TrainCheckOptimizer,
  options: { steps: number; batch: number; variant?: string },
): Promise<TrajectoryFigures> {
  const { steps, batch } = options;
  const start = performance.now();
  const file = `torch.${o.kind}.safetensors`;
  const parsed = parseSafetensors(torchBytes, file);
  const torch = new Map(parsed.tensors.map((t) => [t.name, t.data]));
  const torchLoss = torch.get('loss');
  if (!torchLoss || torchLoss.length < steps) throw new Error(`${file}: no loss for each of ${steps} steps`);
  const torchFloat64 = parsed.metadata.float64 ? (JSON.parse(parsed.metadata.float64) as TrajectoryFigures['torchFloat64'] & { losses64?: number[] }) : null;
  if (torchFloat64) delete torchFloat64.losses64;
  loadStateDict(model, state, { file: 'state.safetensors' });
  const optimizer = new Optimizer(optimizerConfig(o));
  // --variant: one kernel variant forced wherever its family offers it (the tuner's withVariant).
  const tuner = options.variant ? (model.backend.tuner as { withVariant?<T>(name: string, fn: () => T): T } | undefined) : undefined;
  if (options.variant && !tuner?.withVariant)
    throw new Error(`check:torch --train: --variant ${options.variant} needs WebGPU (the CPU reference has no variants)`);
  const forced = <T>(fn: () => T): T => (tuner?.withVariant ? tuner.withVariant(options.variant!, fn) : fn());
  const step = forced(() => compileTrainStep(model, optimizer, batch));
  const per = x.length / labels.length;
  const params = new Map(model.params().map((p) => [p.name, p]));
  const compared = torchStateDictLayout(model).filter((t) => t.ours !== null && torch.has(`step.1.${t.torch}`));
  const unreached = torchStateDictLayout(model)
    .filter((t) => t.ours !== null && !torch.has(`step.1.${t.torch}`))
    .map((t) => t.torch);
  const isStat = (name: string) => name.endsWith('running_mean') || name.endsWith('running_var');
  const tol = TRAIN_CHECK_TOLERANCE;
  const ours: number[] = [];
  let lossEarly = 0;
  let lossAll = 0;
  let lossDrift: TrajectoryFigures['lossDrift'] = null;
  let tensorDrift: TrajectoryFigures['tensorDrift'] = null;
  let firstStep = 0;
  const resync = { loss: 0, tensor: 0, tensorOn: '', step: 0, ratio: 0, ratioOn: '', pass: false };
  const oneStepLoss = torch.get('onestep.loss');
  const oneStep = (k: number, key: string) => torch.get(`onestep.${k}.${key}`)?.[0] ?? 0;
  // The rules with float32's spread compare ours with PyTorch's float64 runs.
  const spreadLoss = torch.get('spread.loss');
  const loss64 = torch.get('loss64');
  const oneStepLoss64 = torch.get('onestep64.loss');
  const spreadOf = (k: number, key: string) => torch.get(`spread.${k}.${key}`)?.[0] ?? 0;
  // The largest spread of any step's loss (the rule holds how far a chaotic run parts, not when).
  const spreadLossMax = spreadLoss ? Math.max(...spreadLoss.subarray(0, steps)) : 0;
  const withSpread: NonNullable<TrajectoryFigures['withSpread']> = { loss: 0, lossStep: 0, tensors: 0, tensorsOn: '', drift: null, pass: false };
  const last = { weights: 0, weightsOn: '', runningStats: 0, runningStatsOn: '' };
  try {
    for (let k = 0; k < steps; k++) {
      const feeds = {
        x: x.subarray(k * batch * per, (k + 1) * batch * per),
        labels: labels.subarray(k * batch, (k + 1) * batch),
        step: Float32Array.of(optimizer.steps),
        hyper: optimizer.hyper(),
      };
      const [loss] = await forced(() => step.program.run(feeds, [step.loss]));
      optimizer.steps++;
      ours.push(loss[0]);
      const lossError = Math.abs(loss[0] - torchLoss[k]) / Math.abs(torchLoss[k]);
      lossAll = Math.max(lossAll, lossError);
      if (k < tol.earlySteps) lossEarly = Math.max(lossEarly, lossError);
      const lossBound = k < tol.earlySteps ? tol.lossEarly : tol.lossLate;
      if (!lossDrift && lossError > lossBound) lossDrift = { step: k + 1, error: lossError };
      if (spreadLoss && loss64) {
        const ratio = Math.abs(loss[0] - loss64[k]) / Math.abs(loss64[k]) / Math.max(lossBound, 4 * spreadLossMax);
        if (ratio > withSpread.loss) [withSpread.loss, withSpread.lossStep] = [ratio, k + 1];
      }
      // Every weight and running statistic after this step.
      let worst = { error: 0, tensor: '', count: 0 };
      const final = k === steps - 1;
      for (const t of compared) {
        const p = params.get(t.ours!)!;
        const raw = await p.tensor.read();
        const got = t.transposed ? transposeMatrix(raw, p.spec.shape[0], p.spec.shape[1]) : raw;
        const error = relativeError(got, torch.get(`step.${k + 1}.${t.torch}`)!);
        if (error > tol.tensor) worst.count++;
        if (error > worst.error) worst = { ...worst, error, tensor: t.torch };
        const want64 = torch.get(`step64.${k + 1}.${t.torch}`);
        if (spreadLoss && want64) {
          const error64 = relativeError(got, want64);
          const allowed = Math.max(tol.tensor, 4 * spreadOf(k + 1, t.torch));
          if (!withSpread.drift && error64 > allowed) withSpread.drift = { step: k + 1, tensor: t.torch, error: error64, allowed };
          if (final && error64 / allowed > withSpread.tensors) [withSpread.tensors, withSpread.tensorsOn] = [error64 / allowed, t.torch];
        }
        if (final) {
          if (isStat(t.torch) && error > last.runningStats) [last.runningStats, last.runningStatsOn] = [error, t.torch];
          if (!isStat(t.torch) && error > last.weights) [last.weights, last.weightsOn] = [error, t.torch];
        }
      }
      if (k === 0) firstStep = worst.error;
      if (!tensorDrift && worst.error > tol.tensor) tensorDrift = { step: k + 1, ...worst };
    }
    // Each step again, from PyTorch's state before it.
    const stateOf = new Map(optimizer.namedState());
    const layout = new Map(compared.map((t) => [t.ours!, t]));
    const put = (torchKey: string, shape: readonly number[], transposed: boolean, t: { write(v: ArrayLike<number>): void }) => {
      const v = torch.get(torchKey);
      if (!v) throw new Error(`${file}: no '${torchKey}'`);
      t.write(transposed ? transposeMatrix(v, shape[0], shape[1]) : v); // PyTorch's [out, in] to ours
    };
    for (let k = 0; k < steps; k++) {
      if (k === 0) {
        loadStateDict(model, state, { file: 'state.safetensors' });
        for (const t of stateOf.values()) t.write(new Float32Array(t.size));
      } else {
        for (const t of compared) {
          const p = params.get(t.ours!)!;
          put(`step.${k}.${t.torch}`, t.shape, t.transposed, p.tensor);
        }
        for (const [name, t] of stateOf) {
          const dot = name.lastIndexOf('.');
          const l = layout.get(name.slice(0, dot));
          if (l) put(`opt.${k}.${l.torch}.${name.slice(dot + 1)}`, l.shape, l.transposed, t);
        }
      }
      optimizer.steps = k;
      const [loss] = await forced(() =>
        step.program.run(
          {
            x: x.subarray(k * batch * per, (k + 1) * batch * per),
            labels: labels.subarray(k * batch, (k + 1) * batch),
            step: Float32Array.of(optimizer.steps),
            hyper: optimizer.hyper(),
          },
          [step.loss],
        ),
      );
      // Against PyTorch's same step in float64, from the same state.
      const want = oneStepLoss64?.[k] ?? torchLoss[k];
      const lossError = Math.abs(loss[0] - want) / Math.abs(want);
      resync.loss = Math.max(resync.loss, lossError);
      const lossRatio = lossError / Math.max(tol.lossEarly, 4 * (oneStepLoss?.[k] ?? 0));
      if (lossRatio > resync.ratio) Object.assign(resync, { ratio: lossRatio, ratioOn: `loss at step ${k + 1}` });
      for (const t of compared) {
        const p = params.get(t.ours!)!;
        const got = await p.tensor.read();
        const want64 = torch.get(`onestep64.${k + 1}.${t.torch}`) ?? torch.get(`step.${k + 1}.${t.torch}`)!;
        const error = relativeError(t.transposed ? transposeMatrix(got, p.spec.shape[0], p.spec.shape[1]) : got, want64);
        if (error > resync.tensor) Object.assign(resync, { tensor: error, tensorOn: t.torch, step: k + 1 });
        const ratio = error / Math.max(tol.tensor, 4 * oneStep(k + 1, t.torch));
        if (ratio > resync.ratio) Object.assign(resync, { ratio, ratioOn: `${t.torch} at step ${k + 1}` });
      }
    }
  } finally {
    step.program.dispose();
    optimizer.dispose();
  }
  return {
    model: key,
    optimizer: o.kind,
    lr: o.lr,
    steps,
    lossEarly,
    lossAll,
    ...last,
    firstStep,
    lossDrift,
    tensorDrift,
    resync: { ...resync, pass: resync.ratio <= 1 },
    torchFloat64,
    withSpread: spreadLoss ? { ...withSpread, pass: withSpread.loss <= 1 && withSpread.tensors <= 1 } : null,
    float64Step: null,
    unreached,
    losses: { ours, torch: Array.from(torchLoss.subarray(0, steps)) },
    pass: lossEarly <= tol.lossEarly && lossAll <= tol.lossLate && last.weights <= tol.tensor && last.runningStats <= tol.tensor,
    seconds: (performance.now() - start) / 1000,
  };
}
