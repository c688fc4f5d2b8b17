#!/usr/bin/env node
// `npm run transfer`: the transfer experiment on the real Fashion-MNIST in Node on Dawn
// (tools/jobs/transfer.ts). The options, their checks and --help come from the table below
// (tools/cli/options.mjs).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../tools/cli/atomic_write.mjs';
import { runJob } from '../tools/cli/job_runner.mjs';
import { defineCommand } from '../tools/cli/options.mjs';
import { openRunFolder } from '../tools/cli/run_folder.mjs';
import { exitOnSignals } from '../tools/cli/run_lock.mjs';
import { transferPlot } from '../tools/cli/transfer_plot.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = defineCommand({
  name: 'transfer',
  summary: 'the transfer experiment on the real Fashion-MNIST, in Node on Dawn.',
  description: [
    'Pretrains on classes 0-4, then learns 5-9 from a few labelled images per class three ways: from scratch, with the pretrained body frozen under a new head, and fine-tuned. Writes results.json, table.md, plot.svg and the pretrained checkpoint to --out (locked like a run folder of npm run train).',
  ],
  options: {
    model: { type: 'string', value: 'KEY', default: 'lenet5', help: 'the network pretrained on classes 0-4' },
    // LeNet-5's convolutional features; a model of another layout names its own cut (or gets the layer before its last).
    cut: { type: 'string', value: 'LAYER', shown: 'flatten_1 for lenet5, else the layer before the last', help: 'the layer whose output the new head reads' },
    'per-class': { type: 'list', of: 'integer', value: 'N,N,...', default: [10, 50, 250], help: 'labelled images per new class, one experiment each' },
    'pretrain-epochs': { type: 'integer', value: 'N', default: 2, help: 'epochs of pretraining on classes 0-4' },
    steps: { type: 'integer', value: 'N', default: 150, help: 'Adam steps at batch 32 of each way of learning classes 5-9' },
    seed: { type: 'integer', value: 'S', min: 0, default: 1, help: 'weights, samples and data order' },
    out: { type: 'path', value: 'DIR', default: 'runs/transfer', help: 'where the results and pretrained.safetensors go' },
    ship: { type: 'boolean', help: 'also copy the checkpoint to demo/pretrained/, the one the demo starts from' },
  },
}).parseOrExit(process.argv.slice(2));
const config = {
  model: o.model,
  ...(o.cut !== undefined || o.model === 'lenet5' ? { cut: o.cut ?? 'flatten_1' } : {}),
  sourceClasses: [0, 1, 2, 3, 4],
  targetClasses: [5, 6, 7, 8, 9],
  perClass: o['per-class'],
  pretrainEpochs: o['pretrain-epochs'],
  steps: o.steps,
  batch: 32,
  lr: 2e-3,
  bodyScale: 0.1,
  seed: o.seed,
};
const out = resolve(o.out);
// One run per folder: a second transfer into --out is refused now (exit 2), not mixed in at the end.
exitOnSignals({ onSignal: (signal) => console.error(`\n${signal}: stopping (nothing was written to ${out})`) });
try {
  openRunFolder(out, { command: 'transfer' });
} catch (e) {
  console.error(e.message);
  process.exit(2);
}

const started = performance.now();
const names = { scratch: 'from scratch', frozen: 'frozen body + new head', finetune: 'fine-tuned (body at 0.1x)' };
const pretrainedFile = join(out, 'pretrained.safetensors');
const shipped = join(root, 'demo', 'pretrained', `fashion-mnist-0-4-${config.model}.safetensors`);
// The job (tools/jobs/transfer_main.ts) writes the pretrained checkpoint itself.
let result;
try {
  result = await runJob(root, {
    runtime: 'node',
    node: 'tools/jobs/transfer_main.ts',
    input: { config, pretrained: [pretrainedFile, ...(o.ship ? [shipped] : [])] },
    onProgress: (p) => {
      if (p.kind === 'start') console.log(`transfer: ${config.model} on Fashion-MNIST, ${p.adapter}, in Node`);
      if (p.kind === 'pretrain')
        console.log(`  pretraining on classes 0-4: epoch ${p.epoch}/${p.epochs}, test accuracy ${p.testAccuracy.toFixed(4)} (${p.seconds.toFixed(0)} s)`);
      if (p.kind === 'row')
        console.log(
          `  ${String(p.perClass).padStart(4)} images per class, ${names[p.method].padEnd(26)} test accuracy ${p.testAccuracy.toFixed(4)} (${p.epochs} epochs, ${p.seconds.toFixed(1)} s)`,
        );
    },
  });
} catch (e) {
  console.error(`transfer: ${e.message}`);
  process.exit(1);
}

const rows = result.rows;
const header = `| images per class | ${Object.values(names).join(' | ')} |\n| ---: | ---: | ---: | ---: |`;
const perClass = [...new Set(rows.map((r) => r.perClass))];
const table = [
  header,
  ...perClass.map(
    (n) =>
      `| ${n} | ${Object.keys(names)
        .map((k) => rows.find((r) => r.perClass === n && r.method === k)?.testAccuracy.toFixed(4) ?? '-')
        .join(' | ')} |`,
  ),
].join('\n');
const seconds = (performance.now() - started) / 1000;
writeFileAtomic(join(out, 'results.json'), `${JSON.stringify({ ...result, pretrained: 'pretrained.safetensors', seconds }, null, 2)}\n`);
writeFileAtomic(join(out, 'table.md'), `${table}\n`);
writeFileAtomic(
  join(out, 'plot.svg'),
  transferPlot(rows, `Fashion-MNIST 5-9 from few images: ${config.model} pretrained on 0-4 (${(result.pretrainAccuracy * 100).toFixed(1)}%)`),
);
console.log(
  `\npretrained on classes 0-4: test accuracy ${result.pretrainAccuracy.toFixed(4)} in ${result.pretrainSeconds.toFixed(0)} s; target classes 5-9, test accuracy on their 5,000 test images:\n\n${table}\n`,
);
if (o.ship) console.log(`shipped the pretrained checkpoint as ${shipped}`);
console.log(`wrote ${out}/{results.json,table.md,plot.svg,pretrained.safetensors} in ${seconds.toFixed(0)} s`);
