#!/usr/bin/env node
// `npm run bench`: our kernels and models against TF.js, jax-js and ONNX Runtime Web. The
// options, their checks and --help come from the table below (tools/cli/options.mjs).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJob } from '../tools/cli/job_runner.mjs';
import { defineCommand } from '../tools/cli/options.mjs';
import { openPageSession } from '../tools/cli/page_session.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = defineCommand({
  name: 'bench',
  summary: 'times our kernels and the same work on TF.js (WebGPU, CPU), jax-js and ONNX Runtime Web side by side, and prints each case as it finishes.',
  description: [
    "The browser runtime (the default) serves demo/bench.html with Vite and opens it in headless Chromium; --runtime node runs the same harness in Node on Dawn (npm webgpu), where every peer but ONNX Runtime Web gets Dawn's GPU.",
  ],
  options: {
    quick: { type: 'boolean', help: 'a subset of the cases, under 5 minutes on SwiftShader' },
    filter: { type: 'string', value: 'TEXT[,TEXT]', help: 'only the cases whose names contain one of the texts' },
    json: { type: 'path', value: 'FILE', help: 'write the report to FILE' },
    'no-peers': { type: 'boolean', help: 'time ours alone' },
    runtime: { type: 'choice', choices: ['browser', 'node'], default: 'browser', help: 'browser (headless Chromium) or node (Node on Dawn)' },
  },
}).parseOrExit(process.argv.slice(2));
const runtime = o.runtime;

const fmt = (t) => (t && 'medianMs' in t ? t.medianMs.toFixed(2) : '-');
const x = (v) => (v === undefined ? '-' : `${v.toFixed(1)}x`);
const header = `${'case'.padEnd(28)} ${'ours ms'.padStart(10)} ${'gpu ms'.padStart(9)} ${'GFLOP/s'.padStart(8)} ${'tfjs-gpu'.padStart(10)} ${'vs'.padStart(7)} ${'tfjs-cpu'.padStart(10)} ${'vs'.padStart(7)} ${'jax-js'.padStart(9)} ${'vs'.padStart(7)} ${'ort-web'.padStart(9)} ${'vs'.padStart(7)}`;
let printed = false;

/** One finished case as a table row (predictions also say what each system's first call cost). */
function printResult(r) {
  if (!printed) console.log(header);
  printed = true;
  const s = r.speedup;
  const first = r.name.includes('predict')
    ? `  first call: ours ${r.ours.firstMs?.toFixed(0)} ms, tfjs-gpu ${r.tfjsWebgpu?.firstMs?.toFixed(0) ?? '-'} ms, ort-web ${r.ortWeb?.firstMs?.toFixed(0) ?? '-'} ms`
    : '';
  console.log(
    `${r.name.padEnd(28)} ${fmt(r.ours).padStart(10)} ${String(r.ours.gpuMedianMs?.toFixed(2) ?? '-').padStart(9)} ${r.gflops.toFixed(3).padStart(8)} ` +
      `${fmt(r.tfjsWebgpu).padStart(10)} ${x(s.tfjsWebgpu).padStart(7)} ${fmt(r.tfjsCpu).padStart(10)} ${x(s.tfjsCpu).padStart(7)} ${fmt(r.jax).padStart(9)} ${x(s.jax).padStart(7)} ${fmt(r.ortWeb).padStart(9)} ${x(s.ortWeb).padStart(7)}` +
      (r.imagesPerSecond ? `  (${r.imagesPerSecond.toFixed(0)} images/s)` : '') +
      first,
  );
}

/**
 * The harness (tools/jobs/bench_job.ts) in headless Chromium (the Bench page) or in a Node
 * process on Dawn; each case comes back as a progress message, the report as the result.
 */
async function bench() {
  const job = { input: { quick: !!o.quick, filter: o.filter, peers: !o['no-peers'] }, onProgress: printResult };
  if (runtime === 'node') {
    // --expose-gc: the harness collects garbage before each timed run (tools/bench/runner.ts).
    return runJob(root, {
      ...job,
      runtime: 'node',
      node: 'tools/jobs/bench_node_main.ts',
      bundled: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgpu', '@jax-js/jax'],
      nodeArgs: ['--expose-gc'],
    });
  }
  const session = await openPageSession(root, { extraArgs: ['--js-flags=--expose-gc'] });
  try {
    session.page.on('console', (m) => {
      if (m.type() === 'error') console.error(`[page] ${m.text()}`);
    });
    // ?job: the page waits for this command instead of reading its options from the address.
    return await runJob(root, { ...job, runtime: 'browser', page: '/demo/bench.html?job', session });
  } finally {
    await session.close();
  }
}

let report;
try {
  report = await bench();
} catch (e) {
  console.error(`bench: ${e.message}`);
  process.exit(1);
}
console.log(
  `adapter: ${report.adapter.vendor} ${report.adapter.architecture}${report.adapter.isFallback ? ' (fallback)' : ''}, ${runtime === 'node' ? 'Node on Dawn' : 'headless Chromium'}; ${report.cases.length} cases; medians of 5 interleaved runs after 2 warm-up runs each`,
);
for (const [peer, label] of Object.entries(report.peers)) console.log(`  ${peer}: ${label}`);
const skips = report.cases.flatMap((c) =>
  ['tfjsWebgpu', 'tfjsCpu', 'jax', 'ortWeb'].filter((k) => c[k]?.skipped?.startsWith('failed')).map((k) => `  ${c.name} ${k}: ${c[k].skipped}`),
);
if (skips.length) console.log(`peer failures:\n${skips.join('\n')}`);
if (o.json) writeFileSync(o.json, JSON.stringify(report, null, 2));
