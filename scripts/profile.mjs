#!/usr/bin/env node
// `npm run profile -- [--model lenet5] [--batch 64] [--top N] [--json FILE]`: compiles one
// training step (Adam) of a zoo model in headless Chromium, times whole steps and then
// every node on its own (GPU timestamps), and prints the slowest nodes and the time per op.
// For finding where a step's time goes; benchmarks proper are `npm run bench`.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPageSession } from '../cli/page_session.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const value = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);

const session = await openPageSession(root);
const { page } = session;
try {
  const query = new URLSearchParams({ model: value('--model', 'lenet5'), batch: value('--batch', '64') });
  await page.goto(session.url(`/demo/profile.html?${query}`));
  await page.waitForFunction(() => window.profileReport !== undefined, null, { timeout: 0, polling: 500 });
  const report = await page.evaluate(() => window.profileReport);
  if (report.error) {
    console.error(report.error);
    process.exitCode = 1;
  } else {
    const top = Number(value('--top', '15'));
    console.log(`${report.model}, batch ${report.batch} on ${report.adapter.vendor} ${report.adapter.architecture}: ${report.stepMedianMs.toFixed(1)} ms per step (median of 5, one submit), ${report.dispatchesPerStep} dispatches; nodes timed alone sum to ${report.nodesTotalMs.toFixed(1)} ms`);
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
      console.log(`  ${ms.toFixed(2).padStart(9)} ms  ${(100 * ms / report.nodesTotalMs).toFixed(1).padStart(5)}%  ${shader}`);
    }
    console.log('\ntime per op:');
    for (const [op, ms] of [...byOp].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${ms.toFixed(2).padStart(9)} ms  ${(100 * ms / report.nodesTotalMs).toFixed(1).padStart(5)}%  ${op}`);
    }
    if (value('--json')) writeFileSync(value('--json'), JSON.stringify(report, null, 2));
  }
} finally {
  await session.close();
}
