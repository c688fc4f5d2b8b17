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

/**
 * What kernels store their operands in: 'f16' rounds matmul's and the convolution's
 * operands to f16 (numerics.ts's F16_OPERANDS) and sums them in float32; 'f32' is float32
 * throughout. Values between kernels are float32 either way.
 */
export type Precision = 'f32' | 'f16';

/** Attributes of an op: plain data (numbers, booleans, strings, arrays of them). */
export type Attrs = Readonly<Record<string, unknown>>;

/** What a backend counts of the work it asked of its device (WebGPU). */
export interface DeviceCounters {
  readonly dispatches: number;
  readonly submits: number;
  readonly readbacks: number;
  /** The most bytes of device memory held at once so far. */
  readonly peakBytes: number;
}

/** A graph run recorded once (pipelines, bind groups, buffers) and replayed as one submit. */
export interface RecordedRun {
  /** Kernel dispatches per replay. */
  readonly dispatches: number;
  /** Bytes of the buffers the recording holds (the run's working memory). */
  readonly bytes: number;
  /** Bytes the same buffers would take with one each and no reuse. */
  readonly bytesWithoutReuse: number;
  destroy(): void;
}

/** Records a run once and replays it: one submit per run instead of a dispatch at a time. */
export interface Recorder {
  /** Runs `fn` (which runs kernels) without executing anything, recording its work. */
  record(fn: () => void): RecordedRun;
  /** Submits a recording and resolves with the values of `reads` once the device is done. */
  replay(run: RecordedRun, reads: readonly Storage[]): Promise<Float32Array[]>;
}

/** The kernel-variant tuner, as the layers above the backend see it. */
export interface KernelTuning {
  /** Shape classes met for the first time and queued for timing. */
  readonly pendingCount: number;
  /** The variant each `kernel|shape class` ran (with more than one to choose from), by name. */
  usedChoices(): Record<string, string>;
}

/** Wall time of enqueued work until it completed, and GPU time where the device has timestamps. */
export interface Timing {
  wallMs: number;
  gpuMs: number | null;
}

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

  // Optional capabilities. A backend that has one offers the member; callers use `?.`,
  // so nothing above backends/ tests a backend's name or casts it to a class.

  /** Recording and replay of whole graph runs (WebGPU: one command buffer per step). */
  readonly recorder?: Recorder;
  /** Kernel-variant choices, where kernels have variants. */
  readonly tuner?: KernelTuning;
  /** Times the kernel variants the tuner queued; resolves with how many shape classes were tuned. */
  autotune?(): Promise<number>;
  /** Runs `fn` (which enqueues work) and measures it. */
  time?(fn: () => void): Promise<Timing>;
  /**
   * Runs `fn`, which runs (or records) the kernels of an inference pass, at the precision
   * the backend was created with for inference (WebGPU's `precision` option); every other
   * kernel, training's included, runs float32.
   */
  atInferencePrecision?<T>(fn: () => T): T;
  /** Runs `fn` and returns the shader of every dispatch it enqueued, in order. */
  traceShaders?<T>(fn: () => T): { result: T; shaders: string[] };
  /** The adapter the device came from. */
  readonly adapterInfo?: GPUAdapterInfo;
  /** Counters of the work asked of the device so far. */
  stats?(): DeviceCounters;
  /** Submits everything enqueued so far. */
  flush?(): void;
  /** Why the device was lost, once it has been (null while it works). */
  readonly lostInfo?: GPUDeviceLostInfo | null;
}
