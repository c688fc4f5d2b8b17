import type { Shape } from '../shape';

/** What a backend keeps for one tensor: a Float32Array on the CPU, a GPUBuffer on WebGPU. */
export interface Storage {
  /** Number of float32 elements held. */
  readonly length: number;
}

/** One input to a kernel: its storage and shape. */
export interface KernelInput<S extends Storage = Storage> {
  readonly storage: S;
  readonly shape: Shape;
}

/** Attributes of an op: plain data (numbers, booleans, strings, arrays of them). */
export type Attrs = Readonly<Record<string, unknown>>;

/**
 * The contract both backends fulfil. Ops never call a device directly: they ask the
 * backend to run a named kernel on storages, and only `read` waits.
 */
export interface Backend {
  readonly name: 'cpu' | 'webgpu' | 'trace';
  /**
   * Storage buffers one kernel may bind (WebGPU's maxStorageBuffersPerShaderStage);
   * absent means no limit. Decides whether optimizer updates can run two tensors at once.
   */
  readonly maxStorageBuffersPerKernel?: number;
  /** The most bytes one tensor may hold on this backend (WebGPU's binding and buffer limits); absent means no limit. */
  readonly maxBindingBytes?: number;
  /** Copies host data into new storage. */
  upload(data: Float32Array | Float64Array): Storage;
  /** The GPU buffer behind a storage, after the work enqueued so far is submitted (GPU backends only). */
  gpuBuffer?(storage: Storage): { readonly buffer: GPUBuffer; readonly offset: number; readonly size: number };
  /** Resolves with a copy of the storage's values once all work writing it has run. */
  read(storage: Storage): Promise<Float32Array>;
  /**
   * Overwrites a storage's values from the host (same length), ordered after all work
   * enqueued before it: compiled graphs feed their inputs this way, checkpoints load.
   */
  write(storage: Storage, data: Float32Array): void;
  /** Frees storage (returns it to a pool); the caller guarantees it is not used again. */
  release(storage: Storage): void;
  /** Runs the kernel registered for `op` and returns the output storage of `outShape`. */
  run(op: string, inputs: readonly KernelInput[], attrs: Attrs, outShape: Shape): Storage;
  /** Op names this backend has kernels for. */
  kernelNames(): string[];
}
