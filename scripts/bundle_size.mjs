#!/usr/bin/env node
// `npm run size` (after npm run build): the bytes a web app ships for the README's minimal
// eager example (matmul with bias, ReLU, sum), ours against TF.js's (@tensorflow/tfjs-core
// and -backend-webgpu, the same four ops). Each app is built with Vite in production mode
// in a folder of its own; the sizes are of the JavaScript it emits, raw and gzipped.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const apps = {
  ours: `import { createWebGPUBackend, matmul, relu, scope, sum, tensor } from 'webgpu-cnn-engine';
const backend = await createWebGPUBackend();
const x = tensor(backend, [1, 2, 3, 4, 5, 6], [2, 3]);
const w = tensor(backend, new Float32Array(12).fill(0.5), [3, 4]);
const b = tensor(backend, [0, 1, 2, 3], [4]);
const y = scope(() => relu(matmul(x, w, { bias: b })));
console.log([...(await sum(y, 1).read())]);`,
  'TF.js': `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
await tf.setBackend('webgpu');
const x = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
const w = tf.fill([3, 4], 0.5);
const b = tf.tensor([0, 1, 2, 3], [4]);
const y = tf.relu(tf.add(tf.matMul(x, w), b));
console.log(await tf.sum(y, 1).data());`,
};

// Inside the repository, so both apps resolve their packages from its node_modules.
mkdirSync(join(root, '.cache'), { recursive: true });
const work = mkdtempSync(join(root, '.cache', 'bundle-size-'));
try {
  for (const [name, code] of Object.entries(apps)) {
    const dir = join(work, name === 'ours' ? 'ours' : 'tfjs');
    const outDir = join(dir, 'dist');
    await build({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      // The package as an app gets it from npm: its built entry (npm run build), never the sources.
      resolve: { alias: { 'webgpu-cnn-engine': join(root, 'dist', 'index.js') } },
      build: { outDir, emptyOutDir: true, target: 'es2022', lib: false, rollupOptions: { input: writeEntry(dir, code) } },
    });
    const files = readdirSync(join(outDir, 'assets')).filter((f) => f.endsWith('.js'));
    const bytes = files.map((f) => readFileSync(join(outDir, 'assets', f)));
    const raw = bytes.reduce((n, b) => n + b.length, 0);
    const gz = bytes.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
    console.log(
      `${name.padEnd(6)} ${(raw / 1000).toFixed(1).padStart(7)} kB  ${(gz / 1000).toFixed(1).padStart(6)} kB gzipped  (${files.length} file${files.length > 1 ? 's' : ''})`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

function writeEntry(dir, code) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n');
  writeFileSync(join(dir, 'main.js'), `${code}\n`);
  return join(dir, 'index.html');
}
