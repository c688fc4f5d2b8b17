#!/usr/bin/env node
// `npm run bench -- [--quick] [--filter TEXT] [--json FILE]`: serves demo/bench.html with
// Vite, opens it in headless Chromium (WebGPU), prints each case as it finishes and a
// table at the end, and with --json writes the report.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

if (spawnSync(process.execPath, [join(root, 'scripts/setup.mjs')], { stdio: 'inherit' }).status !== 0) process.exit(1);
const { createServer } = await import('vite');
const { chromium } = await import('playwright');
const browserConfig = JSON.parse(readFileSync(join(root, 'chromium.config.json'), 'utf8'));

// No file watching or hot reload: editing the sources must not reload a page mid-run.
const server = await createServer({ root, logLevel: 'error', server: { port: 0, host: 'localhost', hmr: false, watch: null } });
await server.listen();
const port = server.httpServer.address().port;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? browserConfig.path, args: browserConfig.args, headless: true });
try {
  const page = await browser.newPage();
  page.on('console', (m) => {
    const text = m.text();
    if (text.startsWith('bench ')) {
      const r = JSON.parse(text.slice(6));
      console.log(`${r.name.padEnd(28)} ${r.ours.medianMs.toFixed(2).padStart(10)} ms  gpu ${String(r.ours.gpuMedianMs?.toFixed(2) ?? '-').padStart(9)} ms  ${r.gflops.toFixed(3).padStart(8)} GFLOP/s`);
    }
  });
  const query = new URLSearchParams();
  if (flag('--quick')) query.set('quick', '1');
  if (value('--filter')) query.set('filter', value('--filter'));
  await page.goto(`http://localhost:${port}/demo/bench.html?${query}`);
  await page.waitForFunction(() => window.benchReport !== undefined, null, { timeout: 0, polling: 1000 });
  const report = await page.evaluate(() => window.benchReport);
  if (report.error) throw new Error(report.error);
  console.log(`adapter: ${report.adapter.vendor} ${report.adapter.architecture}${report.adapter.isFallback ? ' (fallback)' : ''}; ${report.cases.length} cases; medians of 5 after 2 warm-up runs`);
  if (value('--json')) writeFileSync(value('--json'), JSON.stringify(report, null, 2));
} finally {
  await browser.close();
  await server.close();
}
