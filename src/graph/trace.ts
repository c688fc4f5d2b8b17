import type { Attrs, Backend, KernelInput, Storage } from '../backends/backend';
import { getOp } from '../ops/op';
import { formatShape, sizeOf, type Shape } from '../shape';
import { Tensor } from '../tensor';

/**
 * Where a graph value comes from:
 * - input: fed by the host every run (an image batch, labels, the step counter);
 * - external: a tensor living on the real backend (a weight, optimizer or running state);
 * - const: values the graph was built with (a scalar in a gradient rule);
 * - node: the output of an op node.
 */
export type ValueKind = 'input' | 'external' | 'const' | 'node';

export interface GraphValue {
  readonly id: number;
  readonly kind: ValueKind;
  readonly length: number;
  /** Known for inputs, externals and node outputs; constants are flat. */
  shape: Shape;
  /** Input name, or the external tensor's name. */
  readonly name?: string;
  readonly data?: Float32Array;
  readonly external?: Tensor;
}

export interface GraphNode {
  readonly index: number;
  readonly op: string;
  readonly inputs: readonly number[];
  readonly attrs: Attrs;
  readonly shape: Shape;
  /** The value written: a new one, or input 0's for an in-place op (optimizer update, assign). */
  readonly output: number;
  readonly inPlace: boolean;
  /** The model layer whose forward (or gradient) traced the node, for errors that name it. */
  readonly label?: string;
}

/** A symbolic storage: which graph value a traced tensor holds. */
export interface TraceStorage extends Storage {
  readonly id: number;
}

/**
 * A backend that runs nothing: every op called on its tensors appends a node, so
 * the same layer code, loss and gradient rules that run eagerly also build the graph
 * a training step is compiled from. Shapes are inferred (and bad ones rejected) by
 * the ops as they are traced.
 */
export class TraceBackend implements Backend {
  readonly name = 'trace' as const;
  readonly values: GraphValue[] = [];
  readonly nodes: GraphNode[] = [];
  private readonly externals = new Map<Tensor, Tensor>();
  /** Labels the nodes traced from now on (the layer being traced); set by Model.forwardAll and autograd. */
  label: string | undefined;
  private readonly inputNames = new Set<string>();

  private addValue(v: Omit<GraphValue, 'id'>): TraceStorage {
    const id = this.values.length;
    this.values.push({ ...v, id });
    return { id, length: v.length };
  }

  /** A value the host writes before every run. */
  input(name: string, shape: Shape): Tensor {
    if (this.inputNames.has(name)) throw new Error(`graph: input '${name}' is declared twice`);
    this.inputNames.add(name);
    return new Tensor(this, this.addValue({ kind: 'input', length: sizeOf(shape), shape, name }), shape);
  }

  /** The traced stand-in for a real tensor (a weight or state); one per tensor. */
  external(t: Tensor, name = 'external'): Tensor {
    if (t.backend === this) return t;
    let traced = this.externals.get(t);
    if (!traced) {
      t.storageFor(`graph external '${name}'`);
      traced = new Tensor(this, this.addValue({ kind: 'external', length: t.size, shape: t.shape, name, external: t }), t.shape);
      this.externals.set(t, traced);
    }
    return traced;
  }

  upload(data: Float32Array | Float64Array): Storage {
    return this.addValue({ kind: 'const', length: data.length, shape: [data.length], data: Float32Array.from(data) });
  }

  write(): void {
    throw new Error('write: a traced tensor has no storage; feed graph inputs when running the compiled graph');
  }

  async read(): Promise<Float32Array> {
    throw new Error('read: a traced tensor has no values; compile the graph and run it');
  }

  release(): void {
    // Lifetimes are decided by the planner from the whole graph, not by the tracer.
  }

  run(op: string, inputs: readonly KernelInput[], attrs: Attrs, outShape: Shape): Storage {
    const ids = inputs.map((i) => (i.storage as TraceStorage).id);
    inputs.forEach((input, k) => {
      const v = this.values[ids[k]];
      if (v.kind === 'const' && v.shape.length === 1 && v.length === sizeOf(input.shape)) v.shape = input.shape;
    });
    const def = getOp(op);
    const index = this.nodes.length;
    if (def.mutates) {
      for (const k of def.mutates) {
        const id = ids[k];
        if (id === undefined) continue;
        const target = this.values[id];
        if (target.kind !== 'external') {
          throw new Error(
            `graph: ${op} writes input ${k} in place, which must be a persistent tensor (a weight or state), not a ${target.kind} of shape ${formatShape(target.shape)}`,
          );
        }
      }
      this.nodes.push({ index, op, inputs: ids, attrs, shape: outShape, output: ids[0], inPlace: true, label: this.label });
      return inputs[0].storage;
    }
    const storage = this.addValue({ kind: 'node', length: sizeOf(outShape), shape: outShape });
    this.nodes.push({ index, op, inputs: ids, attrs, shape: outShape, output: storage.id, inPlace: false, label: this.label });
    return storage;
  }

  kernelNames(): string[] {
    return [];
  }

  /** The value a traced tensor holds. */
  valueOf(t: Tensor): GraphValue {
    if (t.backend !== this) throw new Error(`graph: ${t} does not belong to this graph`);
    return this.values[(t.storageFor('graph') as TraceStorage).id];
  }

  /** A fresh tensor handle on a value (never disposed by scopes the tracer does not own). */
  handle(id: number, shape: Shape = this.values[id].shape): Tensor {
    return new Tensor(this, { id, length: this.values[id].length } as TraceStorage, shape);
  }
}
