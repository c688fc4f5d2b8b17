import { gradients } from '../graph/autograd';
import { planGraph, type Plan } from '../graph/plan';
import { checkPlanFits, planMemory, type PlanMemory } from '../graph/plan_memory';
import { Program } from '../graph/program';
import { TraceBackend } from '../graph/trace';
import { argmax } from '../ops/argmax';
import { augment, type AugmentAttrs } from '../ops/augment';
import { add, maximum, mul } from '../ops/binary';
import { mean, sum } from '../ops/reduce';
import { reshape } from '../ops/reshape';
import { softmax } from '../ops/softmax';
import { tenCrop } from '../ops/ten_crop';
import { log, square } from '../ops/unary';
import type { Shape } from '../shape';
import { tensor, type Tensor } from '../tensor';
import { externalsOf } from '../nn/graph_externals';
import type { ForwardContext } from '../nn/layer';
import { checkLoss, learnsLabels, lossOf, SOFTMAX_CROSS_ENTROPY, targetShape, type LossConfig } from './losses';
import type { Model } from '../nn/model';
import { Optimizer } from './optimizers';
import type { EvalViews } from './test_time';

/** A compiled graph and the ids of the values a run reads back. */
export interface CompiledGraph {
  readonly program: Program;
  readonly loss: number;
  /** Arg-max class predictions for a loss of labels; the outputs themselves for the others. */
  readonly predictions: number;
  readonly probabilities?: number;
  readonly batch: number;
}

/** What a training step adds to or takes from plain training: the L2 term of the loss, dropout. */
export interface StepRegularization {
  /**
   * λ of an L2 penalty added to the loss: λ/2 Σ w² over every trainable parameter (as the
   * loss's term, so the reported loss includes it; its gradient λw is what SGD's coupled
   * weightDecay adds). Default 0: no term.
   */
  l2?: number;
  /** False turns the model's dropout off in the step (default true). */
  dropout?: boolean;
}

/**
 * One training step as one graph: (augmentation,) forward in training mode, the loss
 * (default mean softmax cross-entropy; losses.ts; plus the L2 term of `regularization`), predictions, backward through every
 * trainable weight, and the optimizer's in-place updates (plus batch norm's running
 * statistics). Inputs: x, labels, step [1], hyper, and targets when the loss takes them.
 * x holds images of `imageShape` (default the model's input): larger ones are cropped to
 * the model's size by the augmentation. On WebGPU it runs as one submit.
 */
export function compileTrainStep(
  model: Model,
  optimizer: Optimizer,
  batch: number,
  augmentation?: Partial<AugmentAttrs>,
  loss: LossConfig = SOFTMAX_CROSS_ENTROPY,
  imageShape: Shape = model.input.shape,
  regularization: StepRegularization = {},
): CompiledGraph {
  const { plan, ids } = planTrainStep(model, optimizer, batch, augmentation, loss, imageShape, regularization);
  return { program: new Program(model.backend, plan), loss: ids[0], predictions: ids[1], batch };
}

/**
 * The plan of one training step, traced and checked against the backend's tensor size
 * limit but not compiled: nothing is allocated on the device (see trainStepMemory).
 */
export function planTrainStep(
  model: Model,
  optimizer: Optimizer,
  batch: number,
  augmentation?: Partial<AugmentAttrs>,
  lossConfig: LossConfig = SOFTMAX_CROSS_ENTROPY,
  imageShape: Shape = model.input.shape,
  regularization: StepRegularization = {},
): { plan: Plan; ids: [number, number] } {
  checkLoss(lossConfig, model.name, model.output.shape);
  const l2 = checkL2(regularization.l2);
  const trace = new TraceBackend();
  const x = trace.input('x', [batch, ...imageShape]);
  const labels = trace.input('labels', [batch]);
  const step = trace.input('step', [1]);
  const hyper = trace.input('hyper', [optimizer.hyperLength]);
  const tShape = targetShape(lossConfig, model.output.shape, batch);
  const targets = tShape ? trace.input('targets', tShape) : null;
  const use = externalsOf(model, trace);
  const ctx: ForwardContext = { training: true, use, step, dropout: regularization.dropout ?? true };
  const logits = model.forward(ctx, augmentation ? augment(x, step, augmentation) : x);
  const trainable = model.trainableParams();
  if (trainable.length === 0) throw new Error(`${model.name}: nothing to train (every layer is frozen)`);
  const traced = trainable.map((p) => use(p.tensor));
  const dataLoss = lossOf(lossConfig, logits, labels, targets);
  const loss = l2 > 0 ? add(dataLoss, l2Term(trace, traced, l2)) : dataLoss;
  const predictions = learnsLabels(lossConfig) ? argmax(logits) : logits;
  const grads = gradients(trace, loss, traced);
  optimizer.updateAll(
    trainable.map((param, i) => ({ param, traced: traced[i], grad: grads[i] })),
    hyper,
    use,
    model.backend,
  );
  const ids: [number, number] = [trace.valueOf(loss).id, trace.valueOf(predictions).id];
  return { plan: checkedPlan(model, batch, planGraph(trace, ids)), ids };
}

/** The L2 strength of a step, checked: a finite number >= 0 (undefined is 0). */
export function checkL2(l2: number | undefined): number {
  if (l2 === undefined) return 0;
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new Error(`l2: must be a finite number >= 0, got ${l2}`);
  return l2;
}

/** λ/2 Σ w² over the traced weights, a scalar of the graph. */
function l2Term(trace: TraceBackend, weights: readonly Tensor[], l2: number): Tensor {
  let total = sum(square(weights[0]));
  for (const w of weights.slice(1)) total = add(total, sum(square(w)));
  return mul(total, tensor(trace, [l2 / 2], []));
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

/**
 * Inference as one graph: the loss against labels (and targets), predictions, and for a
 * loss of labels the class probabilities. With `views` (a loss of labels only), x holds
 * images of views.imageShape and each is cut into views (ten_crop) of the model's input
 * size: the probabilities are the mean of the views' softmax outputs, the predictions
 * their arg-max, and the loss is taken on their log (softmax(log p) = p).
 */
export function compileEvalStep(model: Model, batch: number, lossConfig: LossConfig = SOFTMAX_CROSS_ENTROPY, views: EvalViews | null = null): CompiledGraph {
  checkLoss(lossConfig, model.name, model.output.shape);
  const trace = new TraceBackend();
  const x = trace.input('x', [batch, ...(views?.imageShape ?? model.input.shape)]);
  const labels = trace.input('labels', [batch]);
  const tShape = targetShape(lossConfig, model.output.shape, batch);
  const targets = tShape ? trace.input('targets', tShape) : null;
  const [, h, w] = model.input.shape;
  const input = views ? tenCrop(x, { height: h, width: w, padding: views.padding, views: views.views }) : x;
  const logits = model.forward({ training: false, use: externalsOf(model, trace) }, input);
  let outputs: Tensor[];
  if (views && views.views > 1) {
    const classes = model.output.shape[0];
    const probabilities = mean(reshape(softmax(logits), [batch, views.views, classes]), 1);
    // NOTE: the floor keeps the loss finite where every view gives a class probability 0.
    const logP = log(maximum(probabilities, tensor(trace, [1e-30], [1])));
    outputs = [lossOf(lossConfig, logP, labels, targets), argmax(probabilities), probabilities];
  } else {
    const loss = lossOf(lossConfig, logits, labels, targets);
    outputs = learnsLabels(lossConfig) ? [loss, argmax(logits), softmax(logits)] : [loss, logits];
  }
  const ids = outputs.map((t) => trace.valueOf(t).id);
  return {
    program: new Program(model.backend, checkedPlan(model, batch, planGraph(trace, ids))),
    loss: ids[0],
    predictions: ids[1],
    probabilities: ids[2],
    batch,
  };
}
