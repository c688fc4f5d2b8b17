#!/usr/bin/env node
// `npm run bench -- [--quick] [--filter TEXT[,TEXT]] [--json FILE] [--no-peers]`: serves
// demo/bench.html with Vite, opens it in headless Chromium (WebGPU), times our kernels and
// the same work on TF.js (WebGPU, CPU) and jax-js side by side, prints each case as it
// finishes, and with --json writes the report.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPageSession } from '../cli/page_session.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

// --expose-gc: the harness collects garbage before each timed run (src/bench/runner.ts).
const session = await openPageSession(root, { extraArgs: ['--js-flags=--expose-gc'] });
const { page } = session;
try {
  const fmt = (t) => (t && 'medianMs' in t ? t.medianMs.toFixed(2) : '-');
  const x = (v) => (v === undefined ? '-' : `${v.toFixed(1)}x`);
  const header = `${'case'.padEnd(28)} ${'ours ms'.padStart(10)} ${'gpu ms'.padStart(9)} ${'GFLOP/s'.padStart(8)} ${'tfjs-gpu'.padStart(10)} ${'vs'.padStart(7)} ${'tfjs-cpu'.padStart(10)} ${'vs'.padStart(7)} ${'jax-js'.padStart(9)} ${'vs'.padStart(7)}`;
  let printed = false;
  page.on('console', (m) => {
    const text = m.text();
    if (m.type() === 'error') console.error(`[page] ${text}`);
    if (!text.startsWith('bench ')) return;
    if (!printed) console.log(header);
    printed = true;
    const r = JSON.parse(text.slice(6));
    const s = r.speedup;
    console.log(
      `${r.name.padEnd(28)} ${fmt(r.ours).padStart(10)} ${String(r.ours.gpuMedianMs?.toFixed(2) ?? '-').padStart(9)} ${r.gflops.toFixed(3).padStart(8)} ` +
        `${fmt(r.tfjsWebgpu).padStart(10)} ${x(s.tfjsWebgpu).padStart(7)} ${fmt(r.tfjsCpu).padStart(10)} ${x(s.tfjsCpu).padStart(7)} ${fmt(r.jax).padStart(9)} ${x(s.jax).padStart(7)}` +
        (r.imagesPerSecond ? `  (${r.imagesPerSecond.toFixed(0)} images/s)` : ''),
    );
  });
  const query = new URLSearchParams({ run: '1' });
  if (flag('--quick')) query.set('quick', '1');
  if (value('--filter')) query.set('filter', value('--filter'));
  if (flag('--no-peers')) query.set('peers', '0');
  await page.goto(session.url(`/demo/bench.html?${query}`));
  await page.waitForFunction(() => window.benchReport !== undefined, null, { timeout: 0, polling: 1000 });
  const report = await page.evaluate(() => window.benchReport);
  if (report.error) throw new Error(report.error);
  console.log(`adapter: ${report.adapter.vendor} ${report.adapter.architecture}${report.adapter.isFallback ? ' (fallback)' : ''}; ${report.cases.length} cases; medians of 5 interleaved runs after 2 warm-up runs each`);
  for (const [peer, label] of Object.entries(report.peers)) console.log(`  ${peer}: ${label}`);
  const skips = report.cases.flatMap((c) => ['tfjsWebgpu', 'tfjsCpu', 'jax'].filter((k) => c[k]?.skipped && !c[k].skipped.startsWith('jax-js is timed')).map((k) => `  ${c.name} ${k}: ${c[k].skipped}`));
  if (skips.length) console.log(`peer failures:\n${skips.join('\n')}`);
  if (value('--json')) writeFileSync(value('--json'), JSON.stringify(report, null, 2));
} finally {
  await session.close();
}
