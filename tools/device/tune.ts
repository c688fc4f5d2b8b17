// Phase 5 of the device pack: the tuner on this adapter (tools/jobs/pretune.ts's workloads,
// every shape class timed here, nothing shipped consulted), written in the shipped-choices
// format: tune.json, and pretuned_choices.ts, the shipped file with this family's table
// replaced, ready to copy over src/backends/webgpu/pretuned_choices.ts and commit.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRETUNED_CHOICES } from '../../src/backends/webgpu/pretuned_choices';
import shippedSource from '../../src/backends/webgpu/pretuned_choices.ts?raw';
import { gpuFamily } from '../../src/backends/webgpu/webgpu_backend';
import { PRETUNE_WORKLOADS, pretune, type PretuneWorkload } from '../jobs/pretune';
import { adapterLine, openBackend, Phase, type PhaseOptions } from './phase';

/** The workloads: LeNet-5's batch-1 evaluation and prediction in smoke, every trainable-here model's in full. */
export function tuneWorkloads(mode: 'smoke' | 'full'): readonly PretuneWorkload[] {
  return mode === 'smoke' ? [{ model: 'lenet5', train: [], infer: [1] }] : PRETUNE_WORKLOADS;
}

/** The shipped file with `family`'s table replaced by `table` (keys sorted, as scripts/tune.mjs writes it). */
export function shippedChoicesFile(family: string, table: Record<string, string>): string {
  const tables: Record<string, Record<string, string>> = { ...PRETUNED_CHOICES };
  tables[family] = Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
  const header = shippedSource.split('export const')[0];
  return `${header}export const PRETUNED_CHOICES: Readonly<Record<string, PretunedChoices>> = ${JSON.stringify(tables, null, 2)};\n`;
}

export async function tunePhase(options: PhaseOptions): Promise<void> {
  const backend = await openBackend(options, { autotune: true, pretuned: false });
  const family = gpuFamily(backend.adapterInfo);
  const phase = new Phase('tune', options, {
    adapter: adapterLine(backend),
    family,
    models: [] as { model: string; tuned: number; seconds: number }[],
    table: {} as Record<string, string>,
  });
  phase.log(`tuning for GPU family ${family} (${phase.report.adapter})`);
  for (const w of tuneWorkloads(options.mode === 'full' ? 'full' : 'smoke')) {
    if (phase.timeUp(`model ${w.model}`)) break;
    await pretune(backend, [w], (p) => {
      phase.report.models.push(p);
      phase.log(`${p.model.padEnd(20)} ${String(p.tuned).padStart(4)} shape classes timed in ${p.seconds.toFixed(1)} s`);
    });
    phase.report.table = backend.tuner.timedChoices();
    phase.save(false);
  }
  const table = phase.report.table;
  writeFileSync(join(options.out, 'pretuned_choices.ts'), shippedChoicesFile(family, table));
  phase.log(
    `${Object.keys(table).length} choices for ${family}: tune.json, and pretuned_choices.ts (the shipped file with this family's table) in ${options.out}`,
  );
  phase.save(!phase.report.stoppedAt);
  backend.destroy();
}
