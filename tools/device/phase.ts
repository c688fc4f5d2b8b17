// What every phase of the device pack shares (tools/device/device_main.ts): its options, its
// time cap, its log lines and its JSON report, rewritten after every step so that a phase
// stopped from outside (run.sh's `timeout`) still leaves what it had done and where it was.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createWebGPUBackend, gpuFamily, type WebGPUBackend, type WebGPUBackendOptions } from '../../src/backends/webgpu/webgpu_backend';
import { createDawnGPU, type NodeAdapter } from '../../src/node';

/** smoke: a little of every phase; full: all of it; tables (the parity sweep alone): every row on every test-table case, no real sizes. */
export type Mode = 'smoke' | 'tables' | 'full';

export interface PhaseOptions {
  out: string;
  mode: Mode;
  /** The phase's cap in seconds: it stops itself a few seconds before, run.sh kills it at the cap. */
  cap: number;
  adapter: NodeAdapter;
  /** The GPU's f32 peak in GFLOP/s, as told (--peak), for the matmul cases' fraction of peak. */
  peak: number | null;
  /** Where the Fashion-MNIST files are (the pack's data/fashion-mnist). */
  data: string;
  /** The trainer's budget in seconds. */
  trainSeconds: number;
  /** Workers for the parity sweep's CPU reference (default: the cores less one, at most 12). */
  workers: number | null;
  /** The parity sweep's cases per variant at most (default: 1 in smoke, every case otherwise). */
  perVariant: number | null;
}

export function parsePhaseOptions(argv: string[]): { phase: string; options: PhaseOptions } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      mode: { type: 'string', default: 'smoke' },
      cap: { type: 'string', default: '60' },
      adapter: { type: 'string', default: 'auto' },
      peak: { type: 'string' },
      data: { type: 'string', default: '' },
      'train-seconds': { type: 'string', default: '60' },
      workers: { type: 'string' },
      'per-variant': { type: 'string' },
    },
  });
  const phase = positionals[0];
  if (!phase) throw new Error('device: name a phase (adapter, parity, roofline, bench, tune, train)');
  if (!values.out) throw new Error('device: --out DIR is required');
  if (values.mode !== 'smoke' && values.mode !== 'tables' && values.mode !== 'full')
    throw new Error(`device: --mode is smoke, tables (the parity phase) or full, got ${values.mode}`);
  if (values.mode === 'tables' && positionals[0] !== 'parity') throw new Error(`device: --mode tables is the parity phase's, not ${positionals[0]}'s`);
  const number = (name: string, v: string | undefined) => {
    if (v === undefined) return null;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`device: --${name} must be a positive number, got ${v}`);
    return n;
  };
  return {
    phase,
    options: {
      out: values.out,
      mode: values.mode,
      cap: number('cap', values.cap)!,
      adapter: values.adapter as NodeAdapter,
      peak: number('peak', values.peak),
      data: values.data ?? '',
      trainSeconds: number('train-seconds', values['train-seconds'])!,
      workers: values.workers === undefined ? null : Math.floor(Number(values.workers)),
      perVariant: number('per-variant', values['per-variant']),
    },
  };
}

/** Seconds a phase keeps for itself under its cap: to write its report before run.sh would kill it. */
const MARGIN_S = 8;

/** A phase's log and report. */
export class Phase<R extends object> {
  readonly name: string;
  readonly options: PhaseOptions;
  /** Date.now() after which the phase starts nothing new. */
  readonly deadline: number;
  private readonly started = Date.now();
  private readonly file: string;
  report: R & { stoppedAt?: string };

  constructor(name: string, options: PhaseOptions, initial: R) {
    this.name = name;
    this.options = options;
    this.deadline = this.started + Math.max(options.cap - MARGIN_S, options.cap / 2) * 1000;
    mkdirSync(options.out, { recursive: true });
    this.file = join(options.out, `${name}.json`);
    this.report = initial;
    this.save(false);
  }

  /** Whether the phase's time is up: then it notes where it stopped and starts nothing more. */
  timeUp(at: string): boolean {
    if (Date.now() < this.deadline) return false;
    if (!this.report.stoppedAt) {
      this.report.stoppedAt = `time cap (${this.options.cap} s) reached before ${at}`;
      this.log(`stopping: ${this.report.stoppedAt}`);
    }
    return true;
  }

  log(line: string): void {
    const t = ((Date.now() - this.started) / 1000).toFixed(1).padStart(6);
    console.log(`[${this.name} ${t}s] ${line}`);
  }

  /** Writes the report (atomically): `complete` says whether the phase got to its end. */
  save(complete: boolean): void {
    const body = {
      phase: this.name,
      mode: this.options.mode,
      capSeconds: this.options.cap,
      seconds: (Date.now() - this.started) / 1000,
      complete,
      ...this.report,
    };
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`);
    renameSync(tmp, this.file);
  }
}

/** The pack's WebGPU backend on the adapter run.sh chose (VK_ICD_FILENAMES) or --adapter names. */
export async function openBackend(options: PhaseOptions, backendOptions: Omit<WebGPUBackendOptions, 'gpu' | 'device'> = {}): Promise<WebGPUBackend> {
  return createWebGPUBackend({ tuneStore: null, ...backendOptions, gpu: await createDawnGPU([], options.adapter) });
}

/** One line naming the adapter. */
export function adapterLine(backend: WebGPUBackend): string {
  const i = backend.adapterInfo;
  return `${gpuFamily(i)} ${i.description ?? ''}${backend.isFallbackAdapter ? ' (fallback adapter)' : ''}`.trim();
}
