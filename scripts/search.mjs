#!/usr/bin/env node
// `npm run search`: random hyper-parameter search in Node on Dawn (tools/jobs/search.ts). The
// options, their checks and --help come from the table below (tools/cli/options.mjs).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../tools/cli/atomic_write.mjs';
import { runJob } from '../tools/cli/job_runner.mjs';
import { defineCommand } from '../tools/cli/options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = defineCommand({
  name: 'search',
  summary: 'random hyper-parameter search on a held-out split of Fashion-MNIST, in Node on Dawn.',
  description: [
    'Draws the learning rate (log-uniform 1e-4..3e-2), the weight decay (log-uniform 1e-6..1e-2, AdamW) and the batch size (32, 64, 128), trains each trial on 80% of the first --limit training images and prints the trials ranked by accuracy on the other 20% (the test set is not looked at).',
    "Coarse to fine: --refine N adds a second round of N trials drawn from ranges centred on the first round's best, a quarter of the first ranges' log-width wide (lr best/2..best*2, weight decay best/3.2..best*3.2), its batch size kept.",
  ],
  options: {
    trials: { type: 'integer', value: 'N', default: 8, help: 'trials to draw' },
    refine: {
      type: 'integer',
      value: 'N',
      min: 0,
      default: 0,
      help: "a second round of N trials around the first round's best: lr and weight decay from ranges a quarter of the first's log-width wide, centred on its values; its batch size",
    },
    model: { type: 'string', value: 'KEY', default: 'lenet5-bn', help: 'the zoo model each trial trains' },
    limit: { type: 'integer', value: 'N', default: 6000, help: 'how many of the first training images to use (80% train, 20% validation)' },
    epochs: { type: 'integer', value: 'N', default: 1, help: 'epochs per trial' },
    seed: { type: 'integer', value: 'S', min: 0, default: 1, help: 'the draws and the split' },
    json: { type: 'path', value: 'FILE', help: 'also write the trials to FILE' },
  },
}).parseOrExit(process.argv.slice(2));
const config = {
  model: o.model,
  trials: o.trials,
  limit: o.limit,
  validation: 0.2,
  epochs: o.epochs,
  lr: [1e-4, 3e-2],
  weightDecay: [1e-6, 1e-2],
  batches: [32, 64, 128],
  seed: o.seed,
  refine: o.refine,
};

const row = (t) =>
  `| ${t.trial} | ${t.round} | ${t.lr.toExponential(2)} | ${t.weightDecay.toExponential(2)} | ${t.batch} | ${t.trainLoss.toFixed(4)} | ${t.validationLoss.toFixed(4)} | ${t.validationAccuracy.toFixed(4)} | ${t.seconds.toFixed(1)} |`;
const header =
  '| trial | round | lr | weight decay | batch | train loss | validation loss | validation accuracy | s |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
const started = performance.now();
let ranked;
try {
  ranked = await runJob(root, {
    runtime: 'node',
    node: 'tools/jobs/search_main.ts',
    input: { config },
    onProgress: (p) => {
      if (p.kind === 'start')
        console.log(
          `search: ${config.trials} trials${config.refine ? ` then ${config.refine} around the best` : ''} of ${config.model}, ${config.epochs} epoch(s) on ${Math.round(config.limit * 0.8)} Fashion-MNIST training images, scored on ${Math.round(config.limit * 0.2)} held out; ${p.adapter}, in Node`,
        );
      if (p.kind === 'refine')
        console.log(
          `round 2: ${config.refine} trials around trial ${p.ranges.around}: lr ${p.ranges.lr.map((v) => v.toExponential(2)).join('..')}, weight decay ${p.ranges.weightDecay.map((v) => v.toExponential(2)).join('..')}, batch ${p.ranges.batch}`,
        );
      if (p.kind === 'trial')
        console.log(
          `  trial ${p.trial.trial}: lr ${p.trial.lr.toExponential(2)}, weight decay ${p.trial.weightDecay.toExponential(2)}, batch ${p.trial.batch}: validation accuracy ${p.trial.validationAccuracy.toFixed(4)} (${p.trial.seconds.toFixed(1)} s)`,
        );
    },
  });
} catch (e) {
  console.error(`search: ${e.message}`);
  process.exit(1);
}
console.log(`\nranked by validation accuracy (${((performance.now() - started) / 1000).toFixed(0)} s):\n\n${header}\n${ranked.map(row).join('\n')}`);
if (o.json) writeFileAtomic(resolve(o.json), `${JSON.stringify({ config, ranked }, null, 2)}\n`);
