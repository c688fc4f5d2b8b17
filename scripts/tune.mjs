#!/usr/bin/env node
// `npm run tune`: remakes this adapter's shipped kernel-variant choices in Node on Dawn.
// The options, their checks and --help come from the table below (tools/cli/options.mjs).
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../tools/cli/atomic_write.mjs';
import { runJob } from '../tools/cli/job_runner.mjs';
import { defineCommand } from '../tools/cli/options.mjs';
import { acquireLock, exitOnSignals } from '../tools/cli/run_lock.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = defineCommand({
  name: 'tune',
  summary: "measures this adapter's kernel-variant choices in Node on Dawn (no browser) and writes them into src/backends/webgpu/pretuned_choices.ts.",
  description: [
    "Times the workloads of tools/jobs/pretune.ts and writes the table under the adapter's GPU family (vendor/architecture), replacing that family's table and keeping the others'. Run it on the hardware whose table it makes; commit the file. One tune at a time: it holds .cache/tune.lock.",
  ],
  options: {
    models: { type: 'list', value: 'KEY[,KEY]', help: "time only these models and merge into the family's table" },
    adapter: {
      type: 'choice',
      choices: ['auto', 'lavapipe', 'swiftshader'],
      default: 'auto',
      help: "the Vulkan driver Dawn tunes (as train's --adapter): swiftshader remakes the browser's table here, lavapipe Mesa's",
    },
    missing: {
      type: 'boolean',
      help: 'keep the shipped table and time only the shape classes it lacks (or whose shipped choice is no longer offered): a new variant then changes the table where it competes and nowhere else',
    },
  },
}).parseOrExit(process.argv.slice(2));
const models = o.models;
const missing = !!o.missing;
const tableFile = join(root, 'src', 'backends', 'webgpu', 'pretuned_choices.ts');
// The table is read, merged and written back: two tunes at once would lose one's
// choices, so one holds .cache/tune.lock from start to end and a second is refused (exit 2).
exitOnSignals({ onSignal: (signal) => console.error(`\n${signal}: stopping (${tableFile} is unchanged)`) });
try {
  mkdirSync(join(root, '.cache'), { recursive: true });
  acquireLock(join(root, '.cache', 'tune.lock'), { command: 'npm run tune', what: tableFile });
} catch (e) {
  console.error(`tune: ${e.message}${e.code === 'ELOCKED' ? '. Nothing was changed; wait for that tune or stop it' : ''}`);
  process.exit(2);
}

const started = performance.now();
let result;
try {
  result = await runJob(root, {
    runtime: 'node',
    node: 'tools/jobs/tune_main.ts',
    adapter: o.adapter,
    input: { models: models ?? null, missing },
    tuneFile: null,
    onProgress: (p) => {
      if (p.kind === 'start') console.log(`tuning on ${p.adapter}${p.fallback ? ' (fallback adapter)' : ''}: GPU family ${p.family}`);
      if (p.kind === 'model') console.log(`  ${p.model.padEnd(20)} ${String(p.tuned).padStart(4)} shape classes timed in ${p.seconds.toFixed(1)} s`);
    },
  });
} catch (e) {
  console.error(e.message.startsWith('tune:') ? e.message : `tune: ${e.message}`);
  process.exit(1);
}

/**
 * The tables already in the file: one object literal of strings after its declaration, as
 * this command writes it (JSON) or as Biome formats it (single quotes, trailing commas), so
 * it is read as JavaScript, not as JSON.
 */
function readTables() {
  const text = readFileSync(tableFile, 'utf8');
  const literal = text.slice(text.indexOf('= {') + 2, text.lastIndexOf('}') + 1);
  return new Function(`return (${literal});`)();
}

const tables = readTables();
const table = models || missing ? { ...tables[result.family], ...result.table } : result.table;
tables[result.family] = Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
const header = readFileSync(tableFile, 'utf8').split('export const')[0];
writeFileAtomic(tableFile, `${header}export const PRETUNED_CHOICES: Readonly<Record<string, PretunedChoices>> = ${JSON.stringify(tables, null, 2)};\n`);
console.log(
  `${Object.keys(result.table).length} choices for ${result.family} written to ${tableFile} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
