import type { Attrs, KernelInput } from '../backends/backend';
import { formatShape, type Shape } from '../shape';
import { forgetUploadedValues, Tensor } from '../tensor';

/**
 * An op declared once: its name (shared by the shader, both kernels and the test),
 * how many inputs it takes, and shape inference that throws errors naming the op.
 */
export interface OpDef<A extends Attrs = Attrs> {
  readonly name: string;
  /** Number of tensor inputs, or a range for ops with optional inputs (matmul's bias). */
  readonly inputs: number | readonly [min: number, max: number];
  /** The output shape, or a thrown Error naming the op, the shapes and the attribute. */
  inferShape(inputs: readonly Shape[], attrs: A): Shape;
  /**
   * The gradient rule, written with other ops: given the inputs, the output and the
   * gradient of the loss with respect to the output, the gradient for each input
   * (null where an input takes none, such as integer labels).
   */
  grad?(inputs: readonly Tensor[], output: Tensor, dy: Tensor, attrs: A): (Tensor | null)[];
  /**
   * Inputs the kernel overwrites in place (optimizer updates, assign). Such an op makes
   * no new storage: its output is input 0 itself, and the graph only lets it write
   * persistent tensors (parameters and optimizer or running state).
   */
  readonly mutates?: readonly number[];
}

/** Registered op declarations by name; filled by `defineOp`. */
// biome-ignore lint/suspicious/noExplicitAny: one map holds ops of every attribute type; getOp's callers know theirs
const registry = new Map<string, OpDef<any>>();

/** Declares an op and adds it to the registry the kernel-coverage test reads. */
export function defineOp<A extends Attrs>(def: OpDef<A>): OpDef<A> {
  if (registry.has(def.name)) throw new Error(`defineOp: op '${def.name}' is declared twice`);
  registry.set(def.name, def);
  return def;
}

/** Every declared op name. */
export function opNames(): string[] {
  return [...registry.keys()].sort();
}

export function getOp(name: string): OpDef {
  const def = registry.get(name);
  if (!def) throw new Error(`unknown op '${name}'; known ops: ${opNames().join(', ')}`);
  return def;
}

/**
 * Checks inputs (count, not disposed, one backend), infers the output shape and runs
 * the backend's kernel. This is the one door every eager op goes through.
 */
export function runOp<A extends Attrs>(def: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  const [min, max] = typeof def.inputs === 'number' ? [def.inputs, def.inputs] : def.inputs;
  if (inputs.length < min || inputs.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw new Error(`${def.name}: expected ${want} inputs, got ${inputs.length}`);
  }
  const backend = inputs[0].backend;
  for (const t of inputs) {
    if (t.backend !== backend) {
      throw new Error(
        `${def.name}: inputs live on different backends (${inputs.map((x) => `${formatShape(x.shape)} on ${x.backend.name}`).join(', ')}); move them to one backend first`,
      );
    }
  }
  const kernelInputs: KernelInput[] = inputs.map((t) => ({ storage: t.storageFor(def.name), shape: t.shape }));
  const outShape = def.inferShape(
    inputs.map((t) => t.shape),
    attrs,
  );
  const storage = backend.run(def.name, kernelInputs, attrs, outShape);
  if (def.mutates) {
    if (storage !== kernelInputs[0].storage) throw new Error(`${def.name}: an in-place kernel must return its first input's storage`);
    forgetUploadedValues(inputs[0]);
    return inputs[0];
  }
  return new Tensor(backend, storage, outShape);
}

/** Runs a registered op by name (used by the parity harness and the graph). */
export function runOpByName(name: string, inputs: readonly Tensor[], attrs: Attrs): Tensor {
  return runOp(getOp(name), inputs, attrs);
}
