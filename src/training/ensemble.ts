// Model ensembles, the decks' last few points of accuracy: train several models (other
// seeds, other hyper-parameters) and average their predicted class probabilities. The
// members run as one graph per batch, each in inference mode, so an ensemble's prediction
// is one submit however many models it holds.
import { checkDataset, type Dataset } from '../data/dataset';
import { planGraph } from '../graph/plan';
import { Program } from '../graph/program';
import { TraceBackend } from '../graph/trace';
import { externalsOf } from '../nn/graph_externals';
import type { Model } from '../nn/model';
import { argmax } from '../ops/argmax';
import { add, mul } from '../ops/binary';
import { softmax } from '../ops/softmax';
import { formatShape, sizeOf } from '../shape';
import { tensor, type Tensor } from '../tensor';
import { confusionMatrix } from './metrics';

export interface EnsembleOptions {
  /** Examples per compiled run (default 64). */
  batchSize?: number;
}

export interface EnsemblePrediction {
  /** The mean of the members' softmax outputs, [count, classes] row-major. */
  probabilities: Float32Array;
  /** Its arg-max class per example. */
  predictions: Uint8Array;
  /** Each member's softmax outputs, [count, classes], in the order of the models. */
  members: Float32Array[];
}

export interface EnsembleEvaluation {
  /** Of the ensemble's predictions. */
  accuracy: number;
  /** Mean -ln p(label) of the averaged probabilities. */
  loss: number;
  /** Row = true class, column = the ensemble's prediction. */
  confusion: number[][];
  predictions: Uint8Array;
  probabilities: Float32Array;
  count: number;
  /** Each member alone, in the order of the models. */
  members: { accuracy: number; loss: number }[];
}

/** One batch size's compiled graph and the ids it reads back. */
interface EnsembleStep {
  program: Program;
  mean: number;
  predictions: number;
  members: number[];
}

/** The floor of a probability whose log is taken: a confident miss costs -ln(1e-30), not infinity. */
const FLOOR = 1e-30;

/**
 * An ensemble of built classifiers of one input shape and class count, on one backend:
 * `predict` and `evaluate` average the members' softmax outputs (each member in inference
 * mode: dropout off, batch norm on its running statistics).
 */
export class Ensemble {
  readonly models: readonly Model[];
  readonly batchSize: number;
  private readonly steps = new Map<number, EnsembleStep>();
  /** The members' generations the compiled steps bind: a rebuilt member recompiles them. */
  private generations = '';

  constructor(models: readonly Model[], options: EnsembleOptions = {}) {
    if (models.length === 0) throw new Error('ensemble: give at least one model');
    const [first] = models;
    models.forEach((m, i) => {
      if (!m.isBuilt) throw new Error(`ensemble: model ${i + 1} (${m.name}) is not built; build it first`);
      if (m.backend !== first.backend) throw new Error(`ensemble: model ${i + 1} (${m.name}) is on another backend than model 1; build every member on one`);
      if (formatShape(m.input.shape) !== formatShape(first.input.shape))
        throw new Error(`ensemble: model ${i + 1} (${m.name}) takes ${formatShape(m.input.shape)}, model 1 ${formatShape(first.input.shape)}`);
      if (m.output.shape.length !== 1 || formatShape(m.output.shape) !== formatShape(first.output.shape))
        throw new Error(
          `ensemble: every member must output the same [classes] logits; model ${i + 1} (${m.name}) outputs ${formatShape(m.output.shape)}, model 1 ${formatShape(first.output.shape)}`,
        );
    });
    this.models = [...models];
    this.batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) throw new Error(`ensemble: batchSize must be a positive integer, got ${options.batchSize}`);
  }

  get classes(): number {
    return this.models[0].output.shape[0];
  }

  /** The graph of one batch: every member's softmax, their mean and its arg-max. */
  private step(batch: number): EnsembleStep {
    const generations = this.models.map((m) => m.generation).join(',');
    if (generations !== this.generations) {
      for (const m of this.models) if (!m.isBuilt) throw new Error(`ensemble: ${m.name} was disposed; build it and make a new ensemble`);
      this.dispose();
      this.generations = generations;
    }
    let s = this.steps.get(batch);
    if (s) return s;
    const trace = new TraceBackend();
    const x = trace.input('x', [batch, ...this.models[0].input.shape]);
    const probabilities = this.models.map((m, i) => {
      // Members may share layer names: the graph names each one's weights after its place.
      const use = externalsOf({ params: () => m.params().map((p) => ({ name: `member ${i + 1} ${p.name}`, tensor: p.tensor })) }, trace);
      return softmax(m.forward({ training: false, use }, x));
    });
    let total: Tensor = probabilities[0];
    for (const p of probabilities.slice(1)) total = add(total, p);
    const mean = probabilities.length === 1 ? total : mul(total, tensor(trace, [1 / probabilities.length], []));
    const ids = [mean, argmax(mean), ...probabilities].map((t) => trace.valueOf(t).id);
    s = { program: new Program(this.models[0].backend, planGraph(trace, ids)), mean: ids[0], predictions: ids[1], members: ids.slice(2) };
    this.steps.set(batch, s);
    return s;
  }

  /** The mean of the members' softmax outputs for `images` ([count, ...input shape], row-major), its arg-max, and each member's. */
  async predict(images: ArrayLike<number>): Promise<EnsemblePrediction> {
    const per = sizeOf(this.models[0].input.shape);
    if (images.length === 0 || images.length % per !== 0)
      throw new Error(
        `ensemble predict: the members take [count, ${this.models[0].input.shape.join(', ')}] (${per} values per example), got ${images.length} values`,
      );
    const data = images instanceof Float32Array ? images : Float32Array.from(images);
    const count = data.length / per;
    const k = this.classes;
    const out: EnsemblePrediction = {
      probabilities: new Float32Array(count * k),
      predictions: new Uint8Array(count),
      members: this.models.map(() => new Float32Array(count * k)),
    };
    const pending: Promise<void>[] = [];
    try {
      for (let start = 0; start < count; start += this.batchSize) {
        const size = Math.min(this.batchSize, count - start);
        const s = this.step(size);
        const x = data.subarray(start * per, (start + size) * per);
        pending.push(
          s.program.run({ x }, [s.mean, s.predictions, ...s.members]).then(([mean, predicted, ...members]) => {
            out.probabilities.set(mean, start * k);
            out.predictions.set(predicted, start);
            members.forEach((p, i) => out.members[i].set(p, start * k));
          }),
        );
        // A few batches in flight, as evaluation keeps them.
        if (pending.length > 2) await pending.shift();
      }
      await Promise.all(pending);
    } catch (e) {
      await Promise.allSettled(pending);
      throw e;
    }
    return out;
  }

  /** Accuracy, loss and confusion matrix of the ensemble on `data`, and each member's accuracy and loss. */
  async evaluate(data: Dataset): Promise<EnsembleEvaluation> {
    const shape = this.models[0].input.shape;
    if (formatShape(data.shape) !== formatShape(shape))
      throw new Error(`ensemble evaluate: examples of shape ${formatShape(data.shape)} do not fit the members' input ${formatShape(shape)}`);
    checkDataset('ensemble evaluate', data);
    if (data.count === 0) throw new Error('ensemble evaluate: the dataset is empty (0 examples)');
    if (data.classes > this.classes) throw new Error(`ensemble evaluate: ${data.classes} classes but the members output ${this.classes}`);
    const p = await this.predict(data.images.subarray(0, data.count * sizeOf(shape)));
    const k = this.classes;
    const score = (probabilities: Float32Array) => {
      let correct = 0;
      let loss = 0;
      for (let i = 0; i < data.count; i++) {
        const row = probabilities.subarray(i * k, (i + 1) * k);
        let best = 0;
        for (let c = 1; c < k; c++) if (row[c] > row[best]) best = c;
        if (best === data.labels[i]) correct++;
        loss -= Math.log(Math.max(row[data.labels[i]], FLOOR));
      }
      return { accuracy: correct / data.count, loss: loss / data.count };
    };
    const labels = data.labels.subarray(0, data.count);
    return {
      ...score(p.probabilities),
      accuracy: p.predictions.reduce((n, c, i) => n + (c === labels[i] ? 1 : 0), 0) / data.count,
      confusion: confusionMatrix(p.predictions, labels, k),
      predictions: p.predictions,
      probabilities: p.probabilities,
      count: data.count,
      members: p.members.map(score),
    };
  }

  /** Releases the compiled graphs (the members stay). */
  dispose(): void {
    for (const s of this.steps.values()) s.program.dispose();
    this.steps.clear();
  }
}

/** An ensemble of built classifiers: predict and evaluate average their softmax outputs. */
export function ensemble(models: readonly Model[], options: EnsembleOptions = {}): Ensemble {
  return new Ensemble(models, options);
}
