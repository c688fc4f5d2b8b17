import type { Attrs, Precision } from '../backend';
import { Random } from '../../random';
import { sizeOf, type Shape } from '../../shape';

/** Enough to rerun a kernel on inputs of its own: op, input shapes, attributes, output shape. */
export interface TuneRequest {
  op: string;
  inputs: readonly Shape[];
  attrs: Attrs;
  outShape: Shape;
  /** The precision the kernel ran at, where not float32: the timing reruns it so (its rows are the f16 ones). */
  precision?: Precision;
}

/**
 * Choices shipped with the engine for one GPU family (vendor/architecture), measured by
 * `npm run tune` on that family: the winning variant's name by `kernel|shape class`.
 * Names, not indices, so a table outlives a change to a kernel's list of variants: a
 * name the list no longer has is ignored and that shape class is tuned as if unlisted.
 */
export type PretunedChoices = Readonly<Record<string, string>>;

/** Where choices persist between page loads: IndexedDB in the browser, a JSON file for the command line. */
export interface TuneStore {
  load(): Promise<Record<string, number>>;
  save(choices: Record<string, number>): Promise<void>;
}

/** What the tuner needs of the backend: run an op by name and time enqueued work. */
export interface TuneHost {
  upload(data: Float32Array): { length: number };
  release(storage: { length: number }): void;
  run(op: string, inputs: readonly { storage: { length: number }; shape: Shape }[], attrs: Attrs, outShape: Shape): { length: number };
  time(fn: () => void): Promise<{ wallMs: number; gpuMs: number | null }>;
  /** Runs `fn` with kernels at `precision`: a request queued at 'f16' is timed so (WebGPUBackend has it). */
  withPrecision?<T>(precision: Precision, fn: () => T): T;
}

/**
 * Timed runs per variant (after one warm-up run that compiles its pipeline), taken in
 * rounds of one run of each variant: on a shared machine a slow spell then falls on every
 * variant alike instead of on whichever was being timed (one variant's time can differ
 * widely between consecutive runs there, and timed variant by variant the tuner sometimes
 * kept the slower kernel).
 */
const TIMED_ROUNDS = 5;

/**
 * Picks kernel variants (tile shapes, loop orders, workgroup memory or registers) per
 * adapter and shape class by timing them. A launcher asks `pick`; a cached choice is
 * used at once, an unknown shape class runs variant 0 and is queued; `tune` times the
 * queued ones (GPU timestamps when the device has them) on inputs of their own, keeps
 * the fastest and saves the choices. Disabled, `pick` always answers 0 (deterministic).
 */
export class Autotuner {
  private readonly choices = new Map<string, number>();
  private readonly pending = new Map<string, { request: TuneRequest; variants: number }>();
  private forced: number | string | null = null;

  readonly enabled: boolean;
  /** Adapter identity in every key: a choice for one GPU says nothing about another. */
  readonly adapterKey: string;
  private readonly store: TuneStore | null;
  /** Milliseconds one tune() may spend timing; shape classes it does not reach keep variant 0 (not saved, so a later unbudgeted run tunes them). */
  readonly budgetMs: number | undefined;
  private readonly now: () => number;
  /** Shape classes a budget left at variant 0. */
  private readonly defaulted = new Set<string>();
  /** The shipped choices for this adapter's GPU family (consulted after this machine's own). */
  private readonly pretuned: PretunedChoices;
  /** What each key queued or timed here names: `kernel|shape class` and the variants' names. */
  private readonly described = new Map<string, { id: string; names: readonly string[] }>();
  /** Choices to replay (a run's recorded tuning): they alone decide; nothing is timed or queued. */
  private readonly replay: PretunedChoices | null;
  /** The variant each `kernel|shape class` ran (with more than one to choose from), for a run's record. */
  private readonly used = new Map<string, string>();
  constructor(
    enabled: boolean,
    adapterKey: string,
    store: TuneStore | null = null,
    options: { budgetMs?: number; now?: () => number; pretuned?: PretunedChoices; replay?: PretunedChoices } = {},
  ) {
    this.enabled = enabled;
    this.adapterKey = adapterKey;
    this.store = store;
    this.pretuned = options.pretuned ?? {};
    this.replay = options.replay ?? null;
    if (options.budgetMs !== undefined && !(options.budgetMs >= 0))
      throw new Error(`autotune: budgetMs must be a non-negative number of milliseconds, got ${options.budgetMs}`);
    this.budgetMs = options.budgetMs;
    this.now = options.now ?? (() => performance.now());
  }

  /** Loads the stored choices (a broken store is ignored: tuning only costs time). */
  async load(): Promise<void> {
    if (!this.store) return;
    try {
      for (const [k, v] of Object.entries(await this.store.load())) if (Number.isInteger(v) && v >= 0) this.choices.set(k, v);
    } catch {
      // An unreadable cache is the same as an empty one.
    }
  }

  /**
   * The variants' names are part of the key: a choice stored as an index stays valid only
   * for the same list, so adding, removing or reordering a kernel's variants makes it retune.
   */
  private key(kernel: string, shapeClass: string, variants: readonly string[]): string {
    return `${this.adapterKey}|${kernel}|${shapeClass}|${variants.join(',')}`;
  }

  /** The index into `variants` (the names of the variants that can run this shape) a kernel should run. */
  pick(kernel: string, shapeClass: string, variants: readonly string[], request: TuneRequest): number {
    const id = `${kernel}|${shapeClass}`;
    const index = this.choose(id, kernel, shapeClass, variants, request);
    if (variants.length > 1 && this.forced === null) this.used.set(id, variants[index]);
    return index;
  }

  /**
   * What each kernel with a choice ran so far, by `kernel|shape class`: a training run's
   * record (metrics.json's `tuning`), which `replay` runs again exactly.
   */
  usedChoices(): Record<string, string> {
    return Object.fromEntries([...this.used].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** The pick for `id` (`kernel|shape class`). */
  private choose(id: string, kernel: string, shapeClass: string, variants: readonly string[], request: TuneRequest): number {
    const count = variants.length;
    if (typeof this.forced === 'number') return Math.min(this.forced, count - 1);
    if (typeof this.forced === 'string') return Math.max(variants.indexOf(this.forced), 0);
    if (this.replay && count > 1) {
      if (!Object.hasOwn(this.replay, id)) return 0;
      const index = variants.indexOf(this.replay[id]);
      if (index < 0)
        throw new Error(`autotune: the tuning to replay runs '${this.replay[id]}' for ${id}, which is not offered here (variants: ${variants.join(', ')})`);
      return index;
    }
    if (!this.enabled || count <= 1) return 0;
    const key = this.key(kernel, shapeClass, variants);
    const chosen = this.choices.get(key);
    if (chosen !== undefined && chosen < count) return chosen;
    const shipped = Object.hasOwn(this.pretuned, id) ? variants.indexOf(this.pretuned[id]) : -1;
    if (shipped >= 0) return shipped;
    if (!this.pending.has(key)) {
      this.pending.set(key, { request, variants: count });
      this.described.set(key, { id, names: [...variants] });
    }
    return 0;
  }

  /**
   * The choices timed by this tuner, as a shipped table holds them (`npm run tune` writes
   * them into pretuned_choices.ts): the winner's name by `kernel|shape class`.
   */
  timedChoices(): Record<string, string> {
    const table: Record<string, string> = {};
    for (const [key, index] of this.choices) {
      const d = this.described.get(key);
      if (d && !this.defaulted.has(key)) table[d.id] = d.names[index];
    }
    return table;
  }

  /**
   * Runs `fn` with every kernel forced to variant `index` (tuning itself; past a kernel's
   * count, its last), or to the variant of that name (tests): a family that declares the
   * name but cannot run it on this shape throws (variants.ts), any other runs its first.
   */
  withVariant<T>(index: number | string, fn: () => T): T {
    const before = this.forced;
    this.forced = index;
    try {
      return fn();
    } finally {
      this.forced = before;
    }
  }

  /** The variant name `withVariant` forces now, or null. */
  get forcedName(): string | null {
    return typeof this.forced === 'string' ? this.forced : null;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** The cached choices, by key (adapter|kernel|shape class|variant names); those a budget defaulted are left out. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.choices].filter(([k]) => !this.defaulted.has(k)));
  }

  /**
   * Times every variant of every queued shape class, within the budget if there is one
   * (classes past it keep variant 0 for this session); returns how many were timed.
   */
  async tune(host: TuneHost): Promise<number> {
    const queued = [...this.pending];
    this.pending.clear();
    const start = this.now();
    let timed = 0;
    for (const [key, { request, variants }] of queued) {
      if (this.budgetMs !== undefined && this.now() - start >= this.budgetMs) {
        this.choices.set(key, 0);
        this.defaulted.add(key);
        continue;
      }
      timed++;
      // Timing inputs: seeded values in [-1, 1) (kernels here do not branch on data).
      const inputs = request.inputs.map((shape, k) => ({ storage: host.upload(new Random(k + 1).uniformArray(sizeOf(shape))), shape }));
      const runs: number[][] = Array.from({ length: variants }, () => []);
      try {
        const run = () => host.release(host.run(request.op, inputs, request.attrs, request.outShape));
        const atPrecision = () => {
          if (!request.precision || request.precision === 'f32') return run();
          if (!host.withPrecision) throw new Error(`autotune: ${request.op} was queued at precision ${request.precision}, which this host cannot run`);
          return host.withPrecision(request.precision, run);
        };
        const once = (v: number) => this.withVariant(v, atPrecision);
        for (let v = 0; v < variants; v++) once(v);
        for (let r = 0; r < TIMED_ROUNDS; r++) {
          for (let v = 0; v < variants; v++) {
            const t = await host.time(() => once(v));
            runs[v].push(t.gpuMs ?? t.wallMs);
          }
        }
      } finally {
        for (const i of inputs) host.release(i.storage);
      }
      const medians = runs.map((ts) => ts.sort((x, y) => x - y)[Math.floor(ts.length / 2)]);
      this.choices.set(key, medians.indexOf(Math.min(...medians)));
    }
    if (timed > 0 && this.store) await this.store.save(this.snapshot());
    return timed;
  }
}

/** Choices kept in the browser's IndexedDB (database 'webgpu-cnn-engine', store 'autotune'). */
export function indexedDbStore(): TuneStore {
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('webgpu-cnn-engine', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('autotune');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  const request = <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>) =>
    open().then((db) =>
      new Promise<T>((resolve, reject) => {
        const r = fn(db.transaction('autotune', mode).objectStore('autotune'));
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      }).finally(() => db.close()),
    );
  return {
    load: async () => ((await request('readonly', (s) => s.get('choices'))) as Record<string, number> | undefined) ?? {},
    save: async (choices) => void (await request('readwrite', (s) => s.put(choices, 'choices'))),
  };
}

declare global {
  interface Window {
    /** Exposed by the command-line tools (page.exposeFunction): a JSON file on disk holds the choices. */
    autotuneLoad?: () => Promise<Record<string, number>>;
    autotuneSave?: (choices: Record<string, number>) => Promise<void>;
  }
}

/** The store a page should use: the command line's JSON file when it provides one, else IndexedDB, else none. */
export function defaultStore(): TuneStore | null {
  if (typeof window !== 'undefined' && window.autotuneLoad && window.autotuneSave) {
    const [load, save] = [window.autotuneLoad, window.autotuneSave];
    return { load: () => load(), save: (c) => save(c) };
  }
  return typeof indexedDB !== 'undefined' ? indexedDbStore() : null;
}
