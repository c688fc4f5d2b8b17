import type { Backend } from '../backends/backend';
import { planGraph } from '../graph/plan';
import { Program } from '../graph/program';
import { TraceBackend } from '../graph/trace';
import { sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { externalsOf } from './graph_externals';
import type { ForwardContext, SymbolicTensor } from './layer';

/**
 * What inference needs of a built model (Model has it). Named here rather than imported
 * from model.ts, which runs its predictions through this module: no import cycle.
 */
export interface InferenceModel {
  readonly name: string;
  readonly backend: Backend;
  readonly input: SymbolicTensor;
  readonly output: SymbolicTensor;
  params(): readonly { readonly name: string; readonly tensor: Tensor }[];
  /** The value of every layer's output for `x`, by the symbolic tensor's id. */
  forwardAll(ctx: ForwardContext, x: Tensor): Map<number, Tensor>;
}

/** A compiled inference pass of one batch size: the model's outputs from its inputs, one submit a run. */
export interface InferenceStep {
  readonly program: Program;
  readonly output: number;
  readonly batch: number;
}

/**
 * Traces the model's inference forward (dropout off, batch norm on running statistics) at
 * `batch` and compiles it as an inference pass (at the backend's inference precision); `output` (default the model's) may be any layer's output, and
 * only the layers it depends on are kept.
 */
export function compileInference(model: InferenceModel, batch: number, output: SymbolicTensor = model.output): InferenceStep {
  const trace = new TraceBackend();
  const x = trace.input('x', [batch, ...model.input.shape]);
  const y = model.forwardAll({ training: false, use: externalsOf(model, trace) }, x).get(output.id);
  if (!y) throw new Error(`${model.name}: the value asked for is not computed by this model`);
  const id = trace.valueOf(y).id;
  return { program: new Program(model.backend, planGraph(trace, [id]), { inference: true }), output: id, batch };
}

export interface PredictOptions {
  /** Examples per compiled run (default: all of them, at most 64); a last partial batch gets a program of its own. */
  batch?: number;
}

/**
 * Runs `images` ([count, ...model.input.shape], row-major) through a built model and
 * returns its outputs ([count, ...model.output.shape]). Each batch is one submit of a
 * compiled graph; programs are kept per batch size in `steps`, which the model empties
 * (disposing them) when it is rebuilt or disposed.
 */
export async function runInference(
  model: InferenceModel,
  steps: Map<number, InferenceStep>,
  images: ArrayLike<number>,
  options: PredictOptions = {},
  output: SymbolicTensor = model.output,
  op = 'predict',
): Promise<Float32Array> {
  const per = sizeOf(model.input.shape);
  if (images.length === 0 || images.length % per !== 0)
    throw new Error(`${op}: ${model.name} takes [count, ${model.input.shape.join(', ')}] (${per} values per example), got ${images.length} values`);
  const count = images.length / per;
  const batch = Math.min(options.batch ?? 64, count);
  if (!Number.isInteger(batch) || batch <= 0) throw new Error(`${op}: batch must be a positive integer, got ${options.batch}`);
  const outPer = sizeOf(output.shape);
  const out = new Float32Array(count * outPer);
  const data = images instanceof Float32Array ? images : Float32Array.from(images);
  const pending: Promise<void>[] = [];
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    let s = steps.get(size);
    if (!s) {
      s = compileInference(model, size, output);
      steps.set(size, s);
    }
    const x = data.subarray(start * per, (start + size) * per);
    pending.push(s.program.run({ x }, [s.output]).then(([y]) => out.set(y, start * outPer)));
  }
  await Promise.all(pending);
  return out;
}
