#!/usr/bin/env node
// `npm run transfer`: the transfer experiment on the real Fashion-MNIST in Node on Dawn
// (tools/jobs/transfer.ts). The options, their checks and --help come from the table below
// (tools/cli/options.mjs).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../tools/cli/atomic_write.mjs';
import { runJob } from '../tools/cli/job_runner.mjs';
import { listFolder } from '../tools/cli/list_folder.mjs';
import { defineCommand, UsageError } from '../tools/cli/options.mjs';
import { openRunFolder } from '../tools/cli/run_folder.mjs';
import { exitOnSignals } from '../tools/cli/run_lock.mjs';
import { transferPlot } from '../tools/cli/transfer_plot.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = defineCommand({
  name: 'transfer',
  summary: 'the transfer experiment on the real Fashion-MNIST, or from it to an image folder, in Node on Dawn.',
  description: [
    'Pretrains on classes 0-4, then learns 5-9 from a few labelled images per class three ways: from scratch, with the pretrained body frozen under a new head, and fine-tuned with the body at --body-lr-scale times the rate (with --unfreeze-every, a fourth: the body unfrozen layer by layer). Writes results.json, table.md, plot.svg and the pretrained checkpoint to --out (locked like a run folder of npm run train).',
    "With --dataset folder:PATH the network is pretrained on classes 0-4 drawn as RGB at --image-size, and the new task is the folder's classes (one subfolder per class), scored on its validation split.",
  ],
  options: {
    dataset: {
      type: 'string',
      value: 'fashion-mnist|folder:PATH',
      default: 'fashion-mnist',
      help: "the task learnt from few images: Fashion-MNIST's classes 5-9, or an image folder's classes (one subfolder per class, or train/ and val/ of them)",
    },
    'image-size': { type: 'integer', value: 'N', min: 8, shown: '32', help: "with --dataset folder:PATH: the images' side, the source images' too" },
    model: { type: 'string', value: 'KEY', default: 'lenet5', help: 'the network pretrained on classes 0-4' },
    // LeNet-5's convolutional features; a model of another layout names its own cut (or gets the layer before its last).
    cut: { type: 'string', value: 'LAYER', shown: 'flatten_1 for lenet5, else the layer before the last', help: 'the layer whose output the new head reads' },
    'per-class': {
      type: 'list',
      of: 'integer',
      value: 'N,N,...',
      shown: '10,50,250; with a folder, its smallest class',
      help: 'labelled images per new class, one experiment each',
    },
    'pretrain-epochs': { type: 'integer', value: 'N', default: 2, help: 'epochs of pretraining on classes 0-4' },
    steps: { type: 'integer', value: 'N', default: 150, help: 'Adam steps at batch 32 of each way of learning classes 5-9' },
    'body-lr-scale': {
      type: 'number',
      value: 'X',
      default: 0.1,
      help: "the fine-tuned way's body learning rate as a multiple of the head's (0.01: a hundredth)",
    },
    'unfreeze-every': {
      type: 'integer',
      value: 'EPOCHS',
      help: 'a fourth way: the body starts frozen under the new head, and every EPOCHS epochs one more of its layers unfreezes, from the top, at --body-lr-scale',
    },
    seed: { type: 'integer', value: 'S', min: 0, default: 1, help: 'weights, samples and data order' },
    out: { type: 'path', value: 'DIR', default: 'runs/transfer', help: 'where the results and pretrained.safetensors go' },
    ship: { type: 'boolean', help: 'also copy the checkpoint to demo/pretrained/, the one the demo starts from' },
  },
  check(o, given) {
    const isFolder = o.dataset.startsWith('folder:');
    if (o.dataset !== 'fashion-mnist' && !(isFolder && o.dataset.length > 'folder:'.length))
      throw new UsageError(`transfer: --dataset must be fashion-mnist or folder:PATH, got '${o.dataset}'`);
    if (!isFolder && given.has('image-size')) throw new UsageError('transfer: --image-size applies to --dataset folder:PATH only');
    if (isFolder && o.ship)
      throw new UsageError('transfer: --ship copies the Fashion-MNIST checkpoint the demo starts from; leave it out with --dataset folder:PATH');
    if (isFolder)
      try {
        listFolder(o.dataset.slice('folder:'.length));
      } catch (e) {
        throw new UsageError(`transfer: ${e.message}`);
      }
  },
}).parseOrExit(process.argv.slice(2));
const folder = o.dataset.startsWith('folder:') ? { root: resolve(o.dataset.slice('folder:'.length)), imageSize: o['image-size'] ?? 32 } : undefined;
const config = {
  model: o.model,
  ...(o.cut !== undefined || o.model === 'lenet5' ? { cut: o.cut ?? 'flatten_1' } : {}),
  sourceClasses: [0, 1, 2, 3, 4],
  targetClasses: [5, 6, 7, 8, 9],
  perClass: o['per-class'] ?? (folder ? [] : [10, 50, 250]),
  pretrainEpochs: o['pretrain-epochs'],
  steps: o.steps,
  batch: 32,
  lr: 2e-3,
  bodyScale: o['body-lr-scale'],
  ...(o['unfreeze-every'] !== undefined ? { unfreezeEvery: o['unfreeze-every'] } : {}),
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
let lastLoadLine = 0;
const names = {
  scratch: 'from scratch',
  frozen: 'frozen body + new head',
  finetune: `fine-tuned (body at ${config.bodyScale}x)`,
  ...(config.unfreezeEvery !== undefined ? { gradual: `unfrozen every ${config.unfreezeEvery} epoch(s)` } : {}),
};
const pretrainedFile = join(out, 'pretrained.safetensors');
const shipped = join(root, 'demo', 'pretrained', `fashion-mnist-0-4-${config.model}.safetensors`);
// The job (tools/jobs/transfer_main.ts) writes the pretrained checkpoint itself.
let result;
try {
  result = await runJob(root, {
    runtime: 'node',
    node: 'tools/jobs/transfer_main.ts',
    input: { config, pretrained: [pretrainedFile, ...(o.ship ? [shipped] : [])], folder },
    onProgress: (p) => {
      if (p.kind === 'load' && (Date.now() - lastLoadLine > 2000 || p.done === p.total)) {
        lastLoadLine = Date.now();
        console.log(
          `  reading ${folder.root}: ${p.done}/${p.total} files, ${p.decoded} decoded, ${p.perSecond.toFixed(0)} files/s, ${p.errors} error(s) so far`,
        );
      }
      if (p.kind === 'loaded') {
        for (const b of p.bad) console.log(`  skipped ${b.path}: ${b.reason}`);
        console.log(
          `  ${folder.root}: ${p.classNames.length} classes (${p.classNames.join(', ')}), ${p.train} training and ${p.validation} validation images, ${folder.imageSize}x${folder.imageSize} RGB; ${p.bad.length} bad file(s) skipped`,
        );
      }
      if (p.kind === 'start')
        console.log(
          `transfer: ${config.model} on Fashion-MNIST${folder ? ` (as RGB at ${folder.imageSize}x${folder.imageSize}), then ${folder.root}` : ''}, ${p.adapter}, in Node`,
        );
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
const header = `| images per class | ${Object.values(names).join(' | ')} |\n| ---: |${' ---: |'.repeat(Object.keys(names).length)}`;
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
  transferPlot(
    rows,
    `${folder ? `${result.target.classNames.length} folder classes` : 'Fashion-MNIST 5-9'} from few images: ${config.model} pretrained on 0-4 (${(result.pretrainAccuracy * 100).toFixed(1)}%)`,
    names,
  ),
);
console.log(
  `\npretrained on classes 0-4: test accuracy ${result.pretrainAccuracy.toFixed(4)} in ${result.pretrainSeconds.toFixed(0)} s; ${folder ? `the folder's ${result.target.classNames.length} classes, accuracy on its ${result.target.validation} validation images` : 'target classes 5-9, test accuracy on their 5,000 test images'}:\n\n${table}\n`,
);
if (o.ship) console.log(`shipped the pretrained checkpoint as ${shipped}`);
console.log(`wrote ${out}/{results.json,table.md,plot.svg,pretrained.safetensors} in ${seconds.toFixed(0)} s`);
