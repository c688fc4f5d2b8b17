#!/usr/bin/env node
// `npm run search -- [--trials 8] [--model lenet5-bn] [--limit 6000] [--epochs 1] [--seed 1]
//   [--json FILE]`: random search over the learning rate (log-uniform 1e-4..3e-2), the weight
// decay (log-uniform 1e-6..1e-2, AdamW) and the batch size (32, 64, 128) on a subset of the
// real Fashion-MNIST training images, each trial scored on a held-out 20% of them (the test
// set is not looked at). Runs in Node on Dawn (src/app/search.ts) and prints the trials
// ranked by validation accuracy.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../cli/atomic_write.mjs';
import { runNodeJob } from '../cli/node_job.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const value = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const known = new Set(['--trials', '--model', '--limit', '--epochs', '--seed', '--json']);
const unknown = args.filter((a) => a.startsWith('--') && !known.has(a));
if (unknown.length) {
  console.error(`search: unknown option ${unknown.join(', ')} (options: ${[...known].join(' ')})`);
  process.exit(2);
}
const config = {
  model: value('--model', 'lenet5-bn'),
  trials: Number(value('--trials', '8')),
  limit: Number(value('--limit', '6000')),
  validation: 0.2,
  epochs: Number(value('--epochs', '1')),
  lr: [1e-4, 3e-2],
  weightDecay: [1e-6, 1e-2],
  batches: [32, 64, 128],
  seed: Number(value('--seed', '1')),
};
for (const k of ['trials', 'limit', 'epochs']) {
  if (!Number.isInteger(config[k]) || config[k] <= 0) {
    console.error(`search: --${k} takes a positive integer, got ${value(`--${k}`)}`);
    process.exit(2);
  }
}

const row = (t) => `| ${t.trial} | ${t.lr.toExponential(2)} | ${t.weightDecay.toExponential(2)} | ${t.batch} | ${t.trainLoss.toFixed(4)} | ${t.validationLoss.toFixed(4)} | ${t.validationAccuracy.toFixed(4)} | ${t.seconds.toFixed(1)} |`;
const header = '| trial | lr | weight decay | batch | train loss | validation loss | validation accuracy | s |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
let ranked = null;
let failure = null;
const started = performance.now();
await runNodeJob(root, 'src/app/search_main.ts', { config, datasets: '/usr/share/datasets/fashion-mnist', tuneFile: join(root, '.cache', 'autotune.json') }, (m) => {
  if (m.kind === 'start') console.log(`search: ${config.trials} trials of ${config.model}, ${config.epochs} epoch(s) on ${Math.round(config.limit * 0.8)} Fashion-MNIST training images, scored on ${Math.round(config.limit * 0.2)} held out; ${m.adapter}, in Node`);
  else if (m.kind === 'trial') console.log(`  trial ${m.trial.trial}: lr ${m.trial.lr.toExponential(2)}, weight decay ${m.trial.weightDecay.toExponential(2)}, batch ${m.trial.batch}: validation accuracy ${m.trial.validationAccuracy.toFixed(4)} (${m.trial.seconds.toFixed(1)} s)`);
  else if (m.kind === 'result') ranked = m.ranked;
  else if (m.kind === 'error') failure = m.message;
});
if (!ranked) {
  console.error(`search: ${failure ?? 'the Node process ended without a result'}`);
  process.exit(1);
}
console.log(`\nranked by validation accuracy (${((performance.now() - started) / 1000).toFixed(0)} s):\n\n${header}\n${ranked.map(row).join('\n')}`);
if (value('--json')) writeFileAtomic(resolve(value('--json')), `${JSON.stringify({ config, ranked }, null, 2)}\n`);
