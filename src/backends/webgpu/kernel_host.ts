// What a WebGPU kernel launcher may ask of the backend: allocate and release storage,
// enqueue dispatches and copies, read the adapter's traits and ask the tuner. Kernels
// import this narrow host, never WebGPUBackend, which implements it and reads the
// kernels' tables (kernel_registry.ts): no kernel imports the backend that imports it.
import type { Attrs, KernelInput, Precision, Storage } from '../backend';
import type { Shape } from '../../shape';
import type { Autotuner } from './autotune';
import type { OverrideValues } from './pipeline_cache';
import type { ShaderSpec, UniformValues } from './shader';

/** A tensor's GPU buffer. The buffer may be larger than `length` floats (size classes). */
export interface GpuStorage extends Storage {
  readonly buffer: GPUBuffer;
  /** The app's buffer (tensorFromGPUBuffer with zeroCopy): never pooled, reused or destroyed by the engine. */
  readonly external?: boolean;
}

/** What a variant's `fits` may ask of the adapter. */
export interface AdapterTraits {
  /** A CPU-backed adapter (SwiftShader here): kernels tuned on it lead only there. */
  fallback: boolean;
  /** The device has the `subgroups` feature (WGSL `enable subgroups;`). */
  subgroups: boolean;
  /** The device has `shader-f16`. */
  f16: boolean;
  /** The largest storage buffer binding, in bytes. */
  maxBindingBytes: number;
  /** Workgroup memory per workgroup, in bytes. */
  maxWorkgroupStorageBytes: number;
  /** Invocations per workgroup. */
  maxInvocations: number;
}

/** One compute dispatch: a shader, its overrides, buffers and uniforms by their WGSL names. */
export interface Dispatch {
  spec: ShaderSpec;
  overrides?: OverrideValues;
  /** Storage buffers by the names the shader declares. */
  buffers: Record<string, GpuStorage>;
  /** Members of the shader's `params` uniform struct. */
  uniforms?: UniformValues;
  /** Workgroups to run; folded over x, y and z as the limit requires. */
  workgroups: number;
}

/** The tuner as a variant table sees it (variants.ts's runFamily): a forced name and the choice. */
export type KernelTuner = Pick<Autotuner, 'forcedName' | 'pick'>;

/** The backend as a kernel launcher sees it. */
export interface WebGPUKernelHost {
  /** What kernel tables ask of the adapter (variants.ts). */
  readonly adapterTraits: AdapterTraits;
  /** Picks kernel variants per adapter and shape class. */
  readonly tuner: KernelTuner;
  /** The precision kernels run at now: 'f16' inside an inference pass of a backend created with it, else 'f32'. */
  readonly precision: Precision;
  /** Allocates output storage for `op`, checking the adapter's buffer limits first. */
  allocate(op: string, shape: Shape): GpuStorage;
  /** Frees a temporary; buffers go back to the pool only after the submit that used them. */
  release(storage: Storage): void;
  /** Enqueues one compute dispatch, binding buffers and uniforms by their WGSL names. */
  dispatch(d: Dispatch): void;
  /** A new storage of `shape` holding a copy of `source` (same element count), copied on the GPU. */
  copy(op: string, source: GpuStorage, shape: Shape): GpuStorage;
  /** Copies `count` floats of `source` into `target` starting at float `offset`, on the GPU. */
  copyInto(source: GpuStorage, target: GpuStorage, offset: number, count: number): void;
}

/** A WebGPU kernel launcher: allocates the output and enqueues its dispatches. */
export type WebGPUKernel = (host: WebGPUKernelHost, inputs: readonly KernelInput<GpuStorage>[], attrs: Attrs, outShape: Shape) => GpuStorage;

/** What each module under kernels/ exports as `kernels`: its launchers by op name (kernel_registry.ts collects them). */
export type WebGPUKernels = Readonly<Record<string, WebGPUKernel>>;
