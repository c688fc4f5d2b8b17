#!/usr/bin/env node
// `npm run train -- [--model conv-bn] [--dataset fashion-mnist] [--epochs 3] [--batch 64]
//   [--optimizer adam] [--lr 2e-3] [--schedule constant|cosine|step|exponential]
//   [--augment [full|flip]] [--limit N] [--backend webgpu|cpu] [--seed S] [--json FILE] [--out DIR]`
//
// Sets up what is missing, serves the engine with Vite, trains in headless Chromium
// (WebGPU) on the real dataset from /usr/share/datasets, shows a progress bar, and
// writes to --out: weights.safetensors, metrics.json and report.html (atomically).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../cli/atomic_write.mjs';
import { ProgressBar } from '../cli/progress.mjs';
import { renderReport } from '../cli/report.mjs';
import { openPageSession } from '../cli/page_session.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const defaults = { model: 'conv-bn', dataset: 'fashion-mnist', epochs: 3, batch: 64, optimizer: 'adam', lr: 2e-3, schedule: 'cosine', augment: false, backend: 'webgpu', seed: 1, out: 'runs/latest' };
const numeric = new Set(['epochs', 'batch', 'lr', 'limit', 'seed', 'warmup']);
const choices = { optimizer: ['sgd', 'momentum', 'nesterov', 'adam', 'adamw'], backend: ['webgpu', 'cpu'], dataset: ['fashion-mnist', 'mnist'], schedule: ['constant', 'cosine', 'step', 'exponential'] };

function parseArgs(argv) {
  const o = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 8).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    }
    if (!arg.startsWith('--')) throw new Error(`train: unexpected argument '${arg}'`);
    const key = arg.slice(2);
    if (key === 'augment') {
      // `--augment` alone: the full set; `--augment flip`: left-right mirroring only.
      if (argv[i + 1] === 'flip' || argv[i + 1] === 'full') o.augment = argv[++i];
      else o.augment = 'full';
      continue;
    }
    if (!(key in defaults) && !numeric.has(key) && key !== 'json') throw new Error(`train: unknown option --${key} (see --help)`);
    const value = argv[++i];
    if (value === undefined) throw new Error(`train: --${key} needs a value`);
    if (numeric.has(key)) {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0 || (key !== 'lr' && !Number.isInteger(n))) throw new Error(`train: --${key} must be a positive ${key === 'lr' ? 'number' : 'integer'}, got '${value}'`);
      o[key] = n;
    } else {
      if (choices[key] && !choices[key].includes(value)) throw new Error(`train: --${key} must be one of ${choices[key].join(', ')}, got '${value}'`);
      o[key] = value;
    }
  }
  return o;
}

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(e.message);
  process.exit(2);
}

const config = {
  model: options.model, dataset: options.dataset, epochs: options.epochs, batch: options.batch, optimizer: options.optimizer, lr: options.lr,
  schedule: options.schedule, warmupSteps: options.warmup, augment: options.augment, limit: options.limit, backend: options.backend, seed: options.seed,
};
const bar = new ProgressBar();
const session = await openPageSession(root);
let exitCode = 0;
try {
  const { page } = session;
  page.on('pageerror', (e) => bar.log(`page error: ${e.message}`));
  await page.exposeFunction('reportProgress', (p) => {
    if (p.kind === 'start') bar.log(`training ${p.model} (${p.params.toLocaleString('en-US')} parameters) on ${config.dataset}: ${p.trainExamples} train / ${p.testExamples} test examples, ${p.stepsPerEpoch} steps per epoch, batch ${config.batch}, ${config.optimizer} lr ${config.lr}; ${config.backend} (${p.adapter})`);
    if (p.kind === 'batch') bar.update({ ...p, epochs: config.epochs });
    if (p.kind === 'epoch') bar.log(`epoch ${p.epoch}/${config.epochs}: loss ${p.loss.toFixed(4)}, train accuracy ${p.accuracy.toFixed(4)}, test loss ${p.testLoss.toFixed(4)}, test accuracy ${p.testAccuracy.toFixed(4)}, ${p.seconds.toFixed(1)} s, ${p.imagesPerSecond.toFixed(1)} images/s`);
  });
  await page.goto(session.url('/demo/train_job.html'));
  await page.waitForFunction(() => typeof window.runTraining === 'function');
  const result = await page.evaluate((c) => window.runTraining(c), config);
  const m = result.metrics;
  const out = resolve(options.out);
  writeFileAtomic(join(out, 'weights.safetensors'), Buffer.from(result.weightsBase64, 'base64'));
  writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(m, null, 2)}\n`);
  writeFileAtomic(join(out, 'report.html'), renderReport(m, result.filters));
  if (options.json) writeFileAtomic(resolve(options.json), `${JSON.stringify(m, null, 2)}\n`);
  bar.log(`test accuracy ${m.testAccuracy.toFixed(4)} (${m.testExamples} images); ${m.imagesPerSecond.toFixed(1)} images/s training; ${m.dispatchesPerStep} dispatches, ${m.submitsPerStep} submit, ${m.readbacksPerStep} readback per step; ${m.totalSeconds.toFixed(0)} s`);
  bar.log(`wrote ${join(out, 'weights.safetensors')}, metrics.json, report.html${options.json ? ` and ${options.json}` : ''}`);
} catch (e) {
  bar.log(`train failed: ${e.message}`);
  exitCode = 1;
} finally {
  await session.close();
}
process.exit(exitCode);
