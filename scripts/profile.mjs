#!/usr/bin/env node
// `npm run profile`: where one training step's time goes, node by node. The options, their
// checks and --help come from the table below (tools/cli/options.mjs).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand } from '../tools/cli/options.mjs';
import { runJob } from '../tools/cli/job_runner.mjs';
import { openPageSession } from '../tools/cli/page_session.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = defineCommand({
  name: 'profile',
  summary:
    'compiles one training step (Adam) of a zoo model in headless Chromium, times whole steps and then every node on its own (GPU timestamps), and prints the slowest nodes, the time per shader and the time per op.',
  description: ["For finding where a step's time goes; benchmarks proper are npm run bench."],
  options: {
    model: { type: 'string', value: 'KEY', default: 'lenet5', help: 'the zoo model' },
    batch: { type: 'integer', value: 'N', default: 64, help: 'batch size of the step' },
    top: { type: 'integer', value: 'N', default: 15, help: 'how many of the slowest nodes to print' },
    json: { type: 'path', value: 'FILE', help: 'also write the report to FILE' },
  },
}).parseOrExit(process.argv.slice(2));

const session = await openPageSession(root);
try {
  let report;
  try {
    report = await runJob(root, { runtime: 'browser', page: '/demo/profile.html?job', session, input: { model: o.model, batch: o.batch } });
  } catch (e) {
    console.error(e.message);
    process.exitCode = 1;
  }
  if (report) {
    const top = o.top;
    console.log(
      `${report.model}, batch ${report.batch} on ${report.adapter.vendor} ${report.adapter.architecture}: ${report.stepMedianMs.toFixed(1)} ms per step (median of 5, one submit), ${report.dispatchesPerStep} dispatches; nodes timed alone sum to ${report.nodesTotalMs.toFixed(1)} ms`,
    );
    console.log('\nslowest nodes:');
    for (const n of [...report.nodes].sort((a, b) => b.ms - a.ms).slice(0, top)) {
      console.log(`  ${n.ms.toFixed(2).padStart(9)} ms  ${n.op.padEnd(22)} ${n.shape.padEnd(16)} ${n.shaders.join(' + ')}`);
    }
    const byOp = new Map();
    for (const n of report.nodes) byOp.set(n.op, (byOp.get(n.op) ?? 0) + n.ms);
    const byShader = new Map();
    for (const n of report.nodes) for (const s of new Set(n.shaders)) byShader.set(s, (byShader.get(s) ?? 0) + n.ms / new Set(n.shaders).size);
    console.log('\ntime per shader (a node of several shaders split evenly between them):');
    for (const [shader, ms] of [...byShader].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${ms.toFixed(2).padStart(9)} ms  ${((100 * ms) / report.nodesTotalMs).toFixed(1).padStart(5)}%  ${shader}`);
    }
    console.log('\ntime per op:');
    for (const [op, ms] of [...byOp].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${ms.toFixed(2).padStart(9)} ms  ${((100 * ms) / report.nodesTotalMs).toFixed(1).padStart(5)}%  ${op}`);
    }
    if (o.json) writeFileSync(o.json, JSON.stringify(report, null, 2));
  }
} finally {
  await session.close();
}
