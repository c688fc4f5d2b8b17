// The engine's half of `npm run check:torch` (scripts/check_torch.mjs runs it in Node on
// the CPU reference): a zoo model takes a torchvision model's weights by state dict and
// by ONNX, and its logits, loss, gradients and running statistics of one training step
// are compared against PyTorch's float64 figures (scripts/check_torch.py). A segmentation
// model ([classes, H, W] logits: fcn-resnet50) is compared on its eval-mode logits only:
// the one-step comparison (stepGradients) takes [batch, classes] logits.
import type { Backend } from '../../src/backends/backend';
import { exportOnnx } from '../../src/io/onnx/onnx_export';
import { importOnnx } from '../../src/io/onnx/onnx_import';
import { parseSafetensors } from '../../src/io/safetensors';
import { loadStateDict } from '../../src/io/state_dict';
import { torchStateDictLayout } from '../../src/io/torch_layout';
import type { Model } from '../../src/nn/model';
import { stepGradients } from '../../src/training/step_gradients';
import { MODELS } from '../../src/nn/zoo';
import { relativeError, transposeMatrix } from '../../src/numerics';
import { Random } from '../../src/random';
import { sizeOf } from '../../src/shape';

/** The figures of one model: each error relative to the largest value of its tensor. */
export interface TorchCheck {
  model: string;
  parameters: number;
  batch: number;
  /** Eval-mode logits, weights moved by state dict. */
  logitsStateDict: number;
  /** Eval-mode logits, weights moved by ONNX (PyTorch's export, batch norm folded into the convolutions). */
  logitsOnnx: number;
  /** Our exportOnnx of the model run by ONNX Runtime, against our own logits (when a runner is given). */
  exportOrt?: number;
  /** Training-mode logits and the loss (the figures from here to runningStats are absent for a segmentation model: logits only). */
  logitsTrain?: number;
  loss?: number;
  /** The largest gradient error over all weights, and the weight it is on. */
  gradientMax?: number;
  gradientMaxOn?: string;
  /** Weights whose gradient error is over 1e-4, and of those, how many are over 4x PyTorch's own float32 error. */
  gradientsOver1e4?: number;
  gradientsOverTolerance?: number;
  /** Those weights, with their error and PyTorch's own float32 error. */
  overTolerance?: { name: string; error: number; torchFloat32: number }[];
  gradients?: number;
  /** The largest running-statistic error after the step. */
  runningStats?: number;
  seconds: number;
}

/**
 * Our gradients (by our parameter names, in our layout) against a reference's by PyTorch
 * key (`reference(key)`, PyTorch's layout): the relative error of every weight, keyed by
 * the PyTorch key. Throws naming the key the reference lacks.
 */
export function torchGradientErrors(
  model: Model,
  ours: ReadonlyMap<string, Float32Array>,
  reference: (torchKey: string) => ArrayLike<number> | undefined,
): Map<string, number> {
  const errors = new Map<string, number>();
  for (const t of torchStateDictLayout(model)) {
    const got = t.ours === null ? undefined : ours.get(t.ours);
    if (!got) continue;
    const want = reference(t.torch);
    if (!want) throw new Error(`no reference gradient for ${t.torch}`);
    errors.set(t.torch, relativeError(t.transposed ? transposeMatrix(got, t.shape[1], t.shape[0]) : got, want));
  }
  return errors;
}

/** Our logits against ONNX Runtime's on our export, for a zoo model torchvision lacks (random weights, batch of `batch`). */
export async function checkExportOnly(
  key: string,
  backend: Backend,
  runOnnx: OnnxRunner,
  batch = 2,
): Promise<{ model: string; parameters: number; batch: number; exportOrt: number; seconds: number }> {
  const start = performance.now();
  const make = MODELS[key];
  if (!make) throw new Error(`check:torch: no zoo model '${key}'`);
  const model = make().build(backend, { seed: 1 });
  const shape = [batch, ...model.input.shape];
  const data = new Random(7).uniformArray(batch * sizeOf(model.input.shape));
  const ours = await model.predict(data);
  const exportOrt = relativeError(await runOnnx(await exportOnnx(model), data, shape), ours);
  const parameters = model.countParams();
  model.dispose();
  return { model: key, parameters, batch, exportOrt, seconds: (performance.now() - start) / 1000 };
}

/** Runs ONNX bytes on input x of shape `shape` in ONNX Runtime (onnxruntime-node, or -web in a page). */
export type OnnxRunner = (bytes: Uint8Array, x: Float32Array, shape: readonly number[]) => Promise<Float32Array>;

/**
 * Compares one model; `files` holds state.safetensors, expected.safetensors and
 * model.onnx. With `runOnnx`, also runs our exportOnnx of the model in ONNX Runtime.
 */
export async function checkAgainstTorch(
  key: string,
  files: { state: Uint8Array; expected: Uint8Array; onnx: Uint8Array },
  backend: Backend,
  runOnnx?: OnnxRunner,
): Promise<TorchCheck> {
  const start = performance.now();
  const make = MODELS[key];
  if (!make) throw new Error(`check:torch: no zoo model '${key}'`);
  const expected = new Map(parseSafetensors(files.expected, 'expected.safetensors').tensors.map((t) => [t.name, t]));
  const want = (name: string) => {
    const t = expected.get(name);
    if (!t) throw new Error(`check:torch: expected.safetensors has no '${name}'`);
    return t;
  };
  const x = want('input');
  const logitsEval = want('logits_eval');
  // The input's size and the class count are PyTorch's (a fully-convolutional model takes any size).
  const model = make(x.shape.slice(1), logitsEval.shape[1]).build(backend);
  loadStateDict(model, files.state, { file: `${key} state.safetensors` });
  const ours = await model.predict(x.data);
  const logitsStateDict = relativeError(ours, logitsEval.data);
  const exportOrt = runOnnx ? relativeError(await runOnnx(await exportOnnx(model), x.data, x.shape), ours) : undefined;
  const training = expected.has('loss') ? await stepFigures(model, want, (k) => expected.get(`f32_error.grad.${k}`)?.data[0] ?? 0) : {};
  const parameters = model.countParams();
  model.dispose();
  const imported = importOnnx(files.onnx, { file: `${key} model.onnx` }).build(backend);
  const logitsOnnx = relativeError(await imported.predict(x.data), logitsEval.data);
  imported.dispose();
  return {
    model: key,
    parameters,
    batch: x.shape[0],
    logitsStateDict,
    logitsOnnx,
    exportOrt,
    ...training,
    seconds: (performance.now() - start) / 1000,
  };
}

/** One training step's figures (logits, loss, gradients, running statistics) against PyTorch's float64 step. */
async function stepFigures(model: Model, want: (name: string) => { data: Float32Array }, f32Error: (torchKey: string) => number): Promise<Partial<TorchCheck>> {
  const x = want('input');
  const step = await stepGradients(model, x.data, want('labels').data);
  let gradientMax = 0;
  let gradientMaxOn = '';
  let gradientsOver1e4 = 0;
  const overTolerance: NonNullable<TorchCheck['overTolerance']> = [];
  const errors = torchGradientErrors(model, step.gradients, (key) => want(`grad.${key}`).data);
  for (const [key, error] of errors) {
    const f32 = f32Error(key);
    if (error > 1e-4) gradientsOver1e4++;
    if (error > Math.max(1e-4, 4 * f32)) overTolerance.push({ name: key, error, torchFloat32: f32 });
    if (error > gradientMax) [gradientMax, gradientMaxOn] = [error, key];
  }
  // Running statistics have the same names in both layouts.
  let runningStats = 0;
  for (const p of model.params().filter((q) => q.spec.kind === 'state')) {
    runningStats = Math.max(runningStats, relativeError(await p.tensor.read(), want(`after.${p.name}`).data));
  }
  return {
    logitsTrain: relativeError(step.logits, want('logits_train').data),
    loss: Math.abs(step.loss - want('loss').data[0]) / Math.abs(want('loss').data[0]),
    gradientMax,
    gradientMaxOn,
    gradientsOver1e4,
    gradientsOverTolerance: overTolerance.length,
    overTolerance,
    gradients: errors.size,
    runningStats,
  };
}
