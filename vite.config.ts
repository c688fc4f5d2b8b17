import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { readFileSync } from 'node:fs';
import { datasetsPlugin } from './datasets_plugin.ts';

/**
 * Flags that make headless Chromium expose WebGPU (chromium.config.json, shared with the
 * command-line scripts). On a machine without a GPU, SwiftShader (a CPU Vulkan) backs
 * the adapter; the network flags stop Chromium from dialling out of a sandbox with no network.
 */
// Read, not imported: Playwright's config loader would need an import attribute for JSON.
const chromium = JSON.parse(readFileSync(new URL('./chromium.config.json', import.meta.url), 'utf8')) as { path: string; args: string[] };

export const chromiumArgs = chromium.args;

export const chromiumPath = process.env.CHROMIUM_PATH ?? chromium.path;

export default defineConfig({
  plugins: [datasetsPlugin()],
  // The benchmark peers are imported on demand; listed here so the dev server bundles
  // them at start instead of re-optimizing (and failing the page's import) mid-run.
  optimizeDeps: {
    include: [
      'onnx-proto',
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-core/dist/register_all_gradients',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-webgpu',
      '@jax-js/jax',
      'onnxruntime-web/webgpu',
      'uplot',
    ],
  },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One browser page at a time: the machine has two cores and SwiftShader uses both.
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/e2e/**', 'tests/node/**'],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      // The command line's file handling (atomic writes, the report) runs in Node, and the
      // engine on Dawn (tests/helpers/backends.ts). wgsl_reflect goes through Vite, which
      // takes its ES module: Node would load its "main", a CommonJS file its package marks ESM.
      {
        extends: true,
        test: { name: 'node', include: ['tests/node/**/*.test.ts'], environment: 'node', server: { deps: { inline: ['wgsl_reflect'] } } },
      },
    ],
  },
});
