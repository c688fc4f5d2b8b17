import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './vite.config';

// npm test picks a free port and passes it here (a server an interrupted run left on
// 5179 would otherwise fail the next run).
const port = Number(process.env.E2E_PORT ?? 5179);

/**
 * End-to-end tests: the demo served by Vite, driven in the system's headless Chromium.
 * The limits allow at least twice the slowest time seen (the Train page test took 2.0
 * min on a busy host, 33 s alone here).
 */
export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 360_000,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
  webServer: {
    command: `npx vite --port ${port} --strictPort`,
    url: `http://localhost:${port}/demo/`,
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
