import type { Backend } from '../backends/backend';
import { TraceBackend } from '../graph/trace';
import { Random } from '../random';
import { formatShape, sizeOf, type Shape } from '../shape';
import { tensor, type Tensor } from '../tensor';
import { initialValues } from './init';
import { input as symbolicInput, Layer, SymbolicTensor, type ForwardContext, type ParamSpec } from './layer';
import { Dropout } from './norm_layers';
import { runInference, type InferenceStep, type PredictOptions } from './inference';

/** One application of a layer in the model's DAG. */
export interface ModelNode {
  readonly layer: Layer;
  readonly inputs: readonly SymbolicTensor[];
  readonly output: SymbolicTensor;
}

/** A named parameter or state tensor of a built model. */
export interface ModelParam {
  /** `<layer>.<param>`, the name used in checkpoints. */
  readonly name: string;
  readonly layer: Layer;
  readonly spec: ParamSpec;
  readonly tensor: Tensor;
}

export interface BuildOptions {
  /** Seeds the initial weights and the dropout masks (default 0). */
  seed?: number;
}

/**
 * A network: a DAG of layers from one input to one output, built with the functional
 * API (`layer.apply(x)`) or `sequential`. `build` creates its weights on a backend.
 */
export class Model {
  readonly nodes: readonly ModelNode[];
  private built: { backend: Backend; params: ModelParam[] } | null = null;
  /**
   * Counts builds and disposals. A trainer (or any compiled graph) binds the weights
   * of one generation; a different number means those tensors are gone.
   */
  private generationCount = 0;
  /** What is using the weights right now (a running fit), which build, dispose and loads must not pull away. */
  private holder: string | null = null;

  readonly input: SymbolicTensor;
  readonly output: SymbolicTensor;
  readonly name: string;
  constructor(
    input: SymbolicTensor,
    output: SymbolicTensor,
    name: string = 'model',
  ) {
    this.input = input;
    this.output = output;
    this.name = name;
    if (input.producer !== null) throw new Error(`${name}: the model input must come from input(shape), not from a layer`);
    const order: ModelNode[] = [];
    const seen = new Set<number>();
    const visit = (t: SymbolicTensor) => {
      if (seen.has(t.id)) return;
      seen.add(t.id);
      if (!t.producer) {
        if (t !== input) throw new Error(`${name}: the output depends on an input ${formatShape(t.shape)} that is not the model's input`);
        return;
      }
      for (const i of t.inputs) visit(i);
      order.push({ layer: t.producer, inputs: t.inputs, output: t });
    };
    visit(output);
    this.nodes = order;
    const counts = new Map<string, number>();
    const names = new Map<string, Layer>();
    for (const { layer } of order) {
      if (!layer.name) {
        const k = (counts.get(layer.kind) ?? 0) + 1;
        counts.set(layer.kind, k);
        layer.name = `${layer.kind}_${k}`;
      }
      const other = names.get(layer.name);
      if (other && other !== layer) throw new Error(`${name}: two layers are named '${layer.name}'`);
      names.set(layer.name, layer);
    }
    checkSharedLayers(name, order);
  }

  /** Unique layers in forward order. */
  get layers(): Layer[] {
    return [...new Set(this.nodes.map((n) => n.layer))];
  }

  layer(name: string): Layer {
    const found = this.layers.find((l) => l.name === name);
    if (!found) throw new Error(`${this.name}: no layer named '${name}' (layers: ${this.layers.map((l) => l.name).join(', ')})`);
    return found;
  }

  /** Creates every weight and state tensor on `backend` from a seeded generator. */
  build(backend: Backend, options: BuildOptions = {}): this {
    this.assertIdle('build');
    this.dispose();
    const rng = new Random(options.seed ?? 0);
    const params: ModelParam[] = [];
    const done = new Set<Layer>();
    this.nodes.forEach(({ layer, inputs }, index) => {
      if (done.has(layer)) return;
      done.add(layer);
      if (layer instanceof Dropout && layer.options.seed === undefined) layer.seed = ((options.seed ?? 0) * 7919 + index * 104729) >>> 0;
      for (const spec of layer.params(inputs.map((i) => i.shape))) {
        params.push({ name: `${layer.name}.${spec.name}`, layer, spec, tensor: tensor(backend, initialValues(spec, rng), spec.shape) });
      }
    });
    this.built = { backend, params };
    this.generationCount++;
    return this;
  }

  /** Changes with every build and dispose: weights of another generation are gone. */
  get generation(): number {
    return this.generationCount;
  }

  get isBuilt(): boolean {
    return this.built !== null;
  }

  /**
   * Marks the weights as in use by `what` (a running fit) until `release` is called:
   * build, dispose and checkpoint loads then throw instead of pulling them away.
   */
  hold(what: string): void {
    if (this.holder) throw new Error(`${this.name}: already in use by ${this.holder}`);
    this.holder = what;
  }

  release(): void {
    this.holder = null;
  }

  /** Throws, naming `action`, while a running fit holds the weights. */
  assertIdle(action: string): void {
    if (this.holder) throw new Error(`${action}: ${this.name} is in use by ${this.holder}; wait for it to finish (or stop it with its AbortSignal) first`);
  }

  get backend(): Backend {
    return this.requireBuilt().backend;
  }

  private requireBuilt() {
    if (!this.built) throw new Error(`${this.name}: call build(backend) before using the model's weights`);
    return this.built;
  }

  /** Every weight and state tensor, in forward order. */
  params(): ModelParam[] {
    return this.requireBuilt().params;
  }

  /** Weights that train: not state, not in a frozen layer. */
  trainableParams(): ModelParam[] {
    return this.params().filter((p) => p.spec.kind === 'weight' && !p.layer.frozen);
  }

  /** Freezes layers by name (no gradient, no update; frozen batch norm uses running statistics). */
  freeze(...names: string[]): this {
    for (const n of names) this.layer(n).frozen = true;
    return this;
  }

  unfreeze(...names: string[]): this {
    for (const n of names) this.layer(n).frozen = false;
    return this;
  }

  /** Runs the network on a batch [N, ...inputShape]; eagerly, or traced inside a graph. */
  forward(ctx: ForwardContext, x: Tensor): Tensor {
    return this.forwardAll(ctx, x).get(this.output.id)!;
  }

  /**
   * The forward pass keeping every node's output, by SymbolicTensor id (the input's
   * included): for looking inside the network (activation maps). The caller owns them.
   */
  forwardAll(ctx: ForwardContext, x: Tensor): Map<number, Tensor> {
    const want = formatShape(this.input.shape);
    if (formatShape(x.shape.slice(1)) !== want) throw new Error(`${this.name}: input must be [batch, ${this.input.shape.join(', ')}], got ${formatShape(x.shape)}`);
    const values = new Map<number, Tensor>([[this.input.id, x]]);
    const byLayer = new Map<Layer, Record<string, Tensor>>();
    for (const p of this.params()) {
      const rec = byLayer.get(p.layer) ?? {};
      rec[p.spec.name] = ctx.use(p.tensor);
      byLayer.set(p.layer, rec);
    }
    // While tracing a graph, label its nodes with the layer, so errors can name it.
    const trace = x.backend instanceof TraceBackend ? x.backend : null;
    try {
      for (const node of this.nodes) {
        const inputs = node.inputs.map((i) => values.get(i.id)!);
        if (trace) trace.label = node.layer.name;
        values.set(node.output.id, node.layer.forward(ctx, inputs, byLayer.get(node.layer) ?? {}));
      }
    } finally {
      if (trace) trace.label = undefined;
    }
    return values;
  }

  /** Compiled inference passes by batch size (predict). */
  private inference = new Map<number, InferenceStep>();

  /**
   * Outputs of the built model for `images` ([count, ...input shape], row-major), in
   * inference mode, without a trainer or optimizer: each batch is one submit of a
   * compiled graph, kept for the next call. Returns [count, ...output shape] (logits for
   * the zoo's classifiers).
   */
  predict(images: ArrayLike<number>, options: PredictOptions = {}): Promise<Float32Array> {
    this.requireBuilt();
    return runInference(this, this.inference, images, options);
  }

  private releaseInference(): void {
    for (const step of this.inference.values()) step.program.dispose();
    this.inference.clear();
  }

  /** Number of parameters: weights only, or weights and state. */
  countParams(includeState = false): number {
    return this.nodesParams().filter((p) => includeState || p.kind === 'weight').reduce((n, p) => n + sizeOf(p.shape), 0);
  }

  /** Parameter specs by shape alone (no build needed). */
  nodesParams(): ParamSpec[] {
    const done = new Set<Layer>();
    return this.nodes.flatMap(({ layer, inputs }) => {
      if (done.has(layer)) return [];
      done.add(layer);
      return layer.params(inputs.map((i) => i.shape));
    });
  }

  dispose(): void {
    if (!this.built) return;
    this.assertIdle('dispose');
    this.releaseInference();
    for (const p of this.built.params) p.tensor.dispose();
    this.built = null;
    this.generationCount++;
  }
}

/**
 * A layer applied more than once shares one set of weights, so every application must
 * need the same weight shapes; otherwise the model would wire and fail later naming no
 * layer.
 */
function checkSharedLayers(model: string, nodes: readonly ModelNode[]): void {
  const first = new Map<Layer, { input: string; weights: string }>();
  for (const { layer, inputs } of nodes) {
    const shapes = inputs.map((i) => i.shape);
    const weights = layer.params(shapes).map((p) => `${p.name} ${formatShape(p.shape)}`).join(', ');
    const input = shapes.map(formatShape).join(', ');
    const seen = first.get(layer);
    if (!seen) first.set(layer, { input, weights });
    else if (seen.weights !== weights) {
      throw new Error(
        `${model}: layer '${layer.name || layer.kind}' is applied to inputs ${seen.input} and ${input}, which need different weights (${seen.weights} against ${weights}); ` +
          'a layer applied twice shares its weights, so use a new layer for the second input',
      );
    }
  }
}

/** A chain of layers from an input of per-example shape `inputShape`. */
export function sequential(inputShape: Shape, layers: readonly Layer[], name = 'sequential'): Model {
  const x = symbolicInput(inputShape);
  const out = layers.reduce((h, layer) => layer.apply(h), x);
  return new Model(x, out, name);
}
