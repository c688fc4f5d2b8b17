// The device pack's last step: one summary of the phases (phases.tsv, which run.sh wrote, and
// each phase's JSON) as summary.json and a few readable lines at the end of the log.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Phase, type PhaseOptions } from './phase';

type Json = Record<string, unknown> & { complete?: boolean; stoppedAt?: string };

function read(out: string, name: string): Json | null {
  const file = join(out, `${name}.json`);
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Json) : null;
  } catch {
    return null;
  }
}

export interface PhaseStatus {
  phase: string;
  exit: string;
  seconds: number;
  note: string;
  /** The phase's own word: complete, or where it stopped. */
  complete: boolean | null;
  stoppedAt: string | null;
}

export function summaryPhase(options: PhaseOptions): void {
  const tsv = join(options.out, 'phases.tsv');
  const phases: PhaseStatus[] = (existsSync(tsv) ? readFileSync(tsv, 'utf8') : '')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [phase, exit, seconds, note] = l.split('\t');
      const j = read(options.out, phase);
      return { phase, exit, seconds: Number(seconds), note, complete: j?.complete ?? null, stoppedAt: j?.stoppedAt ?? null };
    });
  const adapter = read(options.out, 'adapter');
  const parity = read(options.out, 'parity');
  const roofline = read(options.out, 'roofline')?.roofline as { fmaF32: number | null; fmaF16: number | null; bandwidth: number | null } | undefined;
  const bench = read(options.out, 'bench');
  const tune = read(options.out, 'tune');
  const train = read(options.out, 'train');
  const native = read(options.out, 'native');
  const rows = (bench?.rows ?? []) as {
    name: string;
    gflops: number;
    rooflineFraction: number | null;
    ofNative: number | null;
    speedup: Record<string, number>;
  }[];
  const summary = {
    adapter: adapter ? { family: adapter.family, description: adapter.description, isFallback: adapter.isFallback, noted: adapter.noted } : null,
    phases,
    parity: parity
      ? {
          passed: parity.passed,
          failed: parity.failed,
          variants: (parity.variants as unknown[] | undefined)?.length ?? 0,
          failures: ((parity.variants ?? []) as { variant: string; failures: unknown[] }[]).filter((v) => v.failures.length).map((v) => v.variant),
        }
      : null,
    roofline: roofline ?? null,
    native: native ? { device: native.device, torch: native.torch, cases: Object.keys((native.cases as object) ?? {}).length } : null,
    bench: rows.map((r) => ({ name: r.name, gflops: r.gflops, rooflineFraction: r.rooflineFraction, ofNative: r.ofNative, speedup: r.speedup })),
    tune: tune ? { family: tune.family, choices: Object.keys((tune.table as object) ?? {}).length } : null,
    train: train
      ? { model: train.model, images: train.images, imagesPerSecond: train.imagesPerSecond, firstLoss: train.firstLoss, lastLoss: train.lastLoss }
      : null,
  };
  const phase = new Phase('summary', options, summary);
  phase.log('phase       exit  seconds  note');
  for (const p of phases) {
    const own = p.complete === false ? ` (stopped: ${p.stoppedAt ?? 'before its end'})` : '';
    phase.log(`${p.phase.padEnd(10)} ${p.exit.padStart(5)} ${p.seconds.toFixed(1).padStart(8)}  ${p.note}${own}`);
  }
  if (summary.adapter) phase.log(`adapter: ${summary.adapter.family} ${summary.adapter.description ?? ''}`);
  if (summary.parity)
    phase.log(
      `parity: ${summary.parity.passed} variants passed, ${summary.parity.failed} failed${summary.parity.failures.length ? ` (${summary.parity.failures.join(', ')})` : ''}`,
    );
  if (roofline)
    phase.log(
      `roofline: f32 ${roofline.fmaF32?.toFixed(0) ?? '-'} GFLOP/s, f16 ${roofline.fmaF16?.toFixed(0) ?? '-'} GFLOP/s, ${roofline.bandwidth?.toFixed(0) ?? '-'} GB/s`,
    );
  if (rows.length) phase.log(`bench: ${rows.length} cases (bench.json)`);
  if (summary.tune) phase.log(`tune: ${summary.tune.choices} choices for ${summary.tune.family} (pretuned_choices.ts)`);
  if (summary.train) phase.log(`train: ${summary.train.model}, ${(summary.train.imagesPerSecond as number | null)?.toFixed(0) ?? '-'} images/s`);
  phase.save(true);
}
