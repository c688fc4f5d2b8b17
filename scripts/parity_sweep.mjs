#!/usr/bin/env node
// `npm run parity:sweep`: the device pack's parity sweep (tools/device/parity_sweep.ts) here,
// in Node on Dawn, on the adapter named: every row of every kernel family's variant table,
// forced, on every case of the tests' tables, against the CPU reference. The browser suite
// checks the same rows on Chromium's SwiftShader; this runs them on lavapipe too, a second
// implementation that schedules invocations its own way.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode, DEVICE_BUNDLED } from '../tools/cli/node_bundle.mjs';
import { defineCommand } from '../tools/cli/options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = defineCommand({
  name: 'parity:sweep',
  summary: "runs every kernel variant on the test tables' cases against the CPU reference, in Node on Dawn.",
  description: [
    'Prints the worst error per variant (error over the allowed tolerance: 1 is the bound) and writes parity.json to --out. Exit 0 when every variant that ran matched, 3 when one did not, 1 when the sweep could not run or stopped at --cap before the end. Rows needing a feature the adapter lacks (shader-f16 on SwiftShader) are listed as skipped, with the feature.',
  ],
  options: {
    adapter: {
      type: 'choice',
      choices: ['auto', 'lavapipe', 'swiftshader'],
      default: 'auto',
      help: "the Vulkan driver Dawn uses (as train's --adapter)",
    },
    real: { type: 'boolean', help: "also the real sizes (ResNet-50 and VGG layers at batch 8): the device pack's --full sweep, minutes of CPU reference here" },
    'per-variant': { type: 'integer', value: 'N', help: 'at most N cases per variant, in table order (default: every case it fits)' },
    cap: { type: 'integer', value: 'SECONDS', default: 600, help: 'stop starting cases after this long and say where it stopped' },
    out: { type: 'path', value: 'DIR', shown: 'a temporary folder', help: 'where parity.json goes' },
  },
}).parseOrExit(process.argv.slice(2));

/** A folder of its own under node_modules (the bundle imports webgpu from there), so two sweeps never share one. */
function bundleDir() {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  return mkdtempSync(join(cache, 'parity-sweep-'));
}

const out = o.out ?? mkdtempSync(join(tmpdir(), 'parity-sweep-'));
mkdirSync(out, { recursive: true });
const bundle = await bundleForNode(root, 'tools/device/device_main.ts', bundleDir(), {
  bundled: DEVICE_BUNDLED,
  singleFile: true,
});
const args = [
  bundle,
  'parity',
  '--out',
  out,
  '--mode',
  o.real ? 'full' : 'tables',
  '--cap',
  String(o.cap),
  '--adapter',
  o.adapter,
  ...(o['per-variant'] ? ['--per-variant', String(o['per-variant'])] : []),
];
const run = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
rmSync(dirname(bundle), { recursive: true, force: true });
if (run.status === null) {
  console.error(`parity:sweep: the sweep was stopped by ${run.signal}`);
  process.exit(1);
}
let report;
try {
  report = JSON.parse(readFileSync(join(out, 'parity.json'), 'utf8'));
} catch {
  process.exit(run.status || 1);
}
if (!report.complete) {
  console.error(`parity:sweep: incomplete (${report.stoppedAt ?? `exit ${run.status}`}); what it did is in ${join(out, 'parity.json')}`);
  process.exit(run.status || 1);
}
console.log(`parity:sweep: ${report.passed} variants passed, ${report.failed} failed on ${report.adapter}; ${join(out, 'parity.json')}`);
process.exit(report.failed > 0 ? 3 : run.status);
