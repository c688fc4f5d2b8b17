#!/usr/bin/env node
// `npm run check:torch`: full-size zoo models against PyTorch and ONNX Runtime. The options,
// their checks and --help come from the table below (tools/cli/options.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJob } from '../tools/cli/job_runner.mjs';
import { defineCommand, UsageError } from '../tools/cli/options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TORCHVISION = [
  'alexnet-torchvision',
  'vgg11',
  'vgg13',
  'vgg16',
  'vgg19',
  'vgg16-bn',
  'googlenet',
  'googlenet-aux',
  'resnet18',
  'resnet34',
  'resnet50',
  'resnet101',
  'resnet152',
  'densenet121',
  'densenet169',
  // Segmentation ([21, H, W] logits): eval-mode logits only, by state dict and ONNX.
  'fcn-resnet50',
];
// Zoo models torchvision lacks: only their export is checked (ours against ONNX Runtime).
const ZOO_ONLY = ['alexnet', 'alexnet-grouped', 'vgg11-lrn', 'vgg16c', 'mobilenet-v1'];
const { values: o } = defineCommand({
  name: 'check:torch',
  summary: "full-size zoo models against PyTorch (Debian's, /usr/bin/python3) and ONNX Runtime. Nothing is downloaded.",
  description: [
    'For each zoo model torchvision has, PyTorch builds it with random weights and writes its state dict, its ONNX export and its float64 figures of one training step (scripts/check_torch.py; of fcn-resnet50, whose logits are per pixel, the eval-mode logits only); the engine, in Node on WebGPU (Dawn; --cpu: the CPU reference), takes the weights both ways and compares (tools/jobs/torch_check.ts). Models torchvision lacks, and every model with --export-only, get only our exportOnnx run by ONNX Runtime against our logits. Prints a table and merges the figures into runs/check_torch.json.',
  ],
  options: {
    model: {
      type: 'list',
      value: 'KEY[,KEY]|all',
      default: ['resnet18'],
      help: `full-size zoo models: ${TORCHVISION.join(', ')}; export check only: ${ZOO_ONLY.join(', ')}; or all`,
    },
    batch: { type: 'integer', value: 'N', default: 2, help: 'images in the checked step' },
    size: {
      type: 'integer',
      value: 'PX',
      default: 224,
      help: "the images' height and width (the classifiers are built for 224; fcn-resnet50 takes any size, 64 is quick)",
    },
    cpu: { type: 'boolean', help: 'run the engine on the CPU reference instead of WebGPU' },
    'export-only': { type: 'boolean', help: 'only our exportOnnx run by ONNX Runtime against our logits, no PyTorch' },
    keep: { type: 'boolean', help: "keep the temporary folder of PyTorch's files" },
  },
  check(v) {
    if (v.model.length === 1 && v.model[0] === 'all') return;
    for (const m of v.model) {
      if (!TORCHVISION.includes(m) && !ZOO_ONLY.includes(m))
        throw new UsageError(`check:torch: '${m}' is not a full-size zoo model; choose from ${[...TORCHVISION, ...ZOO_ONLY].join(', ')} or all`);
    }
  },
}).parseOrExit(process.argv.slice(2));
const models = o.model[0] === 'all' ? [...TORCHVISION, ...ZOO_ONLY] : o.model;
const python = process.env.TORCH_PYTHON ?? '/usr/bin/python3';
if (spawnSync(python, ['-c', 'import torch, torchvision, onnx'], { stdio: 'ignore' }).status !== 0) {
  console.error(
    `check:torch: ${python} cannot import torch, torchvision and onnx; install them with apt-get install python3-torch python3-torchvision python3-onnx`,
  );
  process.exit(2);
}
const results = join(root, 'runs', 'check_torch.json');
const all = existsSync(results) ? JSON.parse(readFileSync(results, 'utf8')) : {};
const e = (v) => (v === undefined ? '-' : v.toExponential(1));
console.log(
  `${'model'.padEnd(20)} ${'params'.padStart(11)} ${'logits sd'.padStart(9)} ${'logits onnx'.padStart(11)} ${'loss'.padStart(8)} ${'max grad'.padStart(8)} ${'>1e-4'.padStart(6)} ${'>tol'.padStart(5)} ${'export/ORT'.padStart(10)}  seconds`,
);
let failed = 0;

/** Runs the engine's half on one model, in a Node process of its own; its figures, or null (counted as a failure) when it did not finish. */
async function engine(input) {
  try {
    return await runJob(root, { runtime: 'node', node: 'tools/jobs/torch_check_main.ts', input: { ...input, cpu: !!o.cpu }, tuneFile: null });
  } catch (e) {
    console.error(`check:torch: the engine failed on ${input.model}: ${e.message}`);
    failed++;
    return null;
  }
}

for (const model of models) {
  if (ZOO_ONLY.includes(model) || o['export-only']) {
    const r = await engine({ model, exportOnly: true });
    if (!r) continue;
    all[`${model} ${r.backend.startsWith('cpu') ? 'cpu' : 'webgpu'} export`] = { ...r, date: new Date().toISOString() };
    console.log(
      `${model.padEnd(20)} ${String(r.parameters).padStart(11)} ${'-'.padStart(9)} ${'-'.padStart(11)} ${'-'.padStart(8)} ${'-'.padStart(8)} ${'-'.padStart(6)} ${'-'.padStart(5)} ${e(r.exportOrt).padStart(10)}  ${r.seconds.toFixed(0)}`,
    );
    if (r.exportOrt > 1e-5) failed++;
    continue;
  }
  const dir = join(root, '.cache', 'check_torch', model);
  mkdirSync(dir, { recursive: true });
  const prep = spawnSync(
    python,
    [join(root, 'scripts', 'check_torch.py'), '--model', model, '--out', dir, '--batch', String(o.batch), '--size', String(o.size)],
    { encoding: 'utf8' },
  );
  if (prep.status !== 0) {
    console.error(`check:torch: PyTorch failed on ${model}:\n${prep.stderr}`);
    failed++;
    continue;
  }
  const r = await engine({ model, dir });
  if (!r) continue;
  all[`${model} ${r.backend.startsWith('cpu') ? 'cpu' : 'webgpu'}`] = { ...r, date: new Date().toISOString() };
  console.log(
    `${model.padEnd(20)} ${String(r.parameters).padStart(11)} ${e(r.logitsStateDict).padStart(9)} ${e(r.logitsOnnx).padStart(11)} ${e(r.loss).padStart(8)} ${e(r.gradientMax).padStart(8)} ${(r.gradients === undefined ? '-' : `${r.gradientsOver1e4}/${r.gradients}`).padStart(6)} ${String(r.gradientsOverTolerance ?? '-').padStart(5)} ${e(r.exportOrt).padStart(10)}  ${r.seconds.toFixed(0)}`,
  );
  if (r.logitsStateDict > 1e-4 || r.logitsOnnx > 1e-4 || r.gradientsOverTolerance > 0 || r.exportOrt > 1e-5) failed++;
  if (!o.keep) rmSync(dir, { recursive: true, force: true });
}
mkdirSync(dirname(results), { recursive: true });
writeFileSync(results, `${JSON.stringify(all, null, 1)}\n`);
console.log(
  `logits: error relative to the largest logit (state dict, ONNX); max grad: the largest per-tensor gradient error; >1e-4: tensors over 1e-4; >tol: over max(1e-4, 4x PyTorch's own float32 error on that tensor); export/ORT: our exportOnnx run by ONNX Runtime against our logits. Written to ${results}.`,
);
process.exit(failed > 0 ? 1 : 0);
