// Phase 2 of the device pack: every row of every kernel family's variant table, forced by
// name, on the tests' case tables (and in --full on real layers at batch 8, real_cases.ts),
// against the CPU reference, with the tests' tolerances (tests/helpers/parity_core.ts).
// The check that catches a race SwiftShader hides: a workgroup-memory barrier missing from a
// kernel passes on a CPU, which runs invocations in its own order, and fails on a GPU.
// Each case's reference is computed once, in worker threads (the real sizes take seconds
// each on the CPU), while the GPU runs every variant on it.
import { availableParallelism } from 'node:os';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { requiredFeatures, shaderSpecs } from '../../src/backends/webgpu/shader_registry';
import { kernelFamilies, type KernelFamily } from '../../src/backends/webgpu/variants';
import type { WebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';
import { runOpByName } from '../../src/ops/op';
import { formatShape } from '../../src/shape';
import { f16Allowed, f16Reference, makeInputs, parityError, type ParityCase } from '../../tests/helpers/parity_core';
import { conv2dTable } from '../../tests/ops/conv2d.cases';
import { depthwiseTable } from '../../tests/ops/depthwise_conv2d.cases';
import { matmulTable } from '../../tests/ops/matmul.cases';
import { pool2dTable } from '../../tests/ops/pool2d.cases';
import { adapterLine, openBackend, Phase, type PhaseOptions } from './phase';
import { realCases } from './real_cases';

/** One variant's record. */
export interface VariantRecord {
  family: string;
  variant: string;
  /** Cases it ran on and matched or failed. */
  ran: number;
  /** Cases it does not fit. */
  notFit: number;
  /** The worst |gpu - cpu| / allowed over its cases (above 1: a failure), and where. */
  worstExcess: number;
  worstCase: string | null;
  /** The largest plain |gpu - cpu|. */
  maxAbs: number;
  failures: { case: string; message: string }[];
  /** Why it was not run at all (a device feature the adapter lacks). */
  skipped?: string;
  /** An f16 row: checked against the f16 reference under its derived bound (docs/numerics.md). */
  f16?: true;
}

export interface ParityReport {
  adapter: string;
  cases: { table: number; real: number };
  workers: number;
  variants: VariantRecord[];
  /** Variants whose runs all matched; failed: variants with a failure. */
  passed: number;
  failed: number;
  referenceSeconds: number;
}

/** Rows of each family's table that smoke runs. */
const SMOKE_ROWS = 2;

/** The test tables (small shapes, every edge case) in a stable order. */
function tableCases(): ParityCase[] {
  return [...matmulTable.cases, ...conv2dTable.cases, ...depthwiseTable.cases, ...pool2dTable.cases];
}

interface Reference {
  values: Float32Array;
  shape: number[];
  /** For the f16 rows' reference: the sum of the terms' absolute values, per element (f16Reference). */
  magnitude?: Float32Array;
}

const cpuF32 = new CpuBackend();
const cpuF16 = new CpuBackend({ f16Operands: true });

/** The CPU reference of a case, on this thread: float32's, or the f16 rows' (operands rounded to f16). */
async function cpuReference(c: ParityCase, f16: boolean): Promise<Reference> {
  if (f16) return f16Reference(cpuF16, c);
  const cpu = cpuF32;
  const inputs = makeInputs(cpu, c);
  const out = runOpByName(c.op, inputs, c.attrs ?? {});
  const values = await out.read();
  const shape = [...out.shape];
  for (const t of [...inputs, out]) t.dispose();
  return { values, shape };
}

/** The worker side: computes references of the cases it is sent (device_main.ts starts it from the same bundle). */
export function serveReferences(): void {
  parentPort!.on('message', async ({ id, c, f16 }: { id: number; c: ParityCase; f16: boolean }) => {
    try {
      const r = await cpuReference(c, f16);
      const buffers = [r.values.buffer, ...(r.magnitude ? [r.magnitude.buffer] : [])] as ArrayBuffer[];
      parentPort!.postMessage({ id, values: r.values, magnitude: r.magnitude, shape: r.shape }, buffers);
    } catch (e) {
      parentPort!.postMessage({ id, error: (e as Error).message });
    }
  });
}

/** References computed ahead by a pool of workers, in the order asked (or on this thread with no workers). */
class ReferencePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve(r: Reference): void; reject(e: Error): void }>();
  private readonly queue: { id: number; c: ParityCase; f16: boolean }[] = [];
  private readonly idle: Worker[] = [];
  private next = 0;
  seconds = 0;

  constructor(count: number, script: URL | null) {
    for (let i = 0; i < (script ? count : 0); i++) {
      const w = new Worker(script!, { workerData: { role: 'parity-reference' } });
      w.on('message', (m: { id: number; values?: Float32Array; magnitude?: Float32Array; shape?: number[]; error?: string }) => {
        const p = this.pending.get(m.id)!;
        this.pending.delete(m.id);
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve({ values: m.values!, shape: m.shape!, ...(m.magnitude ? { magnitude: m.magnitude } : {}) });
        this.idle.push(w);
        this.pump();
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.idle.shift()!.postMessage(job);
    }
  }

  /** Starts (or queues) the reference of `c` (the f16 rows' with `f16`); the promise settles with it. */
  request(c: ParityCase, f16: boolean): Promise<Reference> {
    const start = performance.now();
    const done = (r: Reference) => {
      this.seconds += (performance.now() - start) / 1000;
      return r;
    };
    if (this.workers.length === 0) return cpuReference(c, f16).then(done);
    const id = this.next++;
    const promise = new Promise<Reference>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.queue.push({ id, c, f16 });
    this.pump();
    return promise;
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
  }
}

/** The device features a variant's shaders enable that `backend` lacks. */
function missingFeatures(backend: WebGPUBackend, shaders: readonly string[]): string[] {
  const specs = shaderSpecs();
  const needs = new Set(shaders.flatMap((name) => requiredFeatures(specs.find((s) => s.name === name)?.source ?? '')));
  return [...needs].filter((f) => !backend.device.features.has(f));
}

/** One forced run of a case on the GPU: its values, or 'not-fit', or an error message. */
async function gpuRun(backend: WebGPUBackend, c: ParityCase, variant: string, shaders: readonly string[]): Promise<Reference | 'not-fit' | { error: string }> {
  const inputs = makeInputs(backend, c);
  try {
    let traced: { result: ReturnType<typeof runOpByName>; shaders: string[] };
    try {
      traced = backend.traceShaders(() => backend.tuner.withVariant(variant, () => runOpByName(c.op, inputs, c.attrs ?? {})));
    } catch (e) {
      const message = (e as Error).message;
      return message.includes(`the forced variant '${variant}' does not fit`) ? 'not-fit' : { error: message };
    }
    const out = traced.result;
    const values = await out.read();
    const shape = [...out.shape];
    out.dispose();
    const missing = shaders.filter((s) => !traced.shaders.includes(s));
    if (missing.length > 0) return { error: `should dispatch ${shaders.join(', ')}; dispatched ${traced.shaders.join(', ')}` };
    return { values, shape };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    for (const t of inputs) t.dispose();
  }
}

export async function paritySweep(options: PhaseOptions, bundle: URL | null): Promise<ParityReport> {
  const backend = await openBackend(options, { autotune: false });
  const report: ParityReport = {
    adapter: adapterLine(backend),
    cases: { table: 0, real: 0 },
    workers: 0,
    variants: [],
    passed: 0,
    failed: 0,
    referenceSeconds: 0,
  };
  const phase = new Phase('parity', options, report);
  const full = options.mode === 'full';
  // smoke: each of its variants on its first fitting case of the tables; tables: every table
  // case (the suite's run on this machine's two implementations); full: those and the real sizes.
  const everyRow = full || options.mode === 'tables';
  const perVariant = options.perVariant ?? (everyRow ? Infinity : 1);
  const table = tableCases();
  const real = full ? realCases() : [];
  const cases = [...table, ...real];
  report.cases = { table: table.length, real: real.length };
  const families = kernelFamilies();
  const records = new Map<string, VariantRecord & { shaders: readonly string[] }>();
  for (const f of families as KernelFamily<unknown>[]) {
    // Smoke: the first two rows of each family (the pack works); tables and full: every row.
    for (const v of everyRow ? f.variants : f.variants.slice(0, SMOKE_ROWS)) {
      const missing = missingFeatures(backend, v.shaders);
      records.set(v.name, {
        family: f.op,
        variant: v.name,
        shaders: v.shaders,
        ran: 0,
        notFit: 0,
        worstExcess: 0,
        worstCase: null,
        maxAbs: 0,
        failures: [],
        ...(missing.length ? { skipped: `needs ${missing.join(', ')}, which this adapter does not offer` } : {}),
        ...(v.precision === 'f16' ? { f16: true as const } : {}),
      });
    }
  }
  const workers = options.workers ?? (full ? Math.max(1, Math.min(12, availableParallelism() - 1)) : 1);
  const pool = new ReferencePool(workers, bundle);
  report.workers = pool.size;
  phase.log(
    `${report.adapter}: ${records.size} variants of ${families.length} families, ${table.length} table cases${real.length ? ` and ${real.length} real-size cases` : ''}, references on ${pool.size || 'no'} worker(s)`,
  );
  const wanted = (c: ParityCase) => [...records.values()].filter((r) => r.family === c.op && !r.skipped && r.ran < perVariant);
  // References start ahead in the pool; in smoke only for cases some variant still wants.
  const refs = new Map<ParityCase, Promise<Reference>>();
  // The f16 rows' references (f16 operands, and each element's magnitude for its bound).
  const refsF16 = new Map<ParityCase, Promise<Reference>>();
  const reference = (c: ParityCase, f16 = false) => {
    const kept = f16 ? refsF16 : refs;
    let p = kept.get(c);
    if (!p) {
      p = pool.request(c, f16);
      p.catch(() => {});
      kept.set(c, p);
    }
    return p;
  };
  // Ahead only when every case is wanted: with a cap per variant, most cases will not be.
  if (perVariant === Infinity) for (const c of cases) if (wanted(c).length > 0) reference(c);
  try {
    for (const c of cases) {
      const rows = wanted(c);
      if (rows.length === 0) continue;
      if (phase.timeUp(`case '${c.name}'`)) break;
      const runs: { row: (typeof rows)[number]; got: Reference | { error: string } }[] = [];
      // Started before the GPU runs, so the workers compute it meanwhile.
      if (rows.some((r) => r.f16)) reference(c, true);
      for (const row of rows) {
        const got = await gpuRun(backend, c, row.variant, row.shaders);
        if (got === 'not-fit') row.notFit++;
        else runs.push({ row, got });
      }
      if (runs.length === 0) continue;
      let ref32: Reference | null = null;
      let ref16: Reference | null = null;
      try {
        if (runs.some((r) => !r.row.f16)) ref32 = await reference(c);
        if (runs.some((r) => r.row.f16)) ref16 = await reference(c, true);
      } catch (e) {
        phase.log(`reference of '${c.name}' failed: ${(e as Error).message}`);
        continue;
      }
      refs.delete(c);
      refsF16.delete(c);
      for (const { row, got } of runs) {
        const ref = (row.f16 ? ref16 : ref32)!;
        row.ran++;
        if ('error' in got) {
          row.failures.push({ case: c.name, message: got.error });
          row.worstExcess = Infinity;
          row.worstCase = c.name;
          continue;
        }
        if (formatShape(got.shape) !== formatShape(ref.shape)) {
          row.failures.push({ case: c.name, message: `output shape ${formatShape(got.shape)}, reference ${formatShape(ref.shape)}` });
          row.worstExcess = Infinity;
          row.worstCase = c.name;
          continue;
        }
        const err = parityError(c, got.values, ref.values, row.f16 ? f16Allowed(c, ref.magnitude!) : undefined);
        row.maxAbs = Math.max(row.maxAbs, err.maxAbs);
        if (err.worstExcess >= row.worstExcess) {
          row.worstExcess = err.worstExcess;
          row.worstCase = c.name;
        }
        if (err.worstExcess > 1) {
          const i = err.worst;
          row.failures.push({
            case: c.name,
            message: `element ${i}: gpu ${got.values[i]}, cpu${row.f16 ? ' (f16 operands)' : ''} ${ref.values[i]}, error ${Math.abs(got.values[i] - ref.values[i]).toExponential(3)} > allowed ${err.allowed(i).toExponential(3)}`,
          });
          phase.log(`FAIL ${row.variant} on '${c.name}': ${row.failures.at(-1)!.message}`);
        }
      }
      report.variants = summarise(records);
      report.referenceSeconds = pool.seconds;
      phase.save(false);
    }
  } finally {
    pool.close();
  }
  report.variants = summarise(records);
  report.passed = report.variants.filter((v) => v.ran > 0 && v.failures.length === 0).length;
  report.failed = report.variants.filter((v) => v.failures.length > 0).length;
  report.referenceSeconds = pool.seconds;
  phase.log('worst error per variant (error / allowed; 1 is the tolerance):');
  for (const v of report.variants) {
    const state = v.skipped ? `skipped: ${v.skipped}` : v.ran === 0 ? 'not run' : v.failures.length ? `FAILED on ${v.failures.length}` : 'ok';
    phase.log(
      `  ${v.family.padEnd(30)} ${v.variant.padEnd(40)} ${String(v.ran).padStart(4)} cases  worst ${v.ran ? v.worstExcess.toFixed(4).padStart(9) : '        -'}  max |err| ${v.ran ? v.maxAbs.toExponential(2) : '-'}  ${state}${v.worstCase && v.ran ? `  (${v.worstCase})` : ''}`,
    );
  }
  phase.log(`${report.passed} variants passed, ${report.failed} failed, ${report.variants.filter((v) => v.ran === 0).length} not run`);
  phase.save(!phase.report.stoppedAt);
  backend.destroy();
  return report;
}

function summarise(records: Map<string, VariantRecord & { shaders: readonly string[] }>): VariantRecord[] {
  return [...records.values()].map(({ shaders: _shaders, ...r }) => r);
}

/** Whether this thread is a reference worker (device_main.ts asks before anything else). */
export const isReferenceWorker = () => (workerData as { role?: string } | null)?.role === 'parity-reference';
