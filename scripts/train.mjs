#!/usr/bin/env node
// `npm run train`: trains a model on a real dataset in headless Chromium (or in Node) and
// writes the run's files. The options, their checks and --help come from the table below
// (tools/cli/options.mjs); docs/command-line.md describes every option and file.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../tools/cli/atomic_write.mjs';
import { defineCommand, UsageError } from '../tools/cli/options.mjs';
import { ProgressBar } from '../tools/cli/progress.mjs';
import { renderReport, scenesPng } from '../tools/cli/report.mjs';
import { runJob } from '../tools/cli/job_runner.mjs';
import { formatDuration, parseDuration } from '../tools/cli/duration.mjs';
import { listFolder } from '../tools/cli/list_folder.mjs';
import { openPageSession } from '../tools/cli/page_session.mjs';
import { checkResumeFolder, openRunFolder, removeOtherRuns, safetensorsMetadataOf } from '../tools/cli/run_folder.mjs';
import { exitOnSignals } from '../tools/cli/run_lock.mjs';
import { modelsHelp, zooModel } from '../tools/cli/zoo_catalog.mjs';

/** --batch when not given, but for an image folder (the job's defaultBatch, tools/jobs/train_data.ts, which names it DEFAULT_BATCH too). */
const DEFAULT_BATCH = 64;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What may accompany --resume: the run's configuration comes from its checkpoint. */
const WITH_RESUME = ['epochs', 'time-budget', 'checkpoint-every', 'json', 'out', 'export-onnx', 'export-torch', 'runtime', 'adapter'];

const TRAIN = defineCommand({
  name: 'train',
  summary: 'trains a model on a real dataset in headless Chromium (WebGPU) or in Node, and writes the run to --out.',
  usage: [
    `--resume DIR [${WITH_RESUME.filter((k) => k !== 'out')
      .map(
        (k) =>
          `--${k} ${{ epochs: 'N', 'time-budget': 'DURATION', 'checkpoint-every': 'STEPS', json: 'FILE', 'export-onnx': 'FILE', 'export-torch': 'FILE', runtime: 'browser|node', adapter: 'auto|lavapipe|swiftshader' }[k]}`,
      )
      .join('] [')}] [--out DIR]`,
  ],
  description: [
    "Checks the options and that --out is writable, and locks it (run.lock: one run per folder; a second run exits 2); sets up what is missing, serves the engine with Vite and trains in headless Chromium (WebGPU) on the dataset in /usr/share/datasets, with a progress bar. Writes to --out, each file atomically: checkpoint.safetensors and metrics.json after every epoch (and every --checkpoint-every steps), then weights.safetensors, report.html and metrics.json naming the weights' and the checkpoint's sha256. Every file names the run (a random id) and its step.",
    "--resume DIR continues a stopped or killed run from its checkpoint, with the same data order: the result is the run's; it checks the checkpoint against metrics.json first.",
  ],
  options: {
    model: { type: 'string', value: 'KEY', default: 'conv-bn', shown: 'conv-bn; with --task segment, unet-mini', help: 'a model of the zoo' },
    'class-weights': {
      type: 'string',
      value: 'W0,W1,...',
      help: "a loss weight per class (--task segment: per label, background first), the loss a weighted mean as PyTorch's CrossEntropyLoss(weight=...); e.g. 0.1,1,1,1,1,1,1,1,1,1,1 keeps the background from drowning the items",
    },
    task: {
      type: 'choice',
      choices: ['classify', 'segment'],
      default: 'classify',
      help: 'classify: a class per image; segment: a label per pixel, on 64x64 scenes of 1-4 dataset items (background + 10 classes), scored by pixel accuracy and mean IoU (models unet-mini, fcn8s-mini)',
    },
    dataset: {
      type: 'string',
      value: 'fashion-mnist|mnist|folder:PATH',
      default: 'fashion-mnist',
      help: 'a dataset in /usr/share/datasets, or folder:PATH, an image folder with one subfolder per class (or train/ and val/ of them): JPEG, PNG, WebP, GIF, BMP as RGB at --image-size, a fifth of each class held out for validation',
    },
    'image-size': {
      type: 'integer',
      value: 'N',
      min: 8,
      shown: '32',
      help: "with --dataset folder:PATH: the images' side (shorter side resized to N + 2 x --crop-margin, then N x N crops: random when training, the centre for validation)",
    },
    'crop-margin': {
      type: 'integer',
      value: 'M',
      min: 0,
      shown: '0',
      help: 'with --dataset folder:PATH: pixels kept around the N x N crop, for random crops when training (0: the whole centred square; N/14 is the ImageNet recipe, 224 from 256)',
    },
    strict: {
      type: 'boolean',
      help: 'with --dataset folder:PATH: a bad file (corrupt, empty, not an image, too small, CMYK, 16-bit) is an error instead of being listed and skipped',
    },
    epochs: { type: 'integer', value: 'N', default: 3, help: "epochs to train (with --resume: the run's new total)" },
    batch: {
      type: 'integer',
      value: 'N',
      shown: '64; with folder:PATH, 64 halved while an epoch would be under 100 steps, down to 16',
      help: 'batch size',
    },
    optimizer: { type: 'choice', choices: ['sgd', 'momentum', 'nesterov', 'adam', 'adamw'], default: 'adam', help: 'the optimizer' },
    lr: { type: 'number', value: 'X', default: 2e-3, shown: '2e-3', help: 'learning rate' },
    schedule: { type: 'choice', choices: ['constant', 'cosine', 'step', 'exponential'], default: 'cosine', help: 'learning-rate schedule' },
    warmup: { type: 'integer', value: 'STEPS', help: 'linear warm-up of the learning rate over that many steps' },
    augment: {
      type: 'choice',
      choices: ['full', 'flip', 'crop', 'resized-crop', 'color'],
      bare: 'full',
      default: false,
      help: 'augmentation on the GPU; alone or full: mirroring, shifts of up to 2 pixels, turns of up to 10 degrees, contrast jitter; flip: mirroring alone; crop: mirroring and random crops of the image padded by 4 (the CIFAR recipe); resized-crop: mirroring and random resized crops (35-100% of the area); color: mirroring and colour jitter, RGB only (default off)',
    },
    limit: {
      type: 'integer',
      value: 'N',
      help: 'train on the first N training examples (at least one batch); with --task segment, on N scenes (default 8000)',
    },
    'test-limit': { type: 'integer', value: 'N', help: 'evaluate on the first N test examples; with --task segment, on N scenes (default 1000)' },
    pad: { type: 'integer', value: 'PIXELS', help: 'pad every image with that many zero pixels on each side' },
    backend: { type: 'choice', choices: ['webgpu', 'cpu'], default: 'webgpu', help: 'webgpu, or cpu (the reference)' },
    seed: { type: 'integer', value: 'S', default: 1, help: 'initial weights, data order and augmentation draws' },
    autotune: {
      type: 'choice',
      choices: ['full', 'budget', 'off', 'on'],
      default: 'full',
      help: "kernel variants: full (on is the same) times what the shipped table lacks, budget at most 5 s a pass, off runs every kernel's first variant",
    },
    tuning: { type: 'path', value: 'FILE', help: 'replay the kernel variants a run recorded (its metrics.json); nothing is timed' },
    'time-budget': {
      type: 'string',
      value: 'DURATION',
      help: "train until this much training time is spent (30s, 50m, 2h, 1h30m), then finish the batch, checkpoint, evaluate on the test set and write the report; --epochs, when given, still bounds it; the cosine schedule spans the steps the budget is estimated to hold (with --resume: the run's new budget)",
    },
    'checkpoint-every': { type: 'integer', value: 'STEPS', help: 'also write checkpoint.safetensors every that many steps' },
    json: { type: 'path', value: 'FILE', help: 'also write the metrics to FILE' },
    out: { type: 'path', value: 'DIR', default: 'runs/latest', shown: 'runs/latest; with --resume, the resumed folder', help: "the run's folder" },
    init: {
      type: 'path',
      value: 'FILE',
      help: "start from a .onnx network to fine-tune (it replaces --model), or a .safetensors state dict for --model (PyTorch's names and layouts, or a checkpoint of this engine; a head of another class count keeps fresh weights)",
    },
    'freeze-body': {
      type: 'boolean',
      help: "with --init: train only the head (the last layer with weights, which a new class count replaces); the pretrained body's weights stay as loaded",
    },
    'body-lr-scale': {
      type: 'number',
      value: 'X',
      help: "with --init: the body's learning rate is X times the head's (0.1, 0.01: the seed's tenth and hundredth), with every optimizer",
    },
    'unfreeze-every': {
      type: 'integer',
      value: 'EPOCHS',
      help: 'with --init: the body starts frozen, and every EPOCHS epochs one more of its layers (a batch norm with the layer before it) unfreezes, from the top; at --body-lr-scale when given',
    },
    'export-onnx': { type: 'path', value: 'FILE', help: 'also write the trained model as ONNX' },
    'export-torch': { type: 'path', value: 'FILE', help: 'also write it as a PyTorch state dict (safetensors)' },
    runtime: {
      type: 'choice',
      choices: ['browser', 'node'],
      default: 'browser',
      help: 'browser (headless Chromium) or node (Node on Dawn, npm webgpu: no browser)',
    },
    adapter: {
      type: 'choice',
      choices: ['auto', 'lavapipe', 'swiftshader'],
      default: 'auto',
      help: "Node's Vulkan driver: auto (a GPU's, else lavapipe where Dawn takes it, else SwiftShader), lavapipe (Mesa 25's CPU driver, the fastest here; implies --runtime node) or swiftshader (the browser's: the same results as a browser run)",
    },
    'divergence-factor': {
      type: 'off-or-number',
      value: '1000|off',
      above: 1,
      default: 1000,
      help: 'stop as diverged when a loss exceeds this many times the lowest so far; off turns the rule off',
    },
    'on-diverge': {
      type: 'choice',
      choices: ['stop', 'warn'],
      default: 'stop',
      help: 'warn: report a loss explosion or an epoch at chance and train on (a NaN or infinite loss always stops)',
    },
    sanity: {
      type: 'boolean',
      help: "instead of training, the seed's sanity checks on the model and the training split: the initial loss within 10% of ln(classes), an L2 term raising the loss, 20 examples fit to 100% training accuracy (no regularisation, --optimizer and --lr) within --sanity-steps; prints each with its numbers, exits 1 naming a failed one; writes nothing but --json",
    },
    'sanity-steps': { type: 'integer', value: 'N', default: 200, requires: 'sanity', help: 'with --sanity: the steps the 20 examples may take to be fit' },
    ensemble: {
      type: 'integer',
      value: 'K',
      min: 2,
      help: "train K models, seeds --seed to --seed+K-1, one after another, and report each one's test accuracy and the ensemble's (their softmax outputs averaged); writes weights-1.safetensors to weights-K.safetensors and metrics.json (no checkpoint or report)",
    },
    resume: {
      type: 'path',
      value: 'DIR',
      help: 'continue the run in DIR from its checkpoint.safetensors',
      onlyWith: { options: WITH_RESUME, why: "takes the run's configuration from its checkpoint" },
    },
  },
  epilogue: [
    ...modelsHelp(),
    'Training stops as diverged, with the last good weights kept, when a loss is NaN or infinite, above --divergence-factor times its lowest so far, or when an epoch after the first ends no better than always guessing the most common class; --on-diverge warn reports the last two and trains on. The rule that fired is printed and recorded in metrics.json (diverged.rule, warnings).',
    'metrics.json records the kernel variant every kernel ran (tuning); --tuning FILE replays those choices, so the same seed gives the same weights anywhere the adapter offers them.',
  ],
  check(o, given) {
    if (given.has('class-weights') && !o['class-weights'].split(',').every((v) => v.trim() !== '' && Number(v) >= 0 && Number.isFinite(Number(v))))
      throw new UsageError(`train: --class-weights must be numbers >= 0 separated by commas, got '${o['class-weights']}'`);
    if (given.has('time-budget') && parseDuration(o['time-budget']) === null)
      throw new UsageError(`train: --time-budget must be a duration such as 30s, 50m, 2h or 1h30m, got '${o['time-budget']}'`);
    // The zoo key, before anything starts (a .onnx --init brings its own network; --resume, the checkpoint's).
    if (!given.has('resume') && !/\.onnx$/i.test(o.init ?? '')) zooModel(o.task === 'segment' && !given.has('model') ? 'unet-mini' : o.model, 'train', o.task);
    if (o.adapter === 'lavapipe' && given.has('runtime') && o.runtime === 'browser')
      throw new UsageError('train: --adapter lavapipe runs in Node (Chromium uses its own SwiftShader); leave out --runtime browser');
    if (o.task === 'segment' && o.pad !== undefined) throw new UsageError('train: --pad does not apply to --task segment (the scenes are 64x64 already)');
    if (o.task === 'segment' && o.augment)
      throw new UsageError('train: --augment does not apply to --task segment (it would move the images but not their label maps)');
    const isFolder = o.dataset.startsWith('folder:');
    if (!['fashion-mnist', 'mnist'].includes(o.dataset) && !(isFolder && o.dataset.length > 'folder:'.length))
      throw new UsageError(`train: --dataset must be fashion-mnist, mnist or folder:PATH, got '${o.dataset}'`);
    if (!isFolder)
      for (const k of ['image-size', 'crop-margin', 'strict']) if (given.has(k)) throw new UsageError(`train: --${k} applies to --dataset folder:PATH only`);
    if (isFolder) {
      for (const k of ['pad', 'limit', 'test-limit'])
        if (given.has(k)) throw new UsageError(`train: --${k} does not apply to --dataset folder:PATH (--image-size sets the size; the folder is read whole)`);
      if (o.task === 'segment') throw new UsageError('train: --task segment needs fashion-mnist or mnist (an image folder has a class per image)');
      try {
        listFolder(o.dataset.slice('folder:'.length));
      } catch (e) {
        throw new UsageError(`train: ${e.message}`);
      }
    }
    // --sanity and --ensemble: classifiers, from scratch (or --init), with no checkpoints, budget or exports.
    const mode = o.sanity ? 'sanity' : given.has('ensemble') ? 'ensemble' : null;
    if (o.sanity && given.has('ensemble')) throw new UsageError('train: --sanity and --ensemble are separate runs; check first, then train the ensemble');
    if (mode && o.task === 'segment') throw new UsageError(`train: --${mode} is for classifiers; it does not apply to --task segment`);
    if (mode)
      for (const k of ['time-budget', 'checkpoint-every', 'export-onnx', 'export-torch'])
        if (given.has(k)) throw new UsageError(`train: --${k} does not apply to --${mode}`);
    // Fine-tuning: a body pretrained (--init) under a head.
    const tuning = ['freeze-body', 'body-lr-scale', 'unfreeze-every'].filter((k) => given.has(k));
    for (const k of tuning) {
      if (!given.has('init'))
        throw new UsageError(`train: --${k} fine-tunes a pretrained network: give it with --init FILE (a .safetensors state dict or a .onnx network)`);
      if (mode) throw new UsageError(`train: --${k} does not apply to --${mode}`);
    }
    if (o['freeze-body'] && given.has('body-lr-scale') && !given.has('unfreeze-every'))
      throw new UsageError(
        'train: --body-lr-scale sets the rate of a body that trains, and --freeze-body keeps it fixed; give one (or add --unfreeze-every EPOCHS)',
      );
    if (!given.has('resume') && o.limit !== undefined && o.limit < (o.batch ?? DEFAULT_BATCH))
      throw new UsageError(`train: --limit ${o.limit} is fewer examples than one batch of ${o.batch ?? DEFAULT_BATCH}; lower --batch or raise --limit`);
  },
});

/** A recorded tuning to replay: a run's metrics.json (its `tuning`), or a bare map of `kernel|shape class` to variant name. */
function tuningOf(file) {
  let json;
  try {
    json = JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch (e) {
    throw new Error(`train: --tuning ${file}: ${e.message}`);
  }
  const map = json && typeof json === 'object' && 'tuning' in json ? json.tuning : json;
  if (!map || typeof map !== 'object' || Object.values(map).some((v) => typeof v !== 'string')) {
    throw new Error(`train: --tuning ${file} holds no tuning (a metrics.json of npm run train, or { "kernel|shape class": "variant" })`);
  }
  return map;
}

/** When this process saw its first step (a time budget counts from about there), and whether it resumed a run. */
let budgetStart = null;
let resumed = false;

/** A folder run's crop margin: its own, or for a run from before --crop-margin the round(N/14) it was read with (train_data.ts). */
const folderMargin = () => config.cropMargin ?? Math.round(config.imageSize / 14);

/** The epochs of a --time-budget run without --epochs: a bound it does not reach. */
const BUDGET_EPOCHS = 1000;

/** An epoch's name in the log: of how many, or where a time budget bounds the run, whether it ended there. */
const epochName = (p) =>
  config.timeBudgetMs
    ? `epoch ${p.epoch}${config.epochs < BUDGET_EPOCHS ? `/${config.epochs}` : ''}${p.stoppedByBudget ? ` (time budget of ${formatDuration(config.timeBudgetMs)} spent)` : ''}`
    : `epoch ${p.epoch}/${config.epochs}`;

/** The job's configuration: from the options, or from the checkpoint of the run being resumed. */
function jobOf(o, given) {
  if (!o.resume) {
    const c = o;
    const config = {
      model: c.task === 'segment' && !given.has('model') ? 'unet-mini' : c.model,
      task: c.task,
      classWeights: c['class-weights'] ? c['class-weights'].split(',').map(Number) : undefined,
      dataset: c.dataset.startsWith('folder:') ? `folder:${resolve(c.dataset.slice('folder:'.length))}` : c.dataset,
      ...(c.dataset.startsWith('folder:') ? { imageSize: c['image-size'] ?? 32, cropMargin: c['crop-margin'] ?? 0, strict: !!c.strict } : {}),
      epochs: c.epochs,
      // An image folder's default depends on its training split's size: the job picks it (defaultBatch) and reports it.
      batch: c.batch ?? (c.dataset.startsWith('folder:') ? undefined : DEFAULT_BATCH),
      optimizer: c.optimizer,
      lr: c.lr,
      schedule: c.schedule,
      warmupSteps: c.warmup,
      augment: c.augment,
      limit: c.limit,
      testLimit: c['test-limit'],
      pad: c.pad,
      backend: c.backend,
      seed: c.seed,
      autotune: c.autotune === 'on' ? 'full' : c.autotune,
      divergenceFactor: c['divergence-factor'],
      onDiverge: c['on-diverge'],
      tuning: o.tuning ? tuningOf(o.tuning) : undefined,
      init: o.init ? resolve(o.init) : undefined,
      freezeBody: c['freeze-body'] || undefined,
      bodyLrScale: c['body-lr-scale'],
      unfreezeEvery: c['unfreeze-every'],
      // A time budget bounds the run; --epochs, when given too, still does.
      ...(given.has('time-budget') ? { timeBudgetMs: parseDuration(c['time-budget']), epochs: given.has('epochs') ? c.epochs : BUDGET_EPOCHS } : {}),
    };
    checkInit(config.init);
    return { config, out: resolve(o.out), resume: undefined, runId: randomUUID(), notes: [], checkpoint: null };
  }
  const dir = resolve(o.resume);
  const file = join(dir, 'checkpoint.safetensors');
  let metadata;
  let bytes;
  try {
    bytes = readFileSync(file);
    metadata = safetensorsMetadataOf(bytes, file);
  } catch (e) {
    if (e.code === 'ENOENT') e.message = `${file}: no such file`;
    throw new Error(`train: --resume ${o.resume}: ${e.message} (a run writes checkpoint.safetensors into its --out folder after every epoch)`);
  }
  if (!metadata.run_config) throw new Error(`train: --resume ${o.resume}: ${file} is not a checkpoint of npm run train (no run_config)`);
  const config = JSON.parse(metadata.run_config);
  if (given.has('epochs')) config.epochs = o.epochs;
  if (given.has('time-budget')) config.timeBudgetMs = parseDuration(o['time-budget']);
  // The folder's files must be of one run: the checkpoint's run id against metrics.json's (repaired or refused).
  const { runId, checkpoint, notes } = checkResumeFolder(dir, metadata, bytes);
  const out = resolve(given.has('out') ? o.out : dir);
  // A run that started from a .onnx needs the file again for its architecture; the weights come from the checkpoint.
  checkInit(config.init);
  return { config, out, resume: file, runId, notes, checkpoint: out === dir ? checkpoint : null };
}

/** Checks the --init file now, so a missing one fails before the browser starts (the job reads it). */
function checkInit(path) {
  if (!path) return;
  if (!/\.(onnx|safetensors)$/i.test(path))
    throw new Error(`train: --init ${path}: give a .onnx network or a .safetensors state dict (PyTorch's, or a checkpoint of this engine)`);
  if (!existsSync(path)) throw new Error(`train: --init ${path}: no such file`);
  if (!statSync(path).isFile()) throw new Error(`train: --init ${path}: not a file`);
}

let options;
let given;
let job;
/** The browser session, once open: its own signal handlers close it and exit. */
let session;
// Ctrl-C or a kill: exit through process.exit, so the folder's lock is released (the
// browser session's handlers do the same after closing the browser).
exitOnSignals({ unless: () => session !== undefined, onSignal: (signal) => console.error(`\n${signal}: stopping`) });
try {
  ({ values: options, given } = TRAIN.parseOrExit(process.argv.slice(2)));
  // A new run's options are checked before the folder is touched; a resumed run's
  // checkpoint is read under the folder's lock, so no other run changes it meanwhile.
  if (!options.resume) job = jobOf(options, given);
  const out = resolve(options.resume && !given.has('out') ? options.resume : options.out);
  // Before anything is trained: a run that cannot be written, or a folder another run
  // writes (run.lock), is refused now, not after hours. --sanity writes no folder.
  const { removed } = options.sanity ? { removed: [] } : openRunFolder(out, { command: 'train' });
  if (removed.length > 0) console.error(`removed ${removed.length} temporary file(s) a killed run left in ${out}`);
  if (options.resume) job = jobOf(options, given);
  for (const note of job.notes) console.error(note);
  if (job.checkpoint) for (const line of removeOtherRuns(out, job.runId)) console.error(line);
} catch (e) {
  console.error(e.message);
  process.exit(2);
}

const { config, out } = job;
const bar = new ProgressBar();
/** Where the job writes: the checkpoint and the weights in --out, and the exports. */
const files = {
  checkpoint: join(out, 'checkpoint.safetensors'),
  weights: join(out, 'weights.safetensors'),
  ...(options['export-onnx'] ? { onnx: resolve(options['export-onnx']) } : {}),
  ...(options['export-torch'] ? { torch: resolve(options['export-torch']) } : {}),
  // --ensemble K: each member's weights.
  ...(options.ensemble ? { members: Array.from({ length: options.ensemble }, (_, i) => join(out, `weights-${i + 1}.safetensors`)) } : {}),
};
/** An image folder's files, listed here (the page cannot list a folder) and read by the job. */
let folder;
if (config.dataset.startsWith('folder:')) {
  try {
    folder = listFolder(config.dataset.slice('folder:'.length));
  } catch (e) {
    console.error(`train: ${e.message}`);
    process.exit(2);
  }
}
/** What the held-out split is called: an image folder's is its validation split, the installed data sets' their test split. */
const tested = folder ? 'validation' : 'test';
const input = {
  config,
  runId: job.runId,
  checkpointEvery: options['checkpoint-every'],
  resume: job.resume,
  files,
  folder,
  ...(options.sanity ? { sanity: { maxSteps: options['sanity-steps'] } } : {}),
  ...(options.ensemble ? { ensemble: options.ensemble } : {}),
};

/** The messages of --sanity and --ensemble (tools/jobs/sanity_job.ts, ensemble_job.ts). */
function onModeProgress(p) {
  const on = `${config.dataset}${config.limit ? ` (first ${config.limit})` : ''}`;
  if (p.kind === 'sanity-start')
    bar.log(
      `sanity checks of ${p.model} (${p.params.toLocaleString('en-US')} parameters) on ${on}: the loss at initialisation of ${Math.min(64, p.trainExamples)} training examples drawn by seed ${config.seed} (${p.classes} classes), then ${Math.min(20, p.trainExamples)} of them fit with ${config.optimizer} lr ${config.lr}; ${config.backend} (${p.adapter})${runtime === 'node' ? ', in Node' : ''}`,
    );
  if (p.kind === 'sanity') bar.log(p.check.line);
  if (p.kind === 'ensemble-start')
    bar.log(
      `training an ensemble of ${p.seeds.length} ${p.model} (${p.params.toLocaleString('en-US')} parameters each), seeds ${p.seeds[0]} to ${p.seeds.at(-1)}, on ${on}: ${p.trainExamples} train / ${p.testExamples} ${tested} examples, ${p.stepsPerEpoch} steps per epoch, batch ${p.batch}, ${config.optimizer} lr ${config.lr}; ${config.backend} (${p.adapter})${runtime === 'node' ? ', in Node' : ''}`,
    );
  if (p.kind === 'member') bar.log(`member ${p.member}/${p.members} (seed ${p.seed})`);
  if (p.kind === 'member-batch') bar.update({ ...p, epochs: config.epochs });
  if (p.kind === 'member-epoch')
    bar.log(
      `member ${p.member}/${p.members}, epoch ${p.epoch}/${config.epochs}: loss ${p.loss.toFixed(4)}, train accuracy ${p.accuracy.toFixed(4)}, ${tested} loss ${p.testLoss.toFixed(4)}, ${tested} accuracy ${p.testAccuracy.toFixed(4)}, ${p.seconds.toFixed(1)} s, ${p.imagesPerSecond.toFixed(1)} images/s`,
    );
  if (p.kind === 'member-done') {
    bar.log(
      `member ${p.member}/${p.members} (seed ${p.seed}): ${tested} accuracy ${p.testAccuracy.toFixed(4)}, loss ${p.testLoss.toFixed(4)}; wrote ${join(out, p.file)}`,
    );
    // The run's first file is in the folder: another run's files there go (a checkpoint too: this run writes none).
    if (p.member === 1) for (const line of removeOtherRuns(out, job.runId, { checkpoint: true })) bar.log(line);
  }
}

function onProgress(p) {
  onModeProgress(p);
  if (p.kind === 'load' && (Date.now() - lastLoadLine > 2000 || p.done === p.total)) {
    lastLoadLine = Date.now();
    bar.log(`reading ${folder.root}: ${p.done}/${p.total} files, ${p.decoded} decoded, ${p.perSecond.toFixed(0)} files/s, ${p.errors} error(s) so far`);
  }
  if (p.kind === 'loaded') {
    for (const b of p.bad) bar.log(`skipped ${b.path}: ${b.reason}`);
    bar.log(
      `${p.folder}: ${p.classes.length} classes (${p.classes.join(', ')}), ${p.train} training and ${p.validation} validation images (${p.split === 'folders' ? 'its train/ and val/ folders' : `a fifth of each class held out, seed ${config.seed}`}), ${config.imageSize}x${config.imageSize} RGB${folderMargin() ? ` (random ${config.imageSize}x${config.imageSize} crops of ${config.imageSize + 2 * folderMargin()}x${config.imageSize + 2 * folderMargin()} when training)` : ''}; ${p.bad.length} bad file(s) skipped${p.ignored ? `, ${p.ignored} other file(s) ignored` : ''}; read in ${p.seconds.toFixed(1)} s`,
    );
  }
  if (p.kind === 'resume') {
    resumed = true;
    bar.log(`resuming ${out} at epoch ${p.epoch + 1}, step ${p.batch} (optimizer step ${p.steps})`);
  }
  const some = (list) => `${list.length}: ${list.slice(0, 3).join(', ')}${list.length > 3 ? `, and ${list.length - 3} more (metrics.json lists them)` : ''}`;
  if (p.kind === 'start' && p.init)
    bar.log(
      `initial weights from ${p.init.file} (${p.init.kind}): ${p.init.loaded} tensors loaded${p.init.skipped.length ? `; skipped ${some(p.init.skipped)}` : ''}${p.init.missing.length ? `; kept fresh ${some(p.init.missing)}` : ''}`,
    );
  if (p.kind === 'start' && p.fineTune) bar.log(p.fineTune);
  if (p.kind === 'unfreeze') bar.log(`epoch ${p.epoch}: unfreezing ${p.layers.join(', ')}`);
  if (p.kind === 'start')
    bar.log(
      `training ${p.model} (${p.params.toLocaleString('en-US')} parameters) on ${config.task === 'segment' ? `64x64 scenes of ${config.dataset} items (label per pixel)` : config.dataset}: ${p.trainExamples} train / ${p.testExamples} ${tested} ${config.task === 'segment' ? 'scenes' : 'examples'}, ${p.stepsPerEpoch} steps per epoch, batch ${p.batch}, ${config.optimizer} lr ${config.lr}${config.timeBudgetMs ? `, time budget ${formatDuration(config.timeBudgetMs)}` : ''}; ${config.backend} (${p.adapter})${runtime === 'node' ? ', in Node' : ''}`,
    );
  if (p.kind === 'batch') {
    // A budget run without --epochs has no epoch count to show, and ends with its budget: the ETA is the nearer end.
    // (A resumed run's budget left is not known here; its ETA stays the epoch's.)
    budgetStart ??= Date.now();
    const budgetLeft = config.timeBudgetMs && !resumed ? Math.max(0, (config.timeBudgetMs - (Date.now() - budgetStart)) / 1000) : Infinity;
    bar.update({ ...p, epochs: config.epochs < BUDGET_EPOCHS ? config.epochs : null, etaSeconds: Math.min(p.etaSeconds, budgetLeft) });
  }
  if (p.kind === 'epoch')
    bar.log(
      p.testMeanIoU === undefined
        ? `${epochName(p)}: loss ${p.loss.toFixed(4)}, train accuracy ${p.accuracy.toFixed(4)}, ${tested} loss ${p.testLoss.toFixed(4)}, ${tested} accuracy ${p.testAccuracy.toFixed(4)}, ${p.seconds.toFixed(1)} s, ${p.imagesPerSecond.toFixed(1)} images/s`
        : `${epochName(p)}: loss ${p.loss.toFixed(4)}, train pixel accuracy ${p.accuracy.toFixed(4)}, test loss ${p.testLoss.toFixed(4)}, test pixel accuracy ${p.testAccuracy.toFixed(4)}, test mean IoU ${p.testMeanIoU.toFixed(4)}, ${p.seconds.toFixed(1)} s, ${p.imagesPerSecond.toFixed(1)} scenes/s`,
    );
  if (p.kind === 'epoch') for (const w of p.warnings ?? []) bar.log(`warning (rule ${w.rule}, --on-diverge warn): ${w.message}`);
}

let lastLoadLine = 0;

/** The checkpoint of this run in --out (sha256, step), once there is one: metrics.json names it. */
let checkpointInOut = job.checkpoint;

/**
 * metrics.json as written: the run's id and step, and the files it describes by sha256
 * (weights: null until the run's weights are written). `complete` only once they are.
 */
function record(metrics, weights) {
  return {
    runId: job.runId,
    step: weights?.step ?? checkpointInOut?.step ?? null,
    weights,
    checkpoint: checkpointInOut,
    ...metrics,
    complete: !!metrics.complete && weights !== null,
  };
}

// Each checkpoint first (the job writes it), then the metrics that name it (epochsDone):
// a kill between the two leaves the newer checkpoint, which --resume reads, beside older
// metrics. Once the run's first checkpoint is in place, files of a previous run in the folder go.
function onCheckpoint({ file, metrics }) {
  const first = checkpointInOut === null;
  checkpointInOut = file;
  writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(record(metrics, null), null, 2)}\n`);
  if (first) for (const line of removeOtherRuns(out, job.runId)) bar.log(line);
}

/**
 * The job (tools/jobs/train_run.ts): in headless Chromium (the default) the page runs it and
 * hands the files it writes to this process; in a Node process on Dawn (--runtime node) it
 * writes them itself.
 */
function train() {
  const reads = [job.resume, config.init, ...(folder?.files.map((f) => join(folder.root, f)) ?? [])].filter(Boolean);
  const common = { input, reads, writes: Object.values(files).flat(), onProgress, onCheckpoint };
  if (runtime === 'node') return runJob(root, { ...common, runtime: 'node', node: 'tools/jobs/train_node_main.ts', adapter: options.adapter });
  session.page.on('pageerror', (e) => bar.log(`page error: ${e.message}`));
  return runJob(root, { ...common, runtime: 'browser', page: '/demo/train_job.html', session });
}

/** --sanity: the verdict (each check printed its line as it ended), --json; the exit code (1 when a check failed). */
function finishSanity(s) {
  const r = s.report;
  if (options.json)
    writeFileAtomic(
      resolve(options.json),
      `${JSON.stringify({ model: s.model, params: s.params, dataset: config.dataset, adapter: s.adapter, config, passed: r.passed, failed: r.failed, checks: r.checks, seconds: r.seconds }, null, 2)}\n`,
    );
  if (r.passed) {
    bar.log(`sanity: all ${r.checks.length} checks passed in ${r.seconds.toFixed(0)} s${options.json ? `; wrote ${options.json}` : ''}`);
    return 0;
  }
  bar.log(`sanity: FAILED: ${r.failed.join(', ')} (${r.failed.length} of ${r.checks.length} checks; their lines above say why); fix that before training`);
  return 1;
}

/** --ensemble: metrics.json (each member's figures and the ensemble's), --json, and the summary lines. */
function finishEnsemble(metrics) {
  const m = { runId: job.runId, step: null, weights: null, checkpoint: null, ...metrics, files: files.members.map((f) => basename(f)) };
  writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(m, null, 2)}\n`);
  if (options.json) writeFileAtomic(resolve(options.json), `${JSON.stringify(m, null, 2)}\n`);
  const e = m.ensemble;
  const members = e.members.map((x) => x.testAccuracy.toFixed(4)).join(', ');
  bar.log(
    `ensemble of ${e.size} (seeds ${e.seeds.join(', ')}): ${tested} accuracy ${e.testAccuracy.toFixed(4)}, loss ${e.testLoss.toFixed(4)} (${m.testExamples} images); the members ${members}: best ${e.bestMemberAccuracy.toFixed(4)}, mean ${e.meanMemberAccuracy.toFixed(4)}; ${m.totalSeconds.toFixed(0)} s`,
  );
  bar.log(`wrote ${m.files.map((f) => join(out, f)).join(', ')} and metrics.json${options.json ? ` and ${options.json}` : ''}`);
  return 0;
}

// Lavapipe is reached through Node on Dawn only.
const runtime = options.adapter === 'lavapipe' ? 'node' : options.runtime;
if (runtime === 'browser') {
  try {
    session = await openPageSession(root);
  } catch (e) {
    console.error(`train: could not start the browser or the server (nothing was trained): ${e.message.split('\n')[0]}`);
    process.exit(1);
  }
}
// --sanity and --ensemble end here, with their own files and summary.
if (options.sanity || options.ensemble) {
  let code = 0;
  try {
    const result = await train();
    code = options.sanity ? finishSanity(result.sanity) : finishEnsemble(result.metrics);
  } catch (e) {
    bar.log(`train ${options.sanity ? '--sanity' : '--ensemble'} failed: ${e.message}`);
    code = 1;
  } finally {
    await session?.close();
  }
  process.exit(code);
}
let exitCode = 0;
try {
  const result = await train();
  // The weights first (the job wrote them), then the report, then metrics.json naming the
  // weights' and the checkpoint's sha256: a kill before the last write leaves metrics.json
  // that does not claim these weights (weights: null, complete: false), and every file names its run.
  const m = record(result.metrics, result.weights);
  writeFileAtomic(join(out, 'report.html'), renderReport(m, result.filters, result.scenes));
  if (result.scenes) writeFileAtomic(join(out, 'scenes.png'), scenesPng(result.scenes, 2, { 'run-id': job.runId }));
  writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(m, null, 2)}\n`);
  if (options.json) writeFileAtomic(resolve(options.json), `${JSON.stringify(m, null, 2)}\n`);
  const exported = result.exported;
  if (m.diverged) {
    bar.log(`train: diverged (rule ${m.diverged.rule}): ${m.diverged.message}`);
    bar.log(
      m.epochsDone > 0
        ? `no weights.safetensors was written for this run; ${join(out, 'checkpoint.safetensors')} holds epoch ${m.epochsDone}, the last good checkpoint. metrics.json and report.html say what happened.`
        : `no epoch finished, so no weights were written; metrics.json and report.html in ${out} say what happened.`,
    );
    exitCode = 1;
  } else {
    bar.log(
      `${m.task === 'segment' ? `test pixel accuracy ${m.testAccuracy.toFixed(4)}, mean IoU ${m.testMeanIoU.toFixed(4)} (${m.testExamples} scenes)` : `${tested} accuracy ${m.testAccuracy.toFixed(4)} (${m.testExamples} images)`}; ${m.imagesPerSecond?.toFixed(1) ?? '-'} images/s training; ${m.dispatchesPerStep} dispatches, ${m.submitsPerStep} submit, ${m.readbacksPerStep} readback per step; ${m.totalSeconds.toFixed(0)} s`,
    );
    if (m.timeBudgetSeconds !== null)
      bar.log(
        `time budget ${formatDuration(m.timeBudgetSeconds * 1000)}${m.stoppedByBudget ? ' spent' : ' not reached'}: ${m.imagesSeen.toLocaleString('en-US')} images seen in ${m.trainSeconds.toFixed(0)} s of training (${(m.imagesSeen / m.trainExamples).toFixed(2)} epochs)`,
      );
    bar.log(
      `wrote ${join(out, 'weights.safetensors')}, checkpoint.safetensors, metrics.json, report.html${result.scenes ? ', scenes.png' : ''}${options.json ? ` and ${options.json}` : ''}${exported.length ? `; exported ${exported.join(', ')}` : ''}`,
    );
  }
} catch (e) {
  bar.log(`train failed: ${e.message}`);
  // --resume only where this run left a checkpoint: a failure before its first one (bad
  // data, a bad --init, no adapter) has nothing to continue, and a checkpoint of another
  // run in the folder is not this run's.
  bar.log(
    checkpointInOut
      ? `the last checkpoint of this run (step ${checkpointInOut.step}) is in ${out}: npm run train -- --resume ${out} continues from it`
      : `no checkpoint of this run was written (no epoch${options['checkpoint-every'] ? ' or --checkpoint-every point' : ''} finished), so there is nothing to resume: fix the cause and run the same command again`,
  );
  exitCode = 1;
} finally {
  await session?.close();
}
process.exit(exitCode);
