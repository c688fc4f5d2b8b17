// What every command-line job that runs in the browser needs: set-up (apt, npm), the
// Vite server on a free localhost port (a secure context, so navigator.gpu exists), and
// headless Chromium with the WebGPU flags of chromium.config.json. The page's kernel
// autotuner keeps its choices in .cache/autotune.json (instead of the browser profile's
// IndexedDB, which a fresh headless profile forgets).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic_write.mjs';

/** Runs scripts/setup.mjs (apt, npm: whatever is missing); exits the process if it fails. */
export function runSetup(root) {
  if (spawnSync(process.execPath, [join(root, 'scripts/setup.mjs')], { stdio: 'inherit' }).status !== 0) process.exit(1);
}

/**
 * Runs the set-up, then starts the server and the browser (with `extraArgs` after
 * chromium.config.json's flags). Returns the page, `url(path)` for a path on the server,
 * and `close()`.
 */
export async function openPageSession(root, { extraArgs = [] } = {}) {
  runSetup(root);
  const { createServer } = await import('vite');
  const { chromium } = await import('playwright');
  const browserConfig = JSON.parse(readFileSync(join(root, 'chromium.config.json'), 'utf8'));
  // No file watching or hot reload: editing the sources must not reload a page mid-run.
  const server = await createServer({ root, logLevel: 'error', server: { port: 0, host: 'localhost', hmr: false, watch: null } });
  await server.listen();
  const port = server.httpServer.address().port;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? browserConfig.path,
    args: [...browserConfig.args, ...extraArgs],
    headless: true,
  });
  const page = await browser.newPage();
  const tuneFile = join(root, '.cache', 'autotune.json');
  await page.exposeFunction('autotuneLoad', () => (existsSync(tuneFile) ? JSON.parse(readFileSync(tuneFile, 'utf8')) : {}));
  await page.exposeFunction('autotuneSave', (choices) => writeFileAtomic(tuneFile, `${JSON.stringify(choices, null, 2)}\n`));
  let closing = null;
  const close = () => (closing ??= Promise.allSettled([browser.close(), server.close()]).then(() => undefined));
  // Ctrl-C, a kill or a closed terminal: close the browser and the server before exiting,
  // so no Vite server is left holding a port and no Chromium runs on.
  const onSignal = (signal) => {
    console.error(`\n${signal}: closing the browser and the server`);
    void close().then(() => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15)));
  };
  for (const signal of SIGNALS) process.once(signal, onSignal);
  return {
    page,
    url: (path) => `http://localhost:${port}${path}`,
    async close() {
      for (const signal of SIGNALS) process.off(signal, onSignal);
      await close();
    },
  };
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
