// Phases 3 and 4 of the device pack: the adapter's roofline (tools/bench/roofline.ts), then
// ours against TF.js WebGPU and jax-js on the same adapter (the bench's harness,
// tools/bench/runner.ts), every case as a fraction of the roofline, the matmuls also of the
// f32 peak the script is told, and of PyTorch on CUDA where the native phase timed it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPeers } from '../bench/peers';
import { measureRoofline, rooflineBound, type Roofline } from '../bench/roofline';
import { runBench, type BenchResult, type Timing } from '../bench/runner';
import { caseBytes, deviceBenchCases } from './bench_cases';
import { adapterLine, openBackend, Phase, type PhaseOptions } from './phase';

/** A case's result with its fractions. */
export interface DeviceBenchRow extends BenchResult {
  /** Our GFLOP/s over the roofline's bound for the case (min(peak, intensity x bandwidth)). */
  rooflineFraction: number | null;
  /** Our GFLOP/s over the f32 peak told with --peak. */
  peakFraction: number | null;
  /** PyTorch on CUDA's time for the same work (the native phase), and its time over ours: 1 is as fast as native. */
  nativeMs: number | null;
  ofNative: number | null;
  peerGflops: Partial<Record<'tfjsWebgpu' | 'jax', number>>;
}

export interface DeviceBenchReport {
  adapter: string;
  roofline: Roofline | null;
  peak: number | null;
  peers: Record<string, string>;
  rows: DeviceBenchRow[];
  notRun: { name: string; reason: string }[];
}

/** Phase 3: the roofline on the engine's device. */
export async function rooflinePhase(options: PhaseOptions): Promise<void> {
  const backend = await openBackend(options, { autotune: false });
  const phase = new Phase('roofline', options, { adapter: adapterLine(backend), roofline: null as Roofline | null });
  phase.log(phase.report.adapter);
  const roofline = await measureRoofline(backend.device, {
    targetMs: options.mode === 'full' ? 50 : 20,
    runs: options.mode === 'full' ? 5 : 3,
    maxBytes: options.mode === 'full' ? 512 * 2 ** 20 : 16 * 2 ** 20,
    deadline: phase.deadline,
    onMeasure: (m) =>
      phase.log(
        `${m.kind.padEnd(8)} ${m.value.toFixed(1).padStart(10)} ${m.unit}  (best of ${m.runs}: ${m.bestMs.toFixed(2)} ms, ${JSON.stringify(m.config)})`,
      ),
  });
  for (const n of roofline.notes) phase.log(n);
  phase.report.roofline = roofline;
  phase.save(true);
  backend.destroy();
}

function readJson<T>(file: string): T | null {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : null;
  } catch {
    return null;
  }
}

const fmtMs = (t: Timing | { skipped: string } | undefined) => (t && 'medianMs' in t ? t.medianMs.toFixed(2) : '-');

/** Phase 4: ours against the peers, with the fractions. */
export async function benchPhase(options: PhaseOptions): Promise<void> {
  // Smoke leaves the tuner off: timing variants on a CPU adapter would take most of its cap.
  const backend = await openBackend(options, options.mode === 'smoke' ? { autotune: false } : {});
  const rooflineFile = readJson<{ roofline: Roofline | null }>(join(options.out, 'roofline.json'));
  const native = readJson<{ cases?: Record<string, number> }>(join(options.out, 'native.json'));
  const report: DeviceBenchReport = {
    adapter: adapterLine(backend),
    roofline: rooflineFile?.roofline ?? null,
    peak: options.peak,
    peers: {},
    rows: [],
    notRun: [],
  };
  const phase = new Phase('bench', options, report);
  phase.log(
    `${report.adapter}; roofline ${report.roofline?.fmaF32?.toFixed(0) ?? '-'} GFLOP/s f32, ${report.roofline?.bandwidth?.toFixed(0) ?? '-'} GB/s; peak told: ${options.peak ?? '-'} GFLOP/s`,
  );
  // TF.js and jax-js take Dawn's GPU as navigator.gpu (device_main.ts set it before they loaded); TF.js's CPU backend is left out.
  const loaded = await loadPeers({ tfjs: true, jax: true });
  const peers = (loaded.peers ?? []).filter((p) => p.key !== 'tfjsCpu');
  for (const p of peers) report.peers[p.key] = p.label;
  for (const [k, v] of Object.entries(loaded.peerErrors ?? {})) if (k !== 'tfjsCpu') report.peers[k] = v;
  phase.log(
    `peers: ${Object.entries(report.peers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')}`,
  );
  const cases = deviceBenchCases(options.mode === 'full' ? 'full' : 'smoke');
  phase.log(
    `${'case'.padEnd(28)} ${'ours ms'.padStart(9)} ${'GFLOP/s'.padStart(9)} ${'roofline'.padStart(8)} ${'peak'.padStart(6)} ${'tfjs ms'.padStart(9)} ${'jax ms'.padStart(9)} ${'torch ms'.padStart(9)} ${'of torch'.padStart(8)}`,
  );
  // Smoke times the peers on its first case only (their pipelines take minutes to compile on a CPU adapter).
  for (const [i, c] of cases.entries()) {
    if (phase.timeUp(`case ${c.name}`)) break;
    const result = await runBench(backend, {
      cases: [c],
      peers: options.mode === 'smoke' && i > 0 ? [] : peers,
      onResult: (r) => {
        const bound = report.roofline ? rooflineBound(report.roofline, r.flops, caseBytes(c)) : null;
        const nativeMs = native?.cases?.[r.name] ?? null;
        const peerGflops: DeviceBenchRow['peerGflops'] = {};
        for (const k of ['tfjsWebgpu', 'jax'] as const) {
          const t = r[k];
          if (t && 'medianMs' in t) peerGflops[k] = r.flops / (t.medianMs * 1e6);
        }
        const row: DeviceBenchRow = {
          ...r,
          rooflineFraction: bound ? r.gflops / bound : null,
          peakFraction: options.peak ? r.gflops / options.peak : null,
          nativeMs,
          ofNative: nativeMs !== null ? nativeMs / r.ours.medianMs : null,
          peerGflops,
        };
        report.rows.push(row);
        const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)}%`);
        phase.log(
          `${r.name.padEnd(28)} ${r.ours.medianMs.toFixed(2).padStart(9)} ${r.gflops.toFixed(1).padStart(9)} ${pct(row.rooflineFraction).padStart(8)} ${pct(row.peakFraction).padStart(6)} ${fmtMs(r.tfjsWebgpu).padStart(9)} ${fmtMs(r.jax).padStart(9)} ${(nativeMs?.toFixed(2) ?? '-').padStart(9)} ${pct(row.ofNative).padStart(8)}`,
        );
        phase.save(false);
      },
    });
    report.notRun.push(...(result.notRun ?? []));
  }
  for (const n of report.notRun) phase.log(`not run: ${n.name}: ${n.reason}`);
  phase.save(!phase.report.stoppedAt);
  backend.destroy();
}
