import type { Backend, Storage } from './backends/backend';
import { assertValidShape, formatShape, sizeOf, type Shape } from './shape';

/** Tensors created inside the innermost active `scope` call, freed when it returns. */
const scopeStack: Set<Tensor>[] = [];

/**
 * A float32 tensor living on one backend. Layout is row-major; images are NCHW and
 * filters OIHW. Values are read with `await t.read()`; memory is freed with `dispose()`
 * or by the enclosing `scope`.
 */
export class Tensor {
  readonly shape: Shape;
  readonly backend: Backend;
  private storageOrNull: Storage | null;

  constructor(backend: Backend, storage: Storage, shape: Shape) {
    this.backend = backend;
    this.storageOrNull = storage;
    this.shape = Object.freeze([...shape]);
    scopeStack[scopeStack.length - 1]?.add(this);
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get disposed(): boolean {
    return this.storageOrNull === null;
  }

  /** The backend storage; throws naming `op` if the tensor was disposed. */
  storageFor(op: string): Storage {
    if (this.storageOrNull === null) {
      throw new Error(`${op}: tensor of shape ${formatShape(this.shape)} was disposed and cannot be used again`);
    }
    return this.storageOrNull;
  }

  /** Copies the values to the host once every op writing them has run. */
  async read(): Promise<Float32Array> {
    return this.backend.read(this.storageFor('read'));
  }

  /** Overwrites the values (same count) after the work already enqueued. */
  write(values: ArrayLike<number>): void {
    if (values.length !== this.size) throw new Error(`write: ${values.length} values for a tensor of shape ${formatShape(this.shape)} (${this.size})`);
    this.backend.write(this.storageFor('write'), values instanceof Float32Array ? values : Float32Array.from(values));
  }

  /**
   * The GPU buffer holding the values, its byte offset and length, once the work that
   * writes them is submitted: for the app's own passes (render, compute, copies) on the
   * same device. It stays the tensor's: valid until the tensor is disposed.
   */
  gpuBuffer(): { readonly buffer: GPUBuffer; readonly offset: number; readonly size: number } {
    const storage = this.storageFor('gpuBuffer');
    if (!this.backend.gpuBuffer) throw new Error(`gpuBuffer: a tensor of the ${this.backend.name} backend has no GPU buffer`);
    return this.backend.gpuBuffer(storage);
  }

  /** Frees the storage. Disposing twice is harmless. */
  dispose(): void {
    if (this.storageOrNull === null) return;
    this.backend.release(this.storageOrNull);
    this.storageOrNull = null;
    for (const s of scopeStack) s.delete(this);
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}, ${this.backend.name}${this.disposed ? ', disposed' : ''})`;
  }
}

/** Creates a tensor on `backend` from data (copied) and a shape whose size must match. */
export function tensor(backend: Backend, data: ArrayLike<number>, shape: Shape): Tensor {
  assertValidShape('tensor', shape);
  const n = sizeOf(shape);
  if (data.length !== n) {
    throw new Error(`tensor: data has ${data.length} values but shape ${formatShape(shape)} needs ${n}`);
  }
  const values = data instanceof Float32Array || data instanceof Float64Array ? data : Float64Array.from(data);
  const t = new Tensor(backend, backend.upload(values), shape);
  if (shape.length === 1 && n <= UPLOAD_COPY_LIMIT) uploaded.set(t, Float32Array.from(values));
  return t;
}

/** Rank-1 tensors up to this many values keep a host copy of what was uploaded (class labels). */
const UPLOAD_COPY_LIMIT = 1 << 16;
const uploaded = new WeakMap<Tensor, Float32Array>();

/**
 * The values a small rank-1 tensor was created with, as stored (float32), while no op
 * has written into it; null otherwise. Lets host-side checks see labels that a GPU
 * kernel cannot check (it cannot throw).
 */
export function uploadedValues(t: Tensor): Float32Array | null {
  return uploaded.get(t) ?? null;
}

/** An op wrote into `t` in place: its upload copy no longer says what it holds. */
export function forgetUploadedValues(t: Tensor): void {
  uploaded.delete(t);
}

/** A tensor of zeros (or `value`) of the given shape. */
export function full(backend: Backend, shape: Shape, value = 0): Tensor {
  assertValidShape('full', shape);
  return tensor(backend, new Float32Array(sizeOf(shape)).fill(value), shape);
}

// biome-ignore lint/suspicious/noConfusingVoidType: scope's function may return nothing (void)
type Kept = Tensor | readonly Kept[] | { readonly [key: string]: Kept } | void | number | string | boolean | null;

function collectTensors(value: Kept, into: Set<Tensor>): void {
  if (value instanceof Tensor) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collectTensors(v, into);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) collectTensors(v as Kept, into);
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns (alone, in
 * arrays or in plain objects). Synchronous on purpose: ops only enqueue work, so a
 * scope never needs to span an `await`.
 */
export function scope<T extends Kept>(fn: () => T): T {
  const created = new Set<Tensor>();
  scopeStack.push(created);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) throw new Error('scope: the function must be synchronous; read values after the scope returns');
  } catch (e) {
    scopeStack.pop();
    for (const t of created) t.dispose();
    throw e;
  }
  scopeStack.pop();
  const kept = new Set<Tensor>();
  collectTensors(result, kept);
  for (const t of created) {
    if (kept.has(t)) scopeStack[scopeStack.length - 1]?.add(t);
    else t.dispose();
  }
  return result;
}

/** Removes a tensor from every active scope so it outlives them. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopeStack) s.delete(t);
  return t;
}
