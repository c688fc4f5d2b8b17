import type { Attrs, Backend, DeviceCounters, KernelInput, Precision, RecordedRun, Recorder, Storage, Timing } from '../backend';
import { assertValidShape, formatShape, sizeOf, type Shape } from '../../shape';
import { Tensor } from '../../tensor';
import { Autotuner, defaultStore, type TuneStore } from './autotune';
import { BufferPool } from './buffer_pool';
import { acquireDevice, type DeviceOptions } from './device';
import { foldWorkgroups } from './dispatch';
import type { AdapterTraits, Dispatch, GpuStorage, WebGPUKernelHost } from './kernel_host';
import { webgpuKernels } from './kernel_registry';
import { PipelineCache } from './pipeline_cache';
import { PRETUNED_CHOICES } from './pretuned_choices';
import { Recording } from './recording';
import { packUniforms } from './shader';

/** Where a tensor's values are on the GPU: valid until the tensor is disposed. */
export interface GpuBufferView {
  readonly buffer: GPUBuffer;
  /** Bytes from the start of the buffer (0 for the engine's own tensors). */
  readonly offset: number;
  /** Bytes of the tensor's values (4 per element). */
  readonly size: number;
}

export interface WebGPUBackendOptions extends DeviceOptions {
  /**
   * Lowers the per-dimension workgroup limit used for folding (never above the
   * device's); tests use it to exercise folded dispatches on small tensors.
   */
  maxWorkgroupsPerDimension?: number;
  /** Submit after this many dispatches even if nothing is read (bounds encoder size). */
  maxDispatchesPerSubmit?: number;
  /**
   * Time kernel variants per shape class and keep the fastest (default true). Off,
   * every kernel runs its first variant: results do not depend on timings (tests).
   * `{ budgetMs }`: at most that long per tuning pass; what it does not reach runs its first variant.
   */
  autotune?: boolean | { budgetMs: number };
  /** Where tuned choices persist (default: the command line's JSON file, else IndexedDB). */
  tuneStore?: TuneStore | null;
  /**
   * Start from the choices shipped for this adapter's GPU family (pretuned_choices.ts;
   * default true), so a first training step or prediction needs no tuning; this
   * machine's own stored choices take precedence. False: only what is tuned here.
   */
  pretuned?: boolean;
  /**
   * Replay a run's kernel choices (metrics.json's `tuning`, `kernel|shape class` to variant
   * name): those kernels run the named variant (one this adapter does not offer throws),
   * every other runs its first; nothing is timed, so results repeat bit for bit.
   */
  tuning?: Readonly<Record<string, string>>;
  /**
   * Offer the subgroup kernel variants where the device has `subgroups` (default true);
   * false keeps to kernels without them (a driver whose subgroups misbehave).
   */
  subgroups?: boolean;
  /**
   * What inference (`model.predict`, `model.features`) stores matmul and convolution
   * operands in (default 'f32'). 'f16' runs the f16 kernel rows (f16 operands, float32
   * sums and outputs) where one fits, and needs the adapter's `shader-f16` (else creating
   * the backend throws). Training always runs float32 on float32 master weights.
   */
  precision?: Precision;
  /**
   * The app's own device: the engine uses it and its limits as they are, adds no
   * listener to it (its errors are caught in error scopes around the engine's own
   * calls), and `destroy()` leaves it alive.
   */
  device?: GPUDevice;
}

/** Counters for what the engine asked of the device. */
export interface WebGPUStats extends DeviceCounters {
  buffersCreated: number;
  bytesInUse: number;
  pipelines: number;
}

/** The key of an adapter's shipped choices: vendor/architecture ("google/swiftshader", "nvidia/hopper"). */
export const gpuFamily = (info: Pick<GPUAdapterInfo, 'vendor' | 'architecture'>) => `${info.vendor}/${info.architecture}`;

/** Usage of every tensor buffer. A function, not a constant: GPUBufferUsage does not exist without WebGPU. */
const storageUsage = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/**
 * The WebGPU backend: eager ops append dispatches to one open command encoder, which
 * is submitted when a value is read, when `flush()` is called, or every
 * `maxDispatchesPerSubmit` dispatches.
 */
export class WebGPUBackend implements Backend, WebGPUKernelHost {
  readonly name = 'webgpu' as const;
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly maxWorkgroupsPerDimension: number;
  private readonly maxDispatchesPerSubmit: number;
  private encoder: GPUCommandEncoder | null = null;
  /** While timing: the query set whose slot 0 the next opened pass writes at its start. */
  private timingQueries: GPUQuerySet | null = null;
  private timingStarted = false;
  private pass: GPUComputePassEncoder | null = null;
  private dispatchesInEncoder = 0;
  private pendingError: Error | null = null;
  private lost: GPUDeviceLostInfo | null = null;
  private readonly counters = { dispatches: 0, submits: 0, readbacks: 0 };
  /** While `record` runs: where allocations, dispatches and copies go instead of the encoder. */
  private recording: Recording | null = null;

  readonly device: GPUDevice;
  readonly adapterInfo: GPUAdapterInfo;
  readonly isFallbackAdapter: boolean;
  /** Picks kernel variants per adapter and shape class (see autotune.ts). */
  readonly tuner: Autotuner;
  /** What kernel tables ask of the adapter (variants.ts). */
  readonly adapterTraits: AdapterTraits;
  /** What inference runs at (the `precision` option). */
  readonly inferencePrecision: Precision;
  /** What kernels run at now: the inference precision inside atInferencePrecision, else 'f32'. */
  private kernelPrecision: Precision = 'f32';
  /** While `traceShaders` runs: the shader of every dispatch, in order. */
  private shaderTrace: string[] | null = null;
  /** False for the app's device (options.device): no listeners on it, and destroy() leaves it alive. */
  readonly ownsDevice: boolean;
  /** The adapter and GPU entry point the device came from, held so they are not collected (Dawn in Node crashes at the next read otherwise). */
  readonly keepAlive: readonly unknown[];
  private constructor(
    device: GPUDevice,
    adapterInfo: GPUAdapterInfo,
    isFallbackAdapter: boolean,
    options: WebGPUBackendOptions,
    tuner: Autotuner,
    keepAlive: readonly unknown[],
  ) {
    this.device = device;
    this.adapterInfo = adapterInfo;
    this.isFallbackAdapter = isFallbackAdapter;
    this.tuner = tuner;
    this.adapterTraits = {
      fallback: isFallbackAdapter,
      subgroups: device.features.has('subgroups') && options.subgroups !== false,
      f16: device.features.has('shader-f16'),
      maxBindingBytes: Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize),
      maxWorkgroupStorageBytes: device.limits.maxComputeWorkgroupStorageSize,
      maxInvocations: device.limits.maxComputeInvocationsPerWorkgroup,
    };
    this.inferencePrecision = options.precision ?? 'f32';
    this.pool = new BufferPool(device);
    this.pipelines = new PipelineCache(device, (m) => this.recordError(m));
    const deviceMax = device.limits.maxComputeWorkgroupsPerDimension;
    this.maxWorkgroupsPerDimension = Math.min(options.maxWorkgroupsPerDimension ?? deviceMax, deviceMax);
    this.maxDispatchesPerSubmit = options.maxDispatchesPerSubmit ?? 256;
    this.ownsDevice = options.device === undefined;
    this.keepAlive = keepAlive;
    // A shared device gets no global listener: the app's own handlers stay the only ones.
    if (this.ownsDevice) device.addEventListener('uncapturederror', (e) => this.recordError((e as GPUUncapturedErrorEvent).error.message));
    void device.lost.then((info) => {
      this.lost = info;
    });
  }

  /** Acquires an adapter and device; throws with instructions when WebGPU is missing. */
  static async create(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
    if (options.precision !== undefined && options.precision !== 'f32' && options.precision !== 'f16')
      throw new Error(`createWebGPUBackend: precision must be 'f32' or 'f16', got '${options.precision}'`);
    const { device, info, isFallback, adapter } = options.device ? appDevice(options.device) : await acquireDevice(options);
    if (options.precision === 'f16' && !device.features.has('shader-f16')) {
      if (!options.device) device.destroy();
      throw new Error(
        `createWebGPUBackend: precision 'f16' needs the adapter's 'shader-f16' feature, which ${adapterName(info)} does not offer; ` +
          "leave precision at 'f32' (the default) on this adapter",
      );
    }
    const enabled = options.autotune !== false && options.tuning === undefined;
    const budgetMs = typeof options.autotune === 'object' ? options.autotune.budgetMs : undefined;
    const adapterKey = [info.vendor, info.architecture, info.device, info.description].join('/');
    const pretuned = options.pretuned === false ? undefined : PRETUNED_CHOICES[gpuFamily(info)];
    const tuner = new Autotuner(enabled, adapterKey, enabled ? (options.tuneStore === undefined ? defaultStore() : options.tuneStore) : null, {
      budgetMs,
      pretuned,
      replay: options.tuning,
    });
    await tuner.load();
    return new WebGPUBackend(device, info, isFallback, options, tuner, [adapter, options.gpu]);
  }

  /** The precision kernels run at now (kernel_host.ts): the inference precision inside atInferencePrecision, else 'f32'. */
  get precision(): Precision {
    return this.kernelPrecision;
  }

  /** Runs `fn` with kernels at `precision`; 'f16' needs the device's shader-f16. */
  withPrecision<T>(precision: Precision, fn: () => T): T {
    if (precision === 'f16' && !this.adapterTraits.f16)
      throw new Error(`precision 'f16' needs the adapter's 'shader-f16' feature, which ${adapterName(this.adapterInfo)} does not offer`);
    const before = this.kernelPrecision;
    this.kernelPrecision = precision;
    try {
      return fn();
    } finally {
      this.kernelPrecision = before;
    }
  }

  /** Runs `fn` (an inference pass's kernels) at the inference precision (the `precision` option). */
  atInferencePrecision<T>(fn: () => T): T {
    return this.withPrecision(this.inferencePrecision, fn);
  }

  /** Times the kernel variants queued by shape classes not seen before; returns how many were tuned. */
  autotune(): Promise<number> {
    if (this.recording) throw new Error('autotune: cannot tune while recording');
    return this.tuner.tune(this);
  }

  get maxStorageBuffersPerKernel(): number {
    return this.device.limits.maxStorageBuffersPerShaderStage;
  }

  /** The most bytes one storage binding (and one buffer) may hold on this device. */
  get maxBindingBytes(): number {
    return Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
  }

  get features(): ReadonlySet<string> {
    return this.device.features;
  }

  stats(): WebGPUStats {
    return {
      ...this.counters,
      buffersCreated: this.pool.created,
      peakBytes: this.pool.peakBytes,
      bytesInUse: this.pool.bytesInUse,
      pipelines: this.pipelines.size,
    };
  }

  /**
   * Keeps the first error, except that a root cause (a shader that does not compile)
   * replaces a follow-on one ("... is invalid due to a previous error"), whatever order
   * the device reported them in.
   */
  private recordError(message: string): void {
    const followOn = (m: string) => m.includes('due to a previous error');
    if (!this.pendingError || (followOn(this.pendingError.message) && !followOn(message))) {
      this.pendingError = new Error(`WebGPU error: ${message}`);
    }
  }

  /** Why the device was lost, once it has been (null while it works). */
  get lostInfo(): GPUDeviceLostInfo | null {
    return this.lost;
  }

  /** Throws if the device was lost or reported an error since the last check. */
  checkHealthy(op: string): void {
    if (this.lost) throw new Error(`${op}: ${describeLoss(this.lost)}`);
    const e = this.pendingError;
    if (e) {
      this.pendingError = null;
      throw new Error(`${op}: ${e.message}`);
    }
  }

  /** Allocates output storage for `op`, checking the adapter's buffer limits first. */
  allocate(op: string, shape: Shape): GpuStorage {
    const length = sizeOf(shape);
    const bytes = length * 4;
    const limit = this.maxBindingBytes;
    if (bytes > limit) {
      const which = limit === this.device.limits.maxBufferSize ? 'maxBufferSize' : 'maxStorageBufferBindingSize';
      throw new RangeError(`${op}: a tensor of shape ${formatShape(shape)} needs ${bytes} bytes, over the adapter's ${which} of ${limit} bytes`);
    }
    const buffer = this.recording ? this.recording.acquire(bytes, storageUsage(), op) : this.pool.acquire(bytes, storageUsage(), op);
    return { buffer, length };
  }

  upload(input: Float32Array | Float64Array): GpuStorage {
    this.checkHealthy('tensor');
    const data = input instanceof Float32Array ? input : Float32Array.from(input);
    const storage = this.allocate('tensor', [data.length]);
    if (data.length > 0) this.device.queue.writeBuffer(storage.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return storage;
  }

  release(storage: Storage): void {
    if ((storage as GpuStorage).external) return; // the app's buffer: the app frees it
    const buffer = (storage as GpuStorage).buffer;
    if (this.recording?.release(buffer)) return;
    this.pool.release(buffer);
  }

  write(storage: Storage, data: Float32Array): void {
    this.checkHealthy('write');
    if (data.length !== storage.length) throw new Error(`write: ${data.length} values for a storage of ${storage.length}`);
    // Earlier enqueued work may read this buffer: submit it first, since queue writes
    // land ahead of commands that are still being encoded.
    if (this.encoder) this.flush();
    if (data.length > 0) this.device.queue.writeBuffer((storage as GpuStorage).buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  run(op: string, inputs: readonly KernelInput[], attrs: Attrs, outShape: Shape): Storage {
    const kernel = webgpuKernels[op];
    if (!kernel) throw new Error(`${op}: the webgpu backend has no kernel for this op`);
    this.checkHealthy(op);
    return kernel(this, inputs as readonly KernelInput<GpuStorage>[], attrs, outShape);
  }

  kernelNames(): string[] {
    return Object.keys(webgpuKernels).sort();
  }

  /** Enqueues one compute dispatch, binding buffers and uniforms by their WGSL names. */
  dispatch(d: Dispatch): void {
    if (d.workgroups === 0) return;
    this.shaderTrace?.push(d.spec.name);
    const compiled = this.pipelines.get(d.spec, d.overrides ?? {});
    const entries: GPUBindGroupEntry[] = [];
    const given = new Set(Object.keys(d.buffers));
    let uniformBuffer: GPUBuffer | null = null;
    for (const b of compiled.reflected.bindings) {
      if (b.kind === 'uniform') {
        const data = packUniforms(d.spec.name, compiled.reflected.uniform!, d.uniforms ?? {});
        if (this.recording) {
          entries.push({ binding: b.binding, resource: { buffer: this.recording.uniform(data, `${d.spec.name} params`) } });
          continue;
        }
        uniformBuffer = this.pool.acquire(data.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, `${d.spec.name} params`);
        this.device.queue.writeBuffer(uniformBuffer, 0, data);
        entries.push({ binding: b.binding, resource: { buffer: uniformBuffer } });
        continue;
      }
      const storage = d.buffers[b.name];
      if (!storage) throw new Error(`${d.spec.name}: no buffer given for binding '${b.name}'`);
      given.delete(b.name);
      entries.push({ binding: b.binding, resource: { buffer: storage.buffer } });
    }
    if (given.size > 0) throw new Error(`${d.spec.name}: ${[...given].join(', ')} not bindings of ${d.spec.name}.wgsl`);
    const bindGroup = this.guarded(() => this.device.createBindGroup({ label: compiled.key, layout: compiled.layout, entries }));
    const [x, y, z] = foldWorkgroups(d.workgroups, this.maxWorkgroupsPerDimension);
    if (this.recording) {
      this.recording.commands.push({ kind: 'dispatch', pipeline: compiled.pipeline, bindGroup, workgroups: [x, y, z] });
      return;
    }
    const pass = this.openPass();
    pass.setPipeline(compiled.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    if (uniformBuffer) this.pool.release(uniformBuffer);
    this.counters.dispatches++;
    if (++this.dispatchesInEncoder >= this.maxDispatchesPerSubmit) this.flush();
  }

  /**
   * Runs `fn` and returns the shader of every dispatch it enqueued, in order (eager or
   * recorded): which kernel variant really ran, for parity tests and the profiler.
   */
  traceShaders<T>(fn: () => T): { result: T; shaders: string[] } {
    const outer = this.shaderTrace;
    const shaders: string[] = [];
    this.shaderTrace = shaders;
    try {
      const result = fn();
      return { result, shaders };
    } finally {
      outer?.push(...shaders);
      this.shaderTrace = outer;
    }
  }

  /** A new storage of `shape` holding a copy of `source` (same element count), copied on the GPU. */
  copy(op: string, source: GpuStorage, shape: Shape): GpuStorage {
    const out = this.allocate(op, shape);
    this.copyInto(source, out, 0, out.length);
    return out;
  }

  /** Copies `count` floats of `source` into `target` starting at float `offset`, on the GPU. */
  copyInto(source: GpuStorage, target: GpuStorage, offset: number, count: number): void {
    if (count === 0) return;
    if (this.recording) {
      this.recording.commands.push({ kind: 'copy', source: source.buffer, target: target.buffer, offset: offset * 4, bytes: count * 4 });
      return;
    }
    this.closePass();
    this.openEncoder().copyBufferToBuffer(source.buffer, 0, target.buffer, offset * 4, count * 4);
  }

  /** Records graph runs and replays them as one submit each: this backend itself (`record`, `replay`). */
  get recorder(): Recorder {
    return this;
  }

  /**
   * Runs `fn` (which runs kernels) without executing anything: its dispatches and
   * copies, with pipelines and bind groups made once, go into a Recording that
   * `replay` submits as one command buffer, as often as needed. Storage allocated
   * inside belongs to the recording (see Recording).
   */
  record(fn: () => void): Recording {
    if (this.recording) throw new Error('record: already recording');
    this.checkHealthy('record');
    this.flush();
    const recording = new Recording(this.device, this.pool);
    this.recording = recording;
    try {
      fn();
    } catch (e) {
      recording.destroy();
      throw e;
    } finally {
      this.recording = null;
    }
    this.checkHealthy('record');
    return recording;
  }

  /**
   * Submits a recording as one command buffer (after any pending eager work), copying
   * `reads` into one staging buffer in the same submit. Resolves with their values
   * when the GPU is done; the caller need not wait before replaying again.
   */
  replay(run: RecordedRun, reads: readonly Storage[] = []): Promise<Float32Array[]> {
    if (!(run instanceof Recording)) throw new Error('replay: not a recording of the webgpu backend');
    const recording = run;
    this.checkHealthy('replay');
    if (this.recording) throw new Error('replay: cannot replay while recording');
    this.flush();
    const encoder = this.device.createCommandEncoder({ label: 'recorded run' });
    recording.encode(encoder);
    const bytes = reads.reduce((n, r) => n + r.length * 4, 0);
    const staging = bytes > 0 ? this.pool.acquire(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'replay readback') : null;
    let at = 0;
    for (const r of reads) {
      if (r.length > 0) encoder.copyBufferToBuffer((r as GpuStorage).buffer, 0, staging!, at, r.length * 4);
      at += r.length * 4;
    }
    this.device.queue.submit([encoder.finish()]);
    this.counters.submits++;
    this.counters.dispatches += recording.dispatches;
    this.pool.afterSubmit();
    if (!staging) return Promise.resolve(reads.map(() => new Float32Array(0)));
    this.counters.readbacks++;
    return staging.mapAsync(GPUMapMode.READ, 0, bytes).then(
      () => {
        const all = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
        staging.unmap();
        this.pool.release(staging);
        let offset = 0;
        return reads.map((r) => all.subarray(offset, (offset += r.length)));
      },
      async (e: Error) => {
        await this.settleLoss();
        this.checkHealthy('replay');
        throw new Error(`replay: mapping the readback failed: ${e.message}`);
      },
    );
  }

  /**
   * A failed map is often the first sign of a lost device, before `device.lost` has
   * resolved: give it a moment, so the error says the device was lost instead of only
   * that a mapping failed.
   */
  private async settleLoss(): Promise<void> {
    if (this.lost) return;
    const info = await Promise.race([this.device.lost, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
    if (info) this.lost = info;
  }

  private openEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: 'eager ops' });
    return this.encoder;
  }

  private openPass(): GPUComputePassEncoder {
    if (!this.pass && this.timingQueries && !this.timingStarted) {
      this.timingStarted = true;
      this.pass = this.openEncoder().beginComputePass({ timestampWrites: { querySet: this.timingQueries, beginningOfPassWriteIndex: 0 } });
    }
    this.pass ??= this.openEncoder().beginComputePass();
    return this.pass;
  }

  /**
   * Runs `fn` (which enqueues GPU work) and measures it: wall time from enqueue to
   * completion, and GPU time from timestamp queries written at the start of its first
   * compute pass and by an empty pass after its last, when the device has
   * 'timestamp-query' (gpuMs is null otherwise).
   */
  async time(fn: () => void): Promise<Timing> {
    await this.sync();
    const timestamps = this.device.features.has('timestamp-query');
    const querySet = timestamps ? this.device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
    this.timingQueries = querySet;
    this.timingStarted = false;
    const start = performance.now();
    try {
      fn();
    } finally {
      this.timingQueries = null;
    }
    let gpuMs: number | null = null;
    if (querySet) {
      this.closePass();
      const encoder = this.openEncoder();
      encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 1 } }).end();
      const resolved = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
      const staging = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      encoder.resolveQuerySet(querySet, 0, 2, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, staging, 0, 16);
      this.flush();
      await staging.mapAsync(GPUMapMode.READ);
      const [t0, t1] = new BigInt64Array(staging.getMappedRange());
      // A pass that never opened (fn enqueued nothing) leaves slot 0 unwritten.
      gpuMs = this.timingStarted ? Number(t1 - t0) / 1e6 : 0;
      staging.unmap();
      for (const b of [resolved, staging]) b.destroy();
      querySet.destroy();
    }
    await this.sync();
    return { wallMs: performance.now() - start, gpuMs };
  }

  private closePass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Submits everything enqueued so far. */
  flush(): void {
    if (this.recording) throw new Error('flush: a recorded run cannot submit or read; read its outputs after replay');
    this.closePass();
    if (this.encoder) {
      const encoder = this.encoder;
      this.guarded(() => this.device.queue.submit([encoder.finish()]));
      this.counters.submits++;
    }
    this.encoder = null;
    this.dispatchesInEncoder = 0;
    this.pool.afterSubmit();
  }

  /** Resolves when the GPU has finished all submitted work. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.checkHealthy('sync');
  }

  async read(storage: Storage): Promise<Float32Array> {
    this.checkHealthy('read');
    const bytes = storage.length * 4;
    if (bytes === 0) return new Float32Array(0);
    const staging = this.pool.acquire(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback');
    this.closePass();
    this.openEncoder().copyBufferToBuffer((storage as GpuStorage).buffer, 0, staging, 0, bytes);
    this.flush();
    this.counters.readbacks++;
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    } catch (e) {
      await this.settleLoss();
      this.checkHealthy('read');
      throw new Error(`read: mapping the readback buffer failed: ${(e as Error).message}`);
    }
    const out = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    staging.unmap();
    this.pool.release(staging);
    this.checkHealthy('read');
    return out;
  }

  /**
   * Runs device calls of the engine's; on the app's device inside a validation error
   * scope, so an error of ours reaches this backend (and the next read throws it) and
   * never the app's uncapturederror handlers.
   */
  guarded<T>(fn: () => T): T {
    if (this.ownsDevice) return fn();
    this.device.pushErrorScope('validation');
    try {
      return fn();
    } finally {
      void this.device.popErrorScope().then((e) => e && this.recordError(e.message));
    }
  }

  /** The buffer behind a storage, after the work enqueued so far is submitted (t.gpuBuffer()). */
  gpuBuffer(storage: Storage): GpuBufferView {
    if (this.recording) throw new Error('gpuBuffer: not while recording');
    this.flush();
    return { buffer: (storage as GpuStorage).buffer, offset: 0, size: storage.length * 4 };
  }

  /**
   * A storage over the app's buffer: with `zeroCopy` the buffer itself (it needs STORAGE
   * usage; the engine never pools, reuses or destroys it), else a copy on the GPU (it
   * needs COPY_SRC).
   */
  wrapBuffer(buffer: GPUBuffer, length: number, zeroCopy: boolean): GpuStorage {
    this.checkHealthy('tensorFromGPUBuffer');
    const bytes = length * 4;
    if (buffer.size < bytes) throw new Error(`tensorFromGPUBuffer: the buffer holds ${buffer.size} bytes, the shape needs ${bytes}`);
    if (zeroCopy) {
      if (!(buffer.usage & GPUBufferUsage.STORAGE))
        throw new Error('tensorFromGPUBuffer: zeroCopy needs a buffer created with GPUBufferUsage.STORAGE (add it, or pass zeroCopy: false to copy)');
      return { buffer, length, external: true };
    }
    if (!(buffer.usage & GPUBufferUsage.COPY_SRC)) throw new Error('tensorFromGPUBuffer: copying needs a buffer created with GPUBufferUsage.COPY_SRC');
    const out = this.allocate('tensorFromGPUBuffer', [length]);
    if (length > 0) {
      this.closePass();
      this.openEncoder().copyBufferToBuffer(buffer, 0, out.buffer, 0, bytes);
      // Submitted now: the copy holds the buffer's values as of this call, not after the app's later writes.
      this.flush();
    }
    return out;
  }

  /** Releases the engine's buffers, and the device if the engine created it; the backend cannot be used afterwards. */
  destroy(): void {
    this.flush();
    this.pool.trim();
    if (this.ownsDevice) this.device.destroy();
  }
}

/** The app's device as the backend needs it: its adapter's info (GPUDevice.adapterInfo where the browser has it). */
function appDevice(device: GPUDevice): { device: GPUDevice; info: GPUAdapterInfo; isFallback: boolean; adapter: null } {
  const info =
    (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo ??
    ({ vendor: 'unknown', architecture: 'app device', device: '', description: '' } as GPUAdapterInfo);
  return { device, info, isFallback: (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true, adapter: null };
}

/** The adapter as a person names it: vendor, architecture and description (or device). */
function adapterName(info: GPUAdapterInfo): string {
  const detail = info.description || info.device;
  return `the adapter ${[info.vendor, info.architecture].filter(Boolean).join(' ') || 'of unknown vendor'}${detail ? ` (${detail})` : ''}`;
}

/** What a lost device means for the caller, and what to do. */
function describeLoss(info: GPUDeviceLostInfo): string {
  return (
    `the WebGPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}). Everything on it (weights, optimizer state, compiled steps) is gone: ` +
    'create a new backend (createWebGPUBackend()), build the model on it and load the last checkpoint (npm run train -- --resume DIR continues a command-line run)'
  );
}

/** Creates the WebGPU backend (see `WebGPUBackend.create`). */
export function createWebGPUBackend(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
  return WebGPUBackend.create(options);
}

export interface TensorFromGPUBufferOptions {
  /**
   * Use the app's buffer itself (it needs GPUBufferUsage.STORAGE): the engine never pools,
   * reuses or destroys it, and disposing the tensor leaves it as it is. Default false:
   * the values are copied into a buffer of the engine's (it needs COPY_SRC).
   */
  zeroCopy?: boolean;
}

/** A tensor over an app's GPUBuffer (float32 values, row-major) on the backend's device. */
export function tensorFromGPUBuffer(backend: WebGPUBackend, buffer: GPUBuffer, shape: Shape, options: TensorFromGPUBufferOptions = {}): Tensor {
  assertValidShape('tensorFromGPUBuffer', shape);
  return new Tensor(backend, backend.wrapBuffer(buffer, sizeOf(shape), options.zeroCopy ?? false), shape);
}
