#!/usr/bin/env node
// `npm run fuzz -- [--minutes N] [--reader NAME[,NAME]] [--seed S [--path P]]`: every file
// reader under the property-based fuzzer (tests/fuzz/readers.ts) for N minutes each
// (default 1), one reader after another in worker threads of this one process, with a
// random seed that is printed so any failure replays (`--reader R --seed S --path P`
// replays one shrunk case). A reader that stops reporting for two minutes is taken as
// hung and stopped. Prints cases and failures per reader and writes a JSON summary to
// bench/fuzz/fuzz-<date>.json (bench/results/ holds benchmark results only). Exits 1
// when anything failed. The suite runs the same properties with a fixed seed
// (tests/node/readers_fuzz.test.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '../tools/cli/atomic_write.mjs';
import { bundleForNode } from '../tools/cli/node_bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const HANG_MS = 120_000;

function parseArgs(argv) {
  const o = { minutes: 1, readers: null, seed: null, path: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--minutes') o.minutes = Number(value);
    else if (flag === '--reader' || flag === '--readers') o.readers = value?.split(',');
    else if (flag === '--seed') o.seed = Number(value);
    else if (flag === '--path') o.path = value;
    else throw new Error(`fuzz: unknown option ${flag}; usage: npm run fuzz -- [--minutes N] [--reader NAME[,NAME]] [--seed S [--path P]]`);
    i++;
  }
  if (!(o.minutes > 0)) throw new Error(`fuzz: --minutes must be a positive number, got ${argv[argv.indexOf('--minutes') + 1]}`);
  if (o.seed !== null && !Number.isSafeInteger(o.seed)) throw new Error('fuzz: --seed must be an integer');
  if (o.path !== undefined && (o.seed === null || o.readers?.length !== 1))
    throw new Error('fuzz: --path replays one case: give it with --seed and one --reader');
  return o;
}

/** Runs the bundled worker with `input`; resolves with its messages of interest. */
function runWorker(file, input, onMessage) {
  return new Promise((resolve) => {
    const worker = new Worker(file, { workerData: input });
    let last = Date.now();
    let hung = false;
    let done = null;
    const watchdog = setInterval(() => {
      if (Date.now() - last > HANG_MS) {
        hung = true;
        void worker.terminate();
      }
    }, 5000);
    worker.on('message', (m) => {
      last = Date.now();
      if (m.type === 'done' || m.type === 'list') done = m;
      onMessage(m);
    });
    worker.on('error', (e) => onMessage({ type: 'error', message: e.stack ?? String(e) }));
    worker.on('exit', () => {
      clearInterval(watchdog);
      resolve({ done, hung });
    });
  });
}

const o = parseArgs(process.argv.slice(2));
const file = await bundleForNode(root, 'tests/fuzz/fuzz_worker.ts', join(root, '.cache', 'fuzz_worker'));
const { done: list } = await runWorker(file, { command: 'list' }, () => {});
const all = list.readers;
const unknown = (o.readers ?? []).filter((r) => !all.some((x) => x.name === r));
if (unknown.length) throw new Error(`fuzz: no reader ${unknown.join(', ')}; readers: ${all.map((r) => r.name).join(', ')}`);
const readers = o.readers ? all.filter((r) => o.readers.includes(r.name)) : all;
const seed = o.seed ?? (Math.random() * 2 ** 31) | 0;
const ms = o.minutes * 60_000;
console.log(
  o.path !== undefined
    ? `fuzz: replaying ${readers[0].name} --seed ${seed} --path ${o.path}`
    : `fuzz: ${readers.length} reader(s), ${o.minutes} min each, seed ${seed} (replay: npm run fuzz -- --seed ${seed} --reader NAME)`,
);

const started = new Date();
const results = [];
for (const reader of readers) {
  const t0 = performance.now();
  let cases = 0;
  const failures = [];
  let crash = null;
  const { done, hung } = await runWorker(file, { command: 'run', reader: reader.name, seed, ms, path: o.path, root }, (m) => {
    if (m.type === 'progress') cases = m.cases;
    else if (m.type === 'failure') {
      failures.push(m.failure);
      console.log(
        `  ${reader.name}: FAILED: ${m.failure.error}\n    counterexample ${m.failure.counterexample}\n    replay: npm run fuzz -- --reader ${reader.name} --seed ${m.failure.seed} --path ${m.failure.path}`,
      );
    } else if (m.type === 'error') crash = m.message;
  });
  if (done) cases = done.cases;
  if (hung)
    failures.push({
      seed,
      path: null,
      counterexample: null,
      error: `no progress for ${HANG_MS / 1000} s after ${cases} cases: a read hangs (replay with --seed ${seed})`,
    });
  if (crash) failures.push({ seed, path: null, counterexample: null, error: `the worker crashed: ${crash}` });
  const seconds = (performance.now() - t0) / 1000;
  results.push({
    reader: reader.name,
    what: reader.what,
    seconds: Math.round(seconds),
    cases,
    failures,
    returned: done?.returned ?? null,
    refusedKinds: done?.refusedKinds ?? null,
    topRefusals: done?.topRefusals ?? [],
  });
  console.log(
    `${reader.name.padEnd(16)} ${String(cases).padStart(9)} cases in ${seconds.toFixed(0).padStart(4)} s  ${String(failures.length).padStart(3)} failure(s)  (${done?.returned ?? '?'} reads returned a result; refusals: ${done?.refusedKinds ?? '?'} kinds of message)`,
  );
}

let commit = null;
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
} catch {
  // not a git checkout
}
const summary = { date: started.toISOString(), commit, node: process.version, minutesPerReader: o.minutes, seed, replay: o.path ?? null, readers: results };
const dir = join(root, 'bench', 'fuzz');
mkdirSync(dir, { recursive: true });
const out = join(dir, `fuzz-${started.toISOString().slice(0, 16).replace(/:/g, '-')}.json`);
writeFileAtomic(out, `${JSON.stringify(summary, null, 2)}\n`);
const failed = results.reduce((n, r) => n + r.failures.length, 0);
console.log(`${failed === 0 ? 'no failures' : `${failed} failure(s)`}; summary in ${relative(root, out)}`);
process.exit(failed === 0 ? 0 : 1);
