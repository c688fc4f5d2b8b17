import { gradients } from '../graph/autograd';
import { planGraph, type Plan } from '../graph/plan';
import { checkPlanFits, planMemory, type PlanMemory } from '../graph/plan_memory';
import { Program } from '../graph/program';
import { TraceBackend } from '../graph/trace';
import { argmax } from '../ops/argmax';
import { augment, type AugmentAttrs } from '../ops/augment';
import { softmax, softmaxCrossEntropy } from '../ops/softmax';
import type { Tensor } from '../tensor';
import type { ForwardContext } from './layer';
import type { Model } from './model';
import { Optimizer } from './optimizers';

/** A compiled graph and the ids of the values a run reads back. */
export interface CompiledGraph {
  readonly program: Program;
  readonly loss: number;
  readonly predictions: number;
  readonly probabilities?: number;
  readonly batch: number;
}

/** Traces model parameters as graph externals named after the weights. */
export function externalsOf(model: Model, trace: TraceBackend): (t: Tensor) => Tensor {
  const names = new Map(model.params().map((p) => [p.tensor, p.name]));
  return (t) => trace.external(t, names.get(t) ?? 'optimizer state');
}

/**
 * One training step as one graph: (augmentation,) forward in training mode, mean
 * softmax cross-entropy, arg-max predictions, backward through every trainable
 * weight, and the optimizer's in-place updates (plus batch norm's running
 * statistics). Inputs: x, labels, step [1], hyper. On WebGPU it runs as one submit.
 */
export function compileTrainStep(model: Model, optimizer: Optimizer, batch: number, augmentation?: Partial<AugmentAttrs>): CompiledGraph {
  const { plan, ids } = planTrainStep(model, optimizer, batch, augmentation);
  return { program: new Program(model.backend, plan), loss: ids[0], predictions: ids[1], batch };
}

/**
 * The plan of one training step, traced and checked against the backend's tensor size
 * limit but not compiled: nothing is allocated on the device (see trainStepMemory).
 */
export function planTrainStep(model: Model, optimizer: Optimizer, batch: number, augmentation?: Partial<AugmentAttrs>): { plan: Plan; ids: [number, number] } {
  const trace = new TraceBackend();
  const x = trace.input('x', [batch, ...model.input.shape]);
  const labels = trace.input('labels', [batch]);
  const step = trace.input('step', [1]);
  const hyper = trace.input('hyper', [optimizer.hyperLength]);
  const use = externalsOf(model, trace);
  const ctx: ForwardContext = { training: true, use, step };
  const logits = model.forward(ctx, augmentation ? augment(x, step, augmentation) : x);
  if (logits.rank !== 2) throw new Error(`${model.name}: the output must be [batch, classes] logits for training, got per-example shape [${model.output.shape.join(', ')}]`);
  const loss = softmaxCrossEntropy(logits, labels);
  const predictions = argmax(logits);
  const trainable = model.trainableParams();
  if (trainable.length === 0) throw new Error(`${model.name}: nothing to train (every layer is frozen)`);
  const traced = trainable.map((p) => use(p.tensor));
  const grads = gradients(trace, loss, traced);
  optimizer.updateAll(trainable.map((param, i) => ({ param, traced: traced[i], grad: grads[i] })), hyper, use, model.backend);
  const ids: [number, number] = [trace.valueOf(loss).id, trace.valueOf(predictions).id];
  return { plan: checkedPlan(model, batch, planGraph(trace, ids)), ids };
}

/** Throws naming the layer when a value of the plan cannot be one buffer on the model's backend. */
function checkedPlan(model: Model, batch: number, plan: Plan): Plan {
  const limit = model.backend.maxBindingBytes;
  if (limit !== undefined) checkPlanFits(plan, limit, model.name, batch);
  return plan;
}

/**
 * The planner's figures for one training step of `model` at `batch` (the model must be
 * built; any backend, the CPU's included: nothing is compiled or allocated for the step):
 * bytes of its intermediate values with liveness reuse and without, in WebGPU's size
 * classes, and its largest value. Weights, optimizer state and kernel temporaries come
 * on top.
 */
export function trainStepMemory(model: Model, batch: number, optimizer: Optimizer = new Optimizer({ kind: 'adam', lr: 1e-3 })): PlanMemory {
  return planMemory(planTrainStep(model, optimizer, batch).plan);
}

/** Inference as one graph: logits, mean loss against labels, predictions and probabilities. */
export function compileEvalStep(model: Model, batch: number): CompiledGraph {
  const trace = new TraceBackend();
  const x = trace.input('x', [batch, ...model.input.shape]);
  const labels = trace.input('labels', [batch]);
  const logits = model.forward({ training: false, use: externalsOf(model, trace) }, x);
  const loss = softmaxCrossEntropy(logits, labels);
  const ids = [loss, argmax(logits), softmax(logits)].map((t) => trace.valueOf(t).id);
  return { program: new Program(model.backend, checkedPlan(model, batch, planGraph(trace, ids))), loss: ids[0], predictions: ids[1], probabilities: ids[2], batch };
}
