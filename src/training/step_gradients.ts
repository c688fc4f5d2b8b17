import { gradients } from '../graph/autograd';
import { planGraph } from '../graph/plan';
import { Program } from '../graph/program';
import { TraceBackend } from '../graph/trace';
import { softmaxCrossEntropy } from '../ops/softmax';
import { formatShape } from '../shape';
import { externalsOf } from '../nn/graph_externals';
import type { Model } from '../nn/model';

/** One training step's figures without the update: what another engine's backward gives, to compare. */
export interface StepGradients {
  /** Mean softmax cross-entropy of the batch. */
  readonly loss: number;
  /** Training-mode logits [batch, classes], row-major. */
  readonly logits: Float32Array;
  /** d loss / d weight for every trainable weight, by parameter name (`conv1.weight`), in this engine's layout. */
  readonly gradients: Map<string, Float32Array>;
}

export interface StepGradientsOptions {
  /** Apply dropout masks (default false: a comparison wants the same function on both sides). */
  dropout?: boolean;
}

/**
 * Runs one training-mode forward and backward of a built model on a batch, as one
 * graph: batch-norm layers normalise with the batch's statistics and move their
 * running statistics (as PyTorch's training forward does), no weight changes.
 */
export async function stepGradients(model: Model, x: Float32Array, labels: ArrayLike<number>, options: StepGradientsOptions = {}): Promise<StepGradients> {
  const per = model.input.shape.reduce((a, b) => a * b, 1);
  const batch = labels.length;
  if (x.length !== batch * per)
    throw new Error(
      `stepGradients: ${model.name} takes [batch, ${model.input.shape.join(', ')}]; ${batch} labels need ${batch * per} input values, got ${x.length}`,
    );
  const trace = new TraceBackend();
  const xs = trace.input('x', [batch, ...model.input.shape]);
  const ys = trace.input('labels', [batch]);
  const use = externalsOf(model, trace);
  const logits = model.forward({ training: true, use, dropout: options.dropout ?? false }, xs);
  if (logits.rank !== 2) throw new Error(`stepGradients: ${model.name}'s output must be [batch, classes] logits, got ${formatShape(logits.shape)}`);
  const loss = softmaxCrossEntropy(logits, ys);
  const params = model.trainableParams();
  const grads = gradients(
    trace,
    loss,
    params.map((p) => use(p.tensor)),
  );
  const ids = [loss, logits, ...grads].map((t) => trace.valueOf(t).id);
  const program = new Program(model.backend, planGraph(trace, ids));
  try {
    const [l, lg, ...gs] = await program.run({ x, labels: Float32Array.from(labels) }, ids);
    return { loss: l[0], logits: lg, gradients: new Map(params.map((p, i) => [p.name, gs[i]])) };
  } finally {
    program.dispose();
  }
}
