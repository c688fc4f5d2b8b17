import type { Backend } from '../backends/backend';
import { TraceBackend } from '../graph/trace';
import { Random } from '../random';
import { formatShape, sizeOf, type Shape } from '../shape';
import { tensor, type Tensor } from '../tensor';
import { initialValues } from './init';
import { input as symbolicInput, type Layer, type SymbolicTensor, type ForwardContext, type ParamSpec } from './layer';
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
  /** Owned by another model whose layers this one reuses (withHead's body): this model never disposes it. */
  readonly shared?: boolean;
}

export interface BuildOptions {
  /** Seeds the initial weights and the dropout masks (default 0). */
  seed?: number;
  /**
   * A built model whose layers this one reuses (withHead): those layers keep its weight
   * and state tensors, the very same storage, and only the other layers get new ones.
   */
  share?: Model;
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
  constructor(input: SymbolicTensor, output: SymbolicTensor, name: string = 'model') {
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
    // Names already given (a reused body's among them) are not handed out again.
    nameUnnamed(
      order.map((n) => n.layer),
      new Set(order.map((n) => n.layer.name).filter((n) => n)),
    );
    const names = new Map<string, Layer>();
    for (const { layer } of order) {
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

  /** The layers whose outputs `layerName`'s output depends on, it included, in forward order (a body to freeze). */
  layersUpTo(layerName: string): Layer[] {
    const needed = new Set<number>();
    const visit = (t: SymbolicTensor) => {
      if (needed.has(t.id)) return;
      needed.add(t.id);
      for (const i of t.inputs) visit(i);
    };
    visit(this.outputOf(layerName, 'layersUpTo'));
    return [...new Set(this.nodes.filter((n) => needed.has(n.output.id)).map((n) => n.layer))];
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
    const share = options.share;
    if (share && share.backend !== backend) throw new Error(`${this.name}: build shares ${share.name}'s weights, which live on another backend`);
    const sharedBy = new Map<Layer, ModelParam[]>();
    for (const p of share?.params() ?? []) sharedBy.set(p.layer, [...(sharedBy.get(p.layer) ?? []), p]);
    this.nodes.forEach(({ layer, inputs }, index) => {
      if (done.has(layer)) return;
      done.add(layer);
      if (layer instanceof Dropout && layer.options.seed === undefined) layer.seed = ((options.seed ?? 0) * 7919 + index * 104729) >>> 0;
      const shared = sharedBy.get(layer);
      if (shared) {
        for (const p of shared) params.push({ ...p, shared: true });
        return;
      }
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

  /**
   * Multiplies the learning rate of these layers' weights by `scale` (all layers when no
   * name is given): 0.1 trains a pretrained body at a tenth of the head's rate. Every
   * optimizer applies it to the step itself (Adam's too, where scaling the gradient would
   * change nothing); a trainer recompiles its step when a scale changes.
   */
  scaleLearningRate(scale: number, ...names: string[]): this {
    if (!(scale >= 0) || !Number.isFinite(scale)) throw new Error(`${this.name}: scaleLearningRate takes a finite scale >= 0, got ${scale}`);
    for (const l of names.length ? names.map((n) => this.layer(n)) : this.layers) l.lrScale = scale;
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
    if (formatShape(x.shape.slice(1)) !== want)
      throw new Error(`${this.name}: input must be [batch, ${this.input.shape.join(', ')}], got ${formatShape(x.shape)}`);
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

  /** Compiled feature passes by layer name, then batch size (features). */
  private featurePasses = new Map<string, Map<number, InferenceStep>>();

  /**
   * The output of layer `layerName` for `images` ([count, ...input shape]) in inference
   * mode: [count, ...that layer's output shape], for features of a trained network (the
   * decks' "CNN codes" from the last layers) or its activation maps. Only the layers it
   * depends on run; each batch is one submit of a compiled graph, kept for the next call.
   */
  async features(images: ArrayLike<number>, layerName: string, options: PredictOptions = {}): Promise<Float32Array> {
    this.requireBuilt();
    const output = this.outputOf(layerName, 'features');
    let steps = this.featurePasses.get(layerName);
    if (!steps) this.featurePasses.set(layerName, (steps = new Map()));
    return runInference(this, steps, images, options, output, 'features');
  }

  /** The symbolic output of a layer applied once in this model (a layer applied twice has no single output). */
  outputOf(layerName: string, op = this.name): SymbolicTensor {
    const nodes = this.nodes.filter((n) => n.layer.name === layerName);
    if (nodes.length === 0) throw new Error(`${op}: ${this.name} has no layer named '${layerName}' (layers: ${this.layers.map((l) => l.name).join(', ')})`);
    if (nodes.length > 1) throw new Error(`${op}: layer '${layerName}' of ${this.name} is applied ${nodes.length} times, so it has no single output`);
    return nodes[0].output;
  }

  private releaseInference(): void {
    for (const step of this.inference.values()) step.program.dispose();
    this.inference.clear();
    for (const steps of this.featurePasses.values()) for (const step of steps.values()) step.program.dispose();
    this.featurePasses.clear();
  }

  /** Number of parameters: weights only, or weights and state. */
  countParams(includeState = false): number {
    return this.nodesParams()
      .filter((p) => includeState || p.kind === 'weight')
      .reduce((n, p) => n + sizeOf(p.shape), 0);
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
    for (const p of this.built.params) if (!p.shared) p.tensor.dispose();
    this.built = null;
    this.generationCount++;
  }
}

/** Names each unnamed layer `<kind>_<k>` with the smallest k whose name `taken` lacks, adding it to `taken`. */
function nameUnnamed(layers: readonly Layer[], taken: Set<string>): void {
  for (const layer of layers) {
    if (layer.name) continue;
    let k = 1;
    while (taken.has(`${layer.kind}_${k}`)) k++;
    layer.name = `${layer.kind}_${k}`;
    taken.add(layer.name);
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
    const weights = layer
      .params(shapes)
      .map((p) => `${p.name} ${formatShape(p.shape)}`)
      .join(', ');
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

export interface WithHeadOptions {
  /** The new model's name (default `<body>-head`). */
  name?: string;
  /** Seeds the head's initial weights (default 0). */
  seed?: number;
  /** Freeze every body layer up to and including `layerName` (default false). */
  freezeBody?: boolean;
}

/**
 * A new model: `body`'s layers up to `layerName`, then `head` applied to that layer's
 * output. The body's layers are the same objects (freezing or rescaling them is seen by
 * both models) and, when the body is built, so is the new model, on the body's backend,
 * with the body's weight tensors themselves (trained in place; the new model never
 * disposes them) and fresh ones for the head.
 */
export function withHead(body: Model, layerName: string, head: readonly Layer[], options: WithHeadOptions = {}): Model {
  if (head.length === 0) throw new Error(`withHead: ${body.name} needs at least one head layer after '${layerName}'`);
  const features = body.outputOf(layerName, 'withHead');
  // Unnamed head layers are named past every name of the body (its old head included), so
  // a head's dense_3 is never mistaken for the pretrained dense_1 in checkpoints and logs.
  nameUnnamed(head, new Set(body.layers.map((l) => l.name)));
  const model = new Model(
    body.input,
    head.reduce((h, layer) => layer.apply(h), features),
    options.name ?? `${body.name}-head`,
  );
  if (options.freezeBody) model.freeze(...model.layersUpTo(layerName).map((l) => l.name));
  return body.isBuilt ? model.build(body.backend, { seed: options.seed, share: body }) : model;
}
