import type { Backend, RecordedRun, Recorder, Storage } from '../backends/backend';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import type { Plan } from './plan';

/** Counters of one compiled run, as the engine exposes them. */
export interface ProgramStats {
  /** Op nodes in the graph (reshapes included, though they run nothing). */
  nodes: number;
  /** Kernel dispatches per run (WebGPU; the CPU backend runs kernels directly). */
  dispatchesPerRun: number;
  /** Command-buffer submits per run: 1 on WebGPU. */
  submitsPerRun: number;
  /** Host readbacks per run (one staging copy holding every requested output). */
  readbacksPerRun: number;
  /** Bytes of the buffers holding the run's computed values (after liveness reuse). */
  workingBytes: number;
  /**
   * Bytes the same buffers would take with one each and no reuse, for comparison: on
   * WebGPU in the device's size classes and with kernel temporaries, as workingBytes.
   */
  unsharedBytes: number;
}

/**
 * A graph compiled for one backend. `run` writes the named inputs, enqueues the
 * whole graph and resolves with the values of `reads` (value ids among the plan's
 * outputs) without blocking later runs: on WebGPU each run is one replayed command
 * buffer and one submit, and its outputs come back through one mapped staging copy.
 */
export class Program {
  private readonly storages: (Storage | undefined)[];
  private readonly inputs = new Map<string, number>();
  /** The backend's recorder, where it has one: then every run replays one recording. */
  private readonly recorder: Recorder | null;
  private recording: RecordedRun | null = null;
  private readonly owned: Storage[] = [];
  /** The persistent tensors (weights, state) the program reads and writes in place, by graph name. */
  private readonly externals: { name: string; tensor: Tensor }[] = [];
  stats: ProgramStats;

  readonly backend: Backend;
  readonly plan: Plan;
  /** An inference pass: its kernels run at the backend's inference precision (atInferencePrecision). */
  private readonly inference: boolean;
  constructor(backend: Backend, plan: Plan, options: { inference?: boolean } = {}) {
    this.backend = backend;
    this.plan = plan;
    this.inference = options.inference === true;
    this.recorder = backend.recorder ?? null;
    this.storages = new Array(plan.values.length);
    for (const v of plan.values) {
      if (v.kind === 'external') {
        this.storages[v.id] = v.external!.storageFor(`graph external '${v.name}'`);
        this.externals.push({ name: v.name ?? `value ${v.id}`, tensor: v.external! });
      } else if (v.kind === 'const') this.own(v.id, backend.upload(v.data!));
      else if (v.kind === 'input') {
        this.own(v.id, backend.upload(new Float32Array(v.length)));
        this.inputs.set(v.name!, v.id);
      }
    }
    // Values the kept nodes compute, one buffer each (aliases and in-place writes make none).
    const unsharedBytes = plan.nodes
      .filter((n) => !n.inPlace && plan.root[n.output] === n.output)
      .reduce((bytes, n) => bytes + plan.values[n.output].length * 4, 0);
    let workingBytes = unsharedBytes;
    let withoutReuse = unsharedBytes;
    if (this.recorder) {
      this.recording = this.recorder.record(() => this.executeAtPrecision());
      workingBytes = this.recording.bytes;
      // The device's buffers come in size classes and kernels take temporaries: compare like with like.
      withoutReuse = this.recording.bytesWithoutReuse;
    }
    this.stats = {
      nodes: plan.nodes.length,
      dispatchesPerRun: this.recording?.dispatches ?? 0,
      submitsPerRun: this.recording ? 1 : 0,
      readbacksPerRun: 1,
      workingBytes,
      unsharedBytes: withoutReuse,
    };
  }

  /**
   * On a backend that records and tunes (WebGPU with autotuning on): times the kernel
   * variants of shape classes this program met for the first time, then records the
   * program again with the chosen variants. Resolves true when it re-recorded. Call
   * before the first run.
   */
  async autotune(): Promise<boolean> {
    const { recorder, backend } = this;
    if (!this.recording || !recorder || !backend.autotune || !backend.tuner?.pendingCount) return false;
    await backend.autotune();
    this.recording.destroy();
    this.recording = recorder.record(() => this.executeAtPrecision());
    this.stats = {
      ...this.stats,
      dispatchesPerRun: this.recording.dispatches,
      workingBytes: this.recording.bytes,
      unsharedBytes: this.recording.bytesWithoutReuse,
    };
    return true;
  }

  private own(id: number, s: Storage): void {
    this.storages[id] = s;
    this.owned.push(s);
  }

  /** Runs `fn` (kernels of this program's nodes) at the precision the program runs at: the backend's inference precision for an inference pass. */
  atPrecision<T>(fn: () => T): T {
    return this.inference && this.backend.atInferencePrecision ? this.backend.atInferencePrecision(fn) : fn();
  }

  private executeAtPrecision(): void {
    this.atPrecision(() => this.execute());
  }

  /** Runs every node once on the backend, releasing values after their last reader. */
  private execute(): void {
    const { nodes, root, freeAfter, values } = this.plan;
    const storageOf = (id: number) => this.storages[root[id]]!;
    nodes.forEach((node, i) => {
      if (node.op === 'reshape') return; // an alias: readers look up the root's storage
      const inputs = node.inputs.map((id) => ({ storage: storageOf(id), shape: values[id].shape }));
      const out = this.backend.run(node.op, inputs, node.attrs, node.shape);
      if (!node.inPlace) this.storages[node.output] = out;
      for (const id of freeAfter[i]) {
        this.backend.release(this.storages[id]!);
        this.storages[id] = undefined;
      }
    });
  }

  /** The storage a persistent value (input, external, constant, output) lives in. */
  storageOf(id: number): Storage {
    const s = this.storages[id];
    if (!s) throw new Error(`graph: value ${id} has no storage outside a run (it is an intermediate)`);
    return s;
  }

  /** Value id of an input by name. */
  inputId(name: string): number {
    const id = this.inputs.get(name);
    if (id === undefined) throw new Error(`graph: no input named '${name}' (inputs: ${[...this.inputs.keys()].join(', ')})`);
    return id;
  }

  /** Writes inputs, enqueues one run of the graph and resolves with the `reads` values. */
  run(feeds: Readonly<Record<string, Float32Array>>, reads: readonly number[] = []): Promise<Float32Array[]> {
    // A disposed tensor's buffer may already belong to another tensor: never write through it.
    const gone = this.externals.find((e) => e.tensor.disposed);
    if (gone)
      throw new Error(
        `graph: '${gone.name}', which this graph was compiled with, was disposed since (its model rebuilt or disposed?); compile the graph again`,
      );
    for (const id of reads) {
      if (!this.plan.outputs.includes(id)) throw new Error(`graph: value ${id} is not an output of this graph and is not kept after a run`);
    }
    for (const [name, data] of Object.entries(feeds)) {
      const id = this.inputId(name);
      const v = this.plan.values[id];
      if (data.length !== v.length) throw new Error(`graph: input '${name}' of shape ${formatShape(v.shape)} needs ${v.length} values, got ${data.length}`);
      this.backend.write(this.storages[id]!, data);
    }
    if (this.recorder && this.recording) {
      return this.recorder.replay(
        this.recording,
        reads.map((id) => this.storages[this.plan.root[id]]!),
      );
    }
    this.executeAtPrecision();
    return Promise.all(reads.map((id) => this.backend.read(this.storages[this.plan.root[id]]!)));
  }

  dispose(): void {
    this.recording?.destroy();
    this.recording = null;
    for (const s of this.owned) this.backend.release(s);
    this.owned.length = 0;
  }
}
