#!/usr/bin/env node
// `npm test`: set up what is missing, check formatting and lint (Biome), run the whole suite in headless Chromium, and end
// with the plain line `N passed, N failed` that CI reads. Extra arguments go to Vitest
// (for example `npm test -- tests/ops/matmul.test.ts`; then the end-to-end tests are skipped).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../tools/cli/free_port.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const setup = spawnSync(process.execPath, [join(root, 'scripts/setup.mjs')], { cwd: root, stdio: 'inherit' });
if (setup.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(setup.status ?? 1);
}

// The formatter and linter (Biome, biome.json): a finding fails the run like a test does.
const lint = spawnSync(join(root, 'node_modules', '.bin', 'biome'), ['check', '.'], { cwd: root, stdio: 'inherit' });
const lintFailed = lint.status === 0 ? 0 : 1;
if (lintFailed) console.log('lint: biome check found problems (npm run lint; npm run format fixes the formatting)');

const report = join(root, 'test-results', 'vitest.json');
rmSync(report, { force: true });
const vitest = spawnSync(
  join(root, 'node_modules', '.bin', 'vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);

let passed = 1 - lintFailed;
let failed = lintFailed;
let skipped = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
  // A file that fails to load has no tests to count; count it as a failure.
  failed += r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
} else {
  failed += 1;
}

// End-to-end tests of the demo (Playwright), unless a Vitest filter was given.
let e2eStatus = 0;
if (process.argv.length <= 2) {
  const e2eReport = join(root, 'test-results', 'e2e.json');
  rmSync(e2eReport, { force: true });
  // A free port for the demo's server, so one that an interrupted run left on 5179 does not fail this run.
  const port = await freePort(Number(process.env.E2E_PORT ?? 5179));
  const e2e = spawnSync(join(root, 'node_modules', '.bin', 'playwright'), ['test'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, E2E_PORT: String(port) },
  });
  e2eStatus = e2e.status ?? 1;
  if (existsSync(e2eReport)) {
    const s = JSON.parse(readFileSync(e2eReport, 'utf8')).stats;
    passed += s.expected + s.flaky;
    failed += s.unexpected;
    skipped += s.skipped;
  } else {
    failed += 1;
  }
}
const code = vitest.status !== 0 || e2eStatus !== 0 || failed > 0 ? 1 : 0;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code);
