#!/usr/bin/env node
// `npm run bench:tables`: writes the benchmark tables of docs/benchmarks.md from the
// results in bench/results/ (`git rev-list <commit>..HEAD` says which are stale). The
// options, their checks and --help come from BENCH_TABLES below (tools/cli/options.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defineCommand } from '../tools/cli/options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_DIR = 'bench/results';
export const DOC = 'docs/benchmarks.md';
export const START = '<!-- bench-tables:start (written by npm run bench:tables; do not edit by hand) -->';
export const END = '<!-- bench-tables:end -->';
/** The folders whose changes make a result stale: the engine the bench measures. */
export const MEASURED = ['src', 'shaders'];

const PEERS = [
  ['tfjsWebgpu', 'TF.js WebGPU'],
  ['tfjsCpu', 'TF.js CPU'],
  ['jax', 'jax-js'],
  ['ortWeb', 'ONNX Runtime Web'],
];
const RUNTIMES = { browser: 'headless Chromium', node: 'Node on Dawn' };

/** The result files, parsed, each with its file name. */
export function readResults(dir = join(root, RESULTS_DIR)) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...JSON.parse(readFileSync(join(dir, file), 'utf8')) }));
}

/** What a result must hold, as a list of problems (empty when it is whole). */
export function problemsOf(r) {
  const p = [];
  if (!r.adapter || typeof r.adapter.vendor !== 'string' || typeof r.adapter.architecture !== 'string') p.push('adapter {vendor, architecture}');
  if (typeof r.date !== 'string' || Number.isNaN(Date.parse(r.date))) p.push('date (ISO 8601)');
  if (typeof r.commit !== 'string' || !/^[0-9a-f]{7,40}$/.test(r.commit)) p.push('commit (a git hash)');
  if (!(r.runtime in RUNTIMES)) p.push(`runtime (${Object.keys(RUNTIMES).join(' or ')})`);
  if (!Array.isArray(r.cases) || r.cases.some((c) => typeof c.name !== 'string' || typeof c.ours?.medianMs !== 'number'))
    p.push('cases [{name, ours: {medianMs}}]');
  const stem = r.file && `${adapterSlug(r.adapter ?? {})}-${(r.date ?? '').slice(0, 10)}-${(r.commit ?? '').slice(0, 7)}`;
  if (r.file && !r.file.startsWith(stem)) p.push(`file name starting ${stem}`);
  return p;
}

export const adapterSlug = (a) =>
  `${a.vendor ?? ''}-${a.architecture ?? ''}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
const adapterName = (a) => `${a.vendor} ${a.architecture}${a.isFallback ? ' (fallback)' : ''}`;

const ms = (v) => v.toFixed(1);
const times = (x) => `${x.toFixed(1)}x`;
const gflops = (c) => (c.flops ? (c.flops / (c.ours.medianMs / 1000) / 1e9).toFixed(2) : '-');
const perSecond = (v) => (v === undefined ? '-' : v >= 10 ? v.toFixed(0) : v.toFixed(1));

/** A peer's cell pair: its median and how many times faster ours is, or why it was not timed. */
function peerCells(c, key) {
  const t = c[key];
  if (!t) return ['-', '-'];
  if ('medianMs' in t) return [ms(t.medianMs), times(t.medianMs / c.ours.medianMs)];
  if (t.skipped?.startsWith('failed')) {
    const d = /largest difference ([\d.e+-]+)/.exec(t.skipped);
    return [d ? `failed: wrong outputs (off by ${d[1]})` : 'failed', '-'];
  }
  return ['-', '-'];
}

/**
 * The generated section for these results. `staleness(commit)` says how many commits to
 * the measured folders came after a result's commit (null: unknown); the command asks git,
 * the docs test passes its own so that a new commit does not change what it compares.
 */
export function renderTables(results, staleness) {
  const groups = new Map();
  for (const r of results) {
    const key = `${adapterSlug(r.adapter)}|${r.runtime}`;
    if (!groups.has(key)) groups.set(key, { adapter: r.adapter, runtime: r.runtime, results: [] });
    groups.get(key).results.push(r);
  }
  const out = [];
  for (const g of [...groups.values()].sort((a, b) => adapterSlug(a.adapter).localeCompare(adapterSlug(b.adapter)) || a.runtime.localeCompare(b.runtime))) {
    // Each case from its newest result; results of one moment (the same date and commit) all count.
    const newest = new Map();
    for (const r of g.results) {
      for (const c of r.cases) {
        const held = newest.get(c.name);
        if (!held || r.date > held[0].r.date) newest.set(c.name, [{ r, c }]);
        else if (r.date === held[0].r.date) held.push({ r, c });
      }
    }
    const order = [];
    for (const r of [...g.results].sort((a, b) => a.date.localeCompare(b.date) || a.file.localeCompare(b.file)))
      for (const c of r.cases) if (!order.includes(c.name)) order.push(c.name);
    const used = [...new Set([...newest.values()].flat().map((e) => e.r))].sort((a, b) => a.date.localeCompare(b.date) || a.file.localeCompare(b.file));
    const label = new Map(used.map((r, i) => [r, String.fromCharCode(65 + i)]));
    const peers = PEERS.filter(([key]) => [...newest.values()].flat().some(({ c }) => c[key]));
    out.push(`### ${adapterName(g.adapter)}, ${RUNTIMES[g.runtime]}`, '');
    out.push(`| case | ours ms | ours GPU ms | GFLOP/s | images/s | ${peers.map(([, name]) => `${name} ms | ours vs it`).join(' | ')} | run |`);
    out.push(`| --- | ---: | ---: | ---: | ---: | ${peers.map(() => '---: | ---:').join(' | ')} | --- |`);
    for (const name of order) {
      for (const { r, c } of newest.get(name)) {
        const gpu = c.ours.gpuMedianMs == null ? '-' : ms(c.ours.gpuMedianMs);
        const cells = peers.flatMap(([key]) => peerCells(c, key));
        out.push(`| ${name} | ${ms(c.ours.medianMs)} | ${gpu} | ${gflops(c)} | ${perSecond(c.imagesPerSecond)} | ${cells.join(' | ')} | ${label.get(r)} |`);
      }
    }
    out.push('', 'Runs:', '');
    for (const r of used) {
      const n = staleness(r.commit);
      const state =
        n === null
          ? 'staleness unknown (the commit is not in this history)'
          : n === 0
            ? 'current: no commits to src/ or shaders/ since'
            : `**stale**: ${n} commit${n === 1 ? '' : 's'} to src/ or shaders/ since`;
      out.push(
        `- ${label.get(r)}: [${r.file}](../${RESULTS_DIR}/${r.file}), ${r.date.slice(0, 10)}, \`${r.command}\`; measured at \`${r.commit.slice(0, 7)}\`, ${state}.`,
      );
    }
    const older = g.results.filter((r) => !used.includes(r));
    if (older.length > 0)
      out.push(
        '',
        `Older results for this adapter, superseded case by case by the runs above: ${older.map((r) => `[${r.file}](../${RESULTS_DIR}/${r.file})`).join(', ')}.`,
      );
    out.push('');
  }
  return out.join('\n');
}

/** The pattern of the staleness words, which the docs test treats as one placeholder. */
export const STALENESS =
  /staleness unknown \(the commit is not in this history\)|current: no commits to src\/ or shaders\/ since|\*\*stale\*\*: \d+ commits? to src\/ or shaders\/ since/g;

/** Commits to the measured folders after `commit`, from git; null when git does not know the commit. */
export function gitStaleness(commit) {
  try {
    return Number(
      execFileSync('git', ['rev-list', '--count', `${commit}..HEAD`, '--', ...MEASURED], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim(),
    );
  } catch {
    return null;
  }
}

/** The document with its generated section replaced. */
export function withTables(doc, section) {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`bench:tables: ${DOC} lacks the markers ${START} ... ${END}`);
  return `${doc.slice(0, a + START.length)}\n\n${section}\n${doc.slice(b)}`;
}

/** The generated section as it stands in the document. */
export function sectionOf(doc) {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) return null;
  return doc.slice(a + START.length, b).trim();
}

/** A report of `npm run bench -- --json` stamped with this checkout's commit, stored under bench/results/. */
function add(file, runtime, command) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain', '--', ...MEASURED);
  if (dirty) throw new Error(`bench:tables: src/ or shaders/ have uncommitted changes, so no commit names the code this report measured:\n${dirty}`);
  const stamped = {
    adapter: report.adapter,
    date: report.date,
    commit: git('rev-parse', 'HEAD'),
    runtime,
    command: command ?? `npm run bench -- --json ${file}`,
    peers: report.peers,
    cases: report.cases,
  };
  const name = `${adapterSlug(report.adapter)}-${report.date.slice(0, 10)}-${stamped.commit.slice(0, 7)}`;
  let target = join(root, RESULTS_DIR, `${name}.json`);
  for (let i = 2; existsSync(target); i++) target = join(root, RESULTS_DIR, `${name}-${i}.json`);
  const problems = problemsOf(stamped);
  if (problems.length) throw new Error(`bench:tables: ${file} lacks ${problems.join(', ')}`);
  writeFileSync(target, `${JSON.stringify(stamped, null, 2)}\n`);
  console.log(`stored ${target}`);
}

const BENCH_TABLES = defineCommand({
  name: 'bench:tables',
  usage: ['--add REPORT.json [--runtime browser|node] [--command TEXT]'],
  summary: `writes the benchmark tables of ${DOC} (between the bench-tables markers) from the results in ${RESULTS_DIR}/, so no table is copied by hand.`,
  description: [
    'One current table per adapter and runtime: each case from the newest result that has it, with how many times faster ours is than each peer in that same run. A result is marked stale when src/ or shaders/ changed in commits after the one it measured.',
  ],
  options: {
    check: { type: 'boolean', help: 'rewrite nothing; exit 1 when the tables differ from the results (the staleness counts aside)' },
    add: {
      type: 'path',
      value: 'REPORT.json',
      help: `stamp a report of npm run bench -- --json FILE with this checkout's commit and store it in ${RESULTS_DIR}/, then rewrite`,
    },
    runtime: { type: 'choice', choices: Object.keys(RUNTIMES), default: 'browser', requires: 'add', help: 'with --add: the runtime the report was made in' },
    command: { type: 'string', value: 'TEXT', requires: 'add', help: 'with --add: the command that made the report' },
  },
});

function main(argv) {
  const { help, values: o } = BENCH_TABLES.parse(argv);
  if (help) {
    console.log(BENCH_TABLES.help());
    return;
  }
  if (o.add) add(o.add, o.runtime, o.command);
  const results = readResults();
  for (const r of results) {
    const problems = problemsOf(r);
    if (problems.length) throw new Error(`bench:tables: ${RESULTS_DIR}/${r.file} lacks ${problems.join(', ')}`);
  }
  const docPath = join(root, DOC);
  const doc = readFileSync(docPath, 'utf8');
  const next = withTables(doc, renderTables(results, gitStaleness));
  if (o.check) {
    // The staleness counts grow with every commit to src/ or shaders/: only the rest must match.
    const normal = (text) => text.replace(STALENESS, '(staleness)');
    if (normal(next) !== normal(doc)) {
      console.error(`bench:tables: the tables in ${DOC} differ from ${RESULTS_DIR}/ (run npm run bench:tables)`);
      process.exit(1);
    }
    console.log(
      `${DOC}: the tables match ${results.length} results${next === doc ? '' : ' (the staleness counts are behind; npm run bench:tables refreshes them)'}`,
    );
    return;
  }
  if (next !== doc) writeFileSync(docPath, next);
  console.log(`${DOC}: tables from ${results.length} results${next === doc ? ' (unchanged)' : ''}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
}
