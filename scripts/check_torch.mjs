#!/usr/bin/env node
// `npm run check:torch`: full-size zoo models against PyTorch and ONNX Runtime. The options,
// their checks and --help come from the table below (tools/cli/options.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const ZOO_ONLY = ['alexnet', 'alexnet-grouped', 'zfnet', 'vgg11-lrn', 'vgg16c', 'mobilenet-v1'];
// --train: the networks trained for 30 steps on both sides (tools/jobs/torch_train_check.ts).
const TRAIN = ['lenet5', 'resnet20', 'mobilenet-v1-cifar', 'densenet-bc', 'googlenet-mini', 'alexnet-mini'];
// --train --model also takes these: the seed's comparisons, of families the six already cover.
const TRAIN_ALSO = ['plain20', 'zfnet-mini'];
const { values: o } = defineCommand({
  name: 'check:torch',
  summary: "full-size zoo models against PyTorch (Debian's, /usr/bin/python3) and ONNX Runtime. Nothing is downloaded.",
  description: [
    "With --ddp: the round trip to PyTorch's distributed training and back, with lenet5 in a temporary folder: npm run train (--limit 256, 2 epochs) exports the state dict and ONNX; torchrun runs examples/torch-ddp/train_ddp.py on 2 processes (DistributedDataParallel, gloo, CPU, DistributedSampler) for 20 steps of 32 images per process; npm run train --init continues from its state dict (--epochs 1 --limit 256 --test-limit 256), and again with SGD at lr 1e-9 as an evaluation. Pass: every tensor came back (loaded = the export's tensor count, nothing skipped or kept fresh), the held-out loss (the first 256 test images) after DDP below the one before, and the engine's evaluation of the returned weights within 1e-3 (relative) of PyTorch's.",
    'With --train: each of the trainable-here networks (default all six) is trained for --steps steps of 16 real Fashion-MNIST images here and in PyTorch (scripts/torch_train_check.py, float32 on the CPU) from the same weights, moved by state dict, with SGD (momentum 0.9, lr 0.01) and Adam (lr 1e-3), dropout at 0, batch norm in training mode; every loss and, after every step, every weight and running statistic is compared. Pass: the loss within 1e-4 (relative) for the first 10 steps and 1e-3 after, every tensor after the last step within 1e-3 of its largest value; or the rule with the float32 spread: ours against the float64 run of PyTorch within 4x how far its float32 runs (ulp-moved weights among them) land from it, with the first step in float64 on both sides within 1e-6 (docs/numerics.md#training-trajectories-against-pytorch).',
    'For each zoo model torchvision has, PyTorch builds it with random weights and writes its state dict, its ONNX export and its float64 figures of one training step (scripts/check_torch.py; of fcn-resnet50, whose logits are per pixel, the eval-mode logits only); the engine, in Node on WebGPU (Dawn; --cpu: the CPU reference), takes the weights both ways and compares (tools/jobs/torch_check.ts). Models torchvision lacks, and every model with --export-only, get only our exportOnnx run by ONNX Runtime against our logits. Prints a table and merges the figures into runs/check_torch.json.',
  ],
  options: {
    model: {
      type: 'list',
      value: 'KEY[,KEY]|all',
      default: ['resnet18'],
      help: `full-size zoo models: ${TORCHVISION.join(', ')}; export check only: ${ZOO_ONLY.join(', ')}; or all; with --train: ${TRAIN.join(', ')} (default all), or ${TRAIN_ALSO.join(', ')}`,
    },
    train: { type: 'boolean', help: 'train the trainable-here networks for --steps steps on both sides and compare the trajectories' },
    // ddp round trip
    ddp: {
      type: 'boolean',
      help: 'the round trip through torchrun, 2 processes (examples/torch-ddp/train_ddp.py), and back by --init, with lenet5',
    },
    steps: { type: 'integer', value: 'N', default: 30, requires: 'train', help: 'steps of the --train check (the pass rule needs at least 10)' },
    variant: {
      type: 'string',
      value: 'NAME',
      requires: 'train',
      help: "with --train: force this kernel variant wherever its family offers it (conv2d_grad_filter_tile8: the direct filter gradient instead of Winograd's)",
    },
    adapter: {
      type: 'choice',
      choices: ['auto', 'lavapipe', 'swiftshader'],
      default: 'auto',
      help: "the Vulkan driver Dawn uses for the engine's half (as train's --adapter)",
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
    reuse: {
      type: 'boolean',
      requires: 'train',
      help: "with --train: take PyTorch's files from an earlier --keep run of the same --steps where they are there (comparing, say, another --variant)",
    },
  },
  check(v, given) {
    // ddp round trip
    if (v.ddp) {
      if (v.train) throw new UsageError('check:torch: --ddp and --train are separate checks; give one');
      if (given.has('model') && (v.model.length !== 1 || v.model[0] !== 'lenet5')) throw new UsageError('check:torch: --ddp runs lenet5 only');
      return;
    }
    if (v.train) {
      if (!given.has('model') || (v.model.length === 1 && v.model[0] === 'all')) return;
      for (const m of v.model)
        if (!TRAIN.includes(m) && !TRAIN_ALSO.includes(m))
          throw new UsageError(`check:torch: --train takes ${[...TRAIN, ...TRAIN_ALSO].join(', ')} or all; got '${m}'`);
      return;
    }
    if (v.model.length === 1 && v.model[0] === 'all') return;
    for (const m of v.model) {
      if (!TORCHVISION.includes(m) && !ZOO_ONLY.includes(m))
        throw new UsageError(`check:torch: '${m}' is not a full-size zoo model; choose from ${[...TORCHVISION, ...ZOO_ONLY].join(', ')} or all`);
    }
  },
}).parseOrExit(process.argv.slice(2));
const trainModels = process.argv.slice(2).includes('--model') && o.model[0] !== 'all' ? o.model : TRAIN;
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
if (o.train) process.exit(await checkTraining());
if (o.ddp) process.exit(checkDdp()); // ddp round trip
console.log(
  `${'model'.padEnd(20)} ${'params'.padStart(11)} ${'logits sd'.padStart(9)} ${'logits onnx'.padStart(11)} ${'loss'.padStart(8)} ${'max grad'.padStart(8)} ${'>1e-4'.padStart(6)} ${'>tol'.padStart(5)} ${'export/ORT'.padStart(10)}  seconds`,
);
let failed = 0;

/** Runs the engine's half on one model, in a Node process of its own; its figures, or null (counted as a failure) when it did not finish. */
async function engine(input) {
  try {
    return await runJob(root, {
      runtime: 'node',
      node: 'tools/jobs/torch_check_main.ts',
      input: { ...input, cpu: !!o.cpu },
      tuneFile: null,
      adapter: o.adapter,
    });
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

/**
 * --train: for each network, the engine writes the network, its weights and the batches
 * (tools/jobs/torch_train_check_main.ts, 'prepare'), PyTorch trains it with each optimizer
 * (scripts/torch_train_check.py), the engine trains it and compares ('compare'). Prints the
 * table of worst figures; returns the exit code.
 */
async function checkTraining() {
  const steps = o.steps;
  const batch = 16;
  const optimizers = [
    { kind: 'sgd', lr: 0.01 },
    { kind: 'adam', lr: 1e-3 },
  ];
  const job = (input) =>
    runJob(root, {
      runtime: 'node',
      node: 'tools/jobs/torch_train_check_main.ts',
      input: { ...input, steps, batch, optimizers, cpu: !!o.cpu, variant: o.variant },
      tuneFile: null,
      adapter: o.adapter,
    });
  const head = [
    ['model', 19],
    ['optimizer', 10],
    ['loss 1-10', 9],
    ['loss 1-N', 9],
    ['weights', 8],
    ['run stats', 9],
    ['f64 loss', 8],
    ['f64 wts', 8],
    ['/spread', 7],
    ['f64 step', 8],
    ['step loss', 9],
    ['step wts', 8],
    ['/1 step', 7],
    ['pass', 4],
    ['w/ spread', 9],
  ];
  console.log(head.map(([t, w], i) => (i < 2 ? t.padEnd(w) : t.padStart(w))).join(' '));
  let failed = 0;
  let backend = '';
  for (const model of trainModels) {
    const dir = join(root, '.cache', 'check_torch_train', model);
    mkdirSync(dir, { recursive: true });
    // --reuse: PyTorch's files of an earlier --keep run of the same steps (its side does not depend on ours).
    const kept = ['state.safetensors', 'batches.safetensors', ...optimizers.map((q) => `torch.${q.kind}.safetensors`)];
    const reused =
      o.reuse &&
      kept.every((f) => existsSync(join(dir, f))) &&
      existsSync(join(dir, 'steps.txt')) &&
      readFileSync(join(dir, 'steps.txt'), 'utf8').trim() === String(steps);
    if (!reused) {
      try {
        await job({ mode: 'prepare', model, dir });
      } catch (err) {
        console.error(`check:torch: the engine failed to prepare ${model}: ${err.message}`);
        failed++;
        continue;
      }
    }
    const prep = reused
      ? { status: 0 }
      : spawnSync(
          python,
          [
            join(root, 'scripts', 'torch_train_check.py'),
            '--dir',
            dir,
            '--steps',
            String(steps),
            '--batch',
            String(batch),
            '--optimizer',
            optimizers.map((q) => `${q.kind}:${q.lr}`).join(','),
          ],
          { encoding: 'utf8' },
        );
    if (prep.status !== 0) {
      console.error(`check:torch: PyTorch failed on ${model}:\n${prep.stderr}`);
      failed++;
      continue;
    }
    writeFileSync(join(dir, 'steps.txt'), `${steps}\n`);
    let figures;
    try {
      ({ figures, backend } = await job({ mode: 'compare', model, dir }));
    } catch (err) {
      console.error(`check:torch: the engine failed to train ${model}: ${err.message}`);
      failed++;
      continue;
    }
    for (const f of figures) {
      all[`${model} ${f.optimizer} train ${o.cpu ? 'cpu' : 'webgpu'}${o.variant ? ` ${o.variant}` : ''}`] = {
        ...f,
        backend,
        variant: o.variant ?? null,
        date: new Date().toISOString(),
      };
      const drift = [
        f.tensorDrift
          ? `first tensor over 1e-3: step ${f.tensorDrift.step}, ${f.tensorDrift.tensor} ${e(f.tensorDrift.error)}${f.tensorDrift.count > 1 ? ` (and ${f.tensorDrift.count - 1} more)` : ''}`
          : '',
        f.lossDrift ? `loss out of bounds first at step ${f.lossDrift.step} (${e(f.lossDrift.error)})` : '',
        f.withSpread?.drift
          ? `beyond 4x its step's float32 spread first at step ${f.withSpread.drift.step}: ${f.withSpread.drift.tensor} ${e(f.withSpread.drift.error)} (allowed ${e(f.withSpread.drift.allowed)})`
          : '',
        f.float64Step && !f.float64Step.pass
          ? `the first step in float64 is off PyTorch's: loss ${e(f.float64Step.loss)}, ${f.float64Step.gradientsOn} ${e(f.float64Step.gradients)} (allowed 1e-6)`
          : '',
        f.torchFloat64?.tensorDrift
          ? `PyTorch float32 against float64: first over 1e-3 at step ${f.torchFloat64.tensorDrift.step}, ${f.torchFloat64.tensorDrift.tensor} ${e(f.torchFloat64.tensorDrift.error)}`
          : '',
      ].filter(Boolean);
      const cells = [
        model,
        `${f.optimizer} ${f.lr}`,
        e(f.lossEarly),
        e(f.lossAll),
        e(f.weights),
        e(f.runningStats),
        e(f.torchFloat64?.lossAll),
        e(f.torchFloat64?.weights),
        f.withSpread ? Math.max(f.withSpread.loss, f.withSpread.tensors).toFixed(2) : '-',
        f.float64Step ? e(Math.max(f.float64Step.loss, f.float64Step.gradients)) : '-',
        e(f.resync.loss),
        e(f.resync.tensor),
        f.resync.ratio.toFixed(2),
        f.pass ? 'yes' : 'no',
        f.withSpread?.pass ? 'yes' : 'no',
      ];
      console.log(cells.map((c, i) => (i < 2 ? c.padEnd(head[i][1]) : c.padStart(head[i][1]))).join(' '));
      for (const line of drift) console.log(`    ${line}`);
      if (!f.pass && !f.withSpread?.pass) failed++;
    }
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dirname(results), { recursive: true });
  writeFileSync(results, `${JSON.stringify(all, null, 1)}\n`);
  console.log(
    [
      `${backend}, ${steps} steps of ${batch} Fashion-MNIST images from the same weights (moved by state dict); PyTorch in float32 on the CPU.`,
      `loss 1-10, loss 1-N: the worst |ours - PyTorch| / |PyTorch| over steps 1-10 (the issue's bound: 1e-4) and 1-${steps} (1e-3); weights, run stats: the worst tensor after step ${steps}, its largest error relative to its largest value (1e-3); pass: all four within their bounds.`,
      "f64 loss, f64 wts: the same two figures of PyTorch's own float32 run against its float64 run: what float32 alone does to this trajectory.",
      `/spread: ours against PyTorch's float64 run, the worst error over what float32's spread allows (4x the largest difference from that run of PyTorch's float32 runs on one thread, on two, with one weight one ulp up, with oneDNN off, in the channels-last layout and from the weights moved by random ulps, three seeds; or the issue's bound where larger), over every loss (each held to the largest spread of any step's loss: a chaotic run parts at a step that is chance) and every tensor after step ${steps} (each to its own spread).`,
      "f64 step: the first step in float64 on both sides (our CPU reference with precision 'float64' against PyTorch's float64), the worse of the loss's and the worst gradient's error: the arithmetic of every rule without float32 (at most 1e-6). w/ spread: /spread at most 1 and f64 step at most 1e-6.",
      "step loss, step wts: each step restarted from PyTorch's state before it (weights, running statistics, optimizer state), against PyTorch's same step in float64: the worst loss and tensor error; /1 step: the worst of them over what is allowed (1e-4 and 1e-3, or 4x PyTorch's own float32 error on that step where larger).",
      `A network fails when its trajectory passes neither the issue's rule nor the rule with the float32 spread; the per-step figures are shown, not judged (a single ReLU or Adam sign decided by float32 noise moves a tensor's one-step error by orders of magnitude in PyTorch too). Written to ${results}.`,
    ].join('\n'),
  );
  return failed > 0 ? 1 : 0;
}

// ddp round trip
/** The tensor names of a safetensors file (its JSON header). */
function safetensorsKeys(path) {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  return Object.keys(JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'))).filter((k) => k !== '__metadata__');
}

/**
 * --ddp: lenet5 out to PyTorch's DistributedDataParallel (torchrun, 2 processes, gloo) and
 * back by --init, in a temporary folder. Prints a table; returns the exit code.
 */
function checkDdp() {
  const dir = mkdtempSync(join(tmpdir(), 'check-torch-ddp-'));
  const f = (name) => join(dir, name);
  const engineFlags = [...(o.cpu ? ['--backend', 'cpu'] : []), '--runtime', 'node', '--adapter', o.adapter];
  const rows = [];
  let failed = 0;
  const run = (label, cmd, args) => {
    const start = Date.now();
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
    const seconds = (Date.now() - start) / 1000;
    if (r.status !== 0) {
      console.error(
        `check:torch: ${label} failed (exit ${r.status}): ${cmd} ${args.join(' ')}\n${(r.stdout ?? '').slice(-3000)}${(r.stderr ?? '').slice(-3000)}`,
      );
    }
    return { ok: r.status === 0, seconds, out: r.stdout ?? '' };
  };
  const row = (step, result, seconds, pass) => {
    rows.push([step, result, seconds.toFixed(0), pass ? 'yes' : 'no']);
    if (!pass) failed++;
    console.log(`${step.padEnd(24)} ${result.padEnd(82)} ${seconds.toFixed(0).padStart(7)}  ${pass ? 'yes' : 'no'}`);
  };
  const train = (out, extra) =>
    run('npm run train', process.execPath, [
      join(root, 'scripts', 'train.mjs'),
      '--model',
      'lenet5',
      '--limit',
      '256',
      '--test-limit',
      '256',
      '--seed',
      '1',
      '--autotune',
      'off',
      '--out',
      f(out),
      '--json',
      f(`${out}.json`),
      ...engineFlags,
      ...extra,
    ]);
  console.log(`${'step'.padEnd(24)} ${'result'.padEnd(82)} ${'seconds'.padStart(7)}  pass`);
  const figures = { date: new Date().toISOString() };
  try {
    // 1. The engine trains lenet5 briefly and writes both exports.
    const t0 = train('start', ['--epochs', '2', '--export-torch', f('lenet5.safetensors'), '--export-onnx', f('lenet5.onnx')]);
    if (!t0.ok) {
      row('npm run train, export', 'failed', t0.seconds, false);
      return 1;
    }
    const m0 = JSON.parse(readFileSync(f('start.json'), 'utf8'));
    const tensors = safetensorsKeys(f('lenet5.safetensors')).length;
    figures.engine = { testLoss: m0.testLoss, tensors, seconds: t0.seconds, backend: m0.backend, adapter: m0.adapter?.description };
    row(
      'npm run train, export',
      `test loss ${m0.testLoss.toFixed(4)}; ${tensors} tensors and ONNX; ${m0.adapter?.description?.split(' (')[0] ?? m0.backend}`,
      t0.seconds,
      tensors > 0,
    );

    // 2. torchrun: 2 processes, gloo, 20 steps. --redirects 1 --tee 1 work around torch 1.13's
    //    Std.from_str('0') returning None under Python 3.11 (its IntFlag no longer lists 0).
    const t1 = run('torchrun', python, [
      '-m',
      'torch.distributed.run',
      '--nproc_per_node',
      '2',
      '--redirects',
      '1',
      '--tee',
      '1',
      '--log_dir',
      f('torchrun-logs'),
      join(root, 'examples', 'torch-ddp', 'train_ddp.py'),
      '--model',
      'lenet5',
      '--state',
      f('lenet5.safetensors'),
      '--onnx',
      f('lenet5.onnx'),
      '--metrics',
      f('start.json'),
      '--steps',
      '20',
      '--out',
      f('lenet5-ddp.safetensors'),
      '--json',
      f('ddp.json'),
    ]);
    if (!t1.ok) {
      row('torchrun DDP', 'failed', t1.seconds, false);
      return 1;
    }
    const d = JSON.parse(readFileSync(f('ddp.json'), 'utf8'));
    figures.ddp = { ...d, seconds: t1.seconds };
    const back = safetensorsKeys(f('lenet5-ddp.safetensors')).length;
    row(
      `torchrun DDP (${d.processes} x ${d.backend})`,
      `held-out loss ${d.loss_before.toFixed(4)} -> ${d.loss_after.toFixed(4)}, ${d.steps} steps; ${d.tensors_in} in, ${back} out`,
      t1.seconds,
      d.loss_after < d.loss_before && d.tensors_in === tensors && back === tensors,
    );

    // 3. Back: --init continues from the DDP state dict, and evaluates it (SGD at lr 1e-9).
    const loadedAll = (init) => init && init.loaded === tensors && init.skipped.length === 0 && init.missing.length === 0;
    const initSummary = (init) =>
      init ? `${init.loaded}/${tensors} loaded, ${init.skipped.length} skipped, ${init.missing.length} kept fresh` : 'no --init report';
    const t2 = train('continue', ['--epochs', '1', '--init', f('lenet5-ddp.safetensors')]);
    if (!t2.ok) row('--init, 1 epoch', 'failed', t2.seconds, false);
    else {
      const m = JSON.parse(readFileSync(f('continue.json'), 'utf8'));
      figures.continued = { init: m.init, testLoss: m.testLoss, seconds: t2.seconds };
      row('--init, 1 epoch', `${initSummary(m.init)}; test loss ${m.testLoss.toFixed(4)}`, t2.seconds, loadedAll(m.init));
    }
    const t3 = train('evaluate', ['--epochs', '1', '--optimizer', 'sgd', '--lr', '1e-9', '--schedule', 'constant', '--init', f('lenet5-ddp.safetensors')]);
    if (!t3.ok) row('--init, evaluated', 'failed', t3.seconds, false);
    else {
      const m = JSON.parse(readFileSync(f('evaluate.json'), 'utf8'));
      const error = Math.abs(m.testLoss - d.loss_after) / Math.abs(d.loss_after);
      figures.evaluated = { init: m.init, testLoss: m.testLoss, relativeError: error, seconds: t3.seconds };
      row(
        '--init, evaluated',
        `${initSummary(m.init)}; test loss ${m.testLoss.toFixed(4)} (PyTorch ${d.loss_after.toFixed(4)}, ${e(error)})`,
        t3.seconds,
        loadedAll(m.init) && error <= 1e-3,
      );
    }
  } finally {
    all[`lenet5 ddp ${o.cpu ? 'cpu' : 'webgpu'}`] = { ...figures, pass: failed === 0 };
    mkdirSync(dirname(results), { recursive: true });
    writeFileSync(results, `${JSON.stringify(all, null, 1)}\n`);
    if (o.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    [
      `${failed === 0 ? 'pass' : `FAIL (${failed})`}: lenet5 out by --export-torch/--export-onnx, 20 DDP steps in PyTorch (2 processes, gloo, CPU; 32 images each per step, Adam lr 1e-3), back by --init.`,
      `held-out loss: the first 256 test images, eval mode, normalised as the exporting run did; evaluated: an --init run at lr 1e-9 (SGD, constant), whose test loss is the engine's loss of PyTorch's weights. Written to ${results}.`,
    ].join('\n'),
  );
  return failed > 0 ? 1 : 0;
}
