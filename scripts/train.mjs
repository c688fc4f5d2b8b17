#!/usr/bin/env node
// `npm run train -- [--model conv-bn] [--dataset fashion-mnist] [--epochs 3] [--batch 64]
//   [--optimizer adam] [--lr 2e-3] [--schedule constant|cosine|step|exponential] [--warmup STEPS]
//   [--augment [full|flip]] [--limit N] [--test-limit N] [--pad PIXELS] [--backend webgpu|cpu] [--seed S]
//   [--autotune full|budget|off] [--tuning FILE] [--checkpoint-every STEPS] [--json FILE] [--out DIR]
//   [--init FILE.onnx|FILE.safetensors] [--export-onnx FILE] [--export-torch FILE] [--runtime browser|node]
//   [--divergence-factor 1000|off] [--on-diverge stop|warn]`
// `npm run train -- --resume DIR [--epochs N] [--checkpoint-every STEPS] [--json FILE]`
//
// --init starts from a file: a .onnx network to fine-tune (it replaces --model), or a
// safetensors state dict for --model (PyTorch's names and layouts, or a checkpoint of
// this engine; a head of another class count keeps fresh weights). --export-onnx and
// --export-torch also write the trained model as ONNX and as a PyTorch state dict.
//
// Training stops as diverged, with the last good weights kept, when a loss is NaN or
// infinite, above --divergence-factor times its lowest so far (default 1000; off turns
// it off), or when an epoch after the first ends no better than always guessing the most
// common class. --on-diverge warn reports the last two and trains on. The rule that
// fired is printed and recorded in metrics.json (diverged.rule, warnings).
//
// Checks that --out is writable and locks it (run.lock: one run per folder; a second run
// exits 2), sets up what is missing, serves the engine with Vite, trains in headless
// Chromium (WebGPU) on the real dataset from /usr/share/datasets with
// a progress bar, and writes to --out (each file atomically): checkpoint.safetensors and
// metrics.json after every epoch (and every --checkpoint-every steps), then
// weights.safetensors, report.html and metrics.json (naming the weights' and checkpoint's
// sha256). Every file names the run (a random id) and its step. --resume DIR continues a
// stopped or killed run from its checkpoint, with the same data order: the result is the
// run's; it checks the checkpoint against metrics.json first.
// metrics.json records the kernel variant every kernel ran (`tuning`); --tuning FILE (a
// metrics.json) replays those choices, so the same seed gives the same weights anywhere
// the adapter offers them.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../cli/atomic_write.mjs';
import { ProgressBar } from '../cli/progress.mjs';
import { renderReport } from '../cli/report.mjs';
import { runNodeJob } from '../cli/node_job.mjs';
import { openPageSession } from '../cli/page_session.mjs';
import { checkResumeFolder, fileRecord, openRunFolder, removeOtherRuns, safetensorsMetadataOf } from '../cli/run_folder.mjs';
import { exitOnSignals } from '../cli/run_lock.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const defaults = { runtime: 'browser', model: 'conv-bn', dataset: 'fashion-mnist', epochs: 3, batch: 64, optimizer: 'adam', lr: 2e-3, schedule: 'cosine', augment: false, backend: 'webgpu', seed: 1, autotune: 'on', 'on-diverge': 'stop', 'divergence-factor': 1000 };
const numeric = new Set(['epochs', 'batch', 'lr', 'limit', 'test-limit', 'seed', 'warmup', 'checkpoint-every', 'pad']);
const paths = new Set(['json', 'out', 'resume', 'init', 'export-onnx', 'export-torch', 'tuning']);
const choices = { runtime: ['browser', 'node'], optimizer: ['sgd', 'momentum', 'nesterov', 'adam', 'adamw'], backend: ['webgpu', 'cpu'], dataset: ['fashion-mnist', 'mnist'], schedule: ['constant', 'cosine', 'step', 'exponential'], autotune: ['full', 'budget', 'off', 'on'], 'on-diverge': ['stop', 'warn'] };
/** What may accompany --resume: the run's configuration comes from its checkpoint. */
const withResume = new Set(['resume', 'epochs', 'checkpoint-every', 'json', 'out', 'export-onnx', 'export-torch', 'runtime']);

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
      console.log(lines.slice(1, lines.findIndex((l, i) => i > 0 && !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
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
    if (!(key in defaults) && !numeric.has(key) && !paths.has(key)) throw new Error(`train: unknown option --${key} (see --help)`);
    const value = argv[++i];
    if (value === undefined) throw new Error(`train: --${key} needs a value`);
    if (key === 'divergence-factor') {
      const n = Number(value);
      if (value !== 'off' && !(Number.isFinite(n) && n > 1)) throw new Error(`train: --divergence-factor must be a number above 1 or off, got '${value}'`);
      o[key] = value === 'off' ? 'off' : n;
    } else if (numeric.has(key)) {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0 || (key !== 'lr' && !Number.isInteger(n))) throw new Error(`train: --${key} must be a positive ${key === 'lr' ? 'number' : 'integer'}, got '${value}'`);
      o[key] = n;
    } else {
      if (choices[key] && !choices[key].includes(value)) throw new Error(`train: --${key} must be one of ${choices[key].join(', ')}, got '${value}'`);
      o[key] = value;
    }
  }
  if (o.resume) {
    const extra = Object.keys(o).filter((k) => !withResume.has(k));
    if (extra.length > 0) throw new Error(`train: --resume takes the run's configuration from its checkpoint; it cannot be given with ${extra.map((k) => `--${k}`).join(', ')} (only --epochs, --checkpoint-every, --json, --out, --export-onnx and --export-torch)`);
  }
  return o;
}

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

/** The job's configuration: from the options, or from the checkpoint of the run being resumed. */
function jobOf(o) {
  if (!o.resume) {
    const c = { ...defaults, ...o };
    const config = {
      model: c.model, dataset: c.dataset, epochs: c.epochs, batch: c.batch, optimizer: c.optimizer, lr: c.lr, schedule: c.schedule, warmupSteps: c.warmup,
      augment: c.augment, limit: c.limit, testLimit: c['test-limit'], pad: c.pad, backend: c.backend, seed: c.seed, autotune: c.autotune === 'on' ? 'full' : c.autotune,
      divergenceFactor: c['divergence-factor'], onDiverge: c['on-diverge'],
      tuning: o.tuning ? tuningOf(o.tuning) : undefined,
      init: o.init ? resolve(o.init) : undefined,
    };
    if (config.limit !== undefined && config.limit < config.batch) throw new Error(`train: --limit ${config.limit} is fewer examples than one batch of ${config.batch}; lower --batch or raise --limit`);
    return { config, out: resolve(o.out ?? 'runs/latest'), resumeBase64: undefined, initBase64: initBytes(config.init), runId: randomUUID(), notes: [], checkpoint: null };
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
  if (o.epochs) config.epochs = o.epochs;
  // The folder's files must be of one run: the checkpoint's run id against metrics.json's (repaired or refused).
  const { runId, checkpoint, notes } = checkResumeFolder(dir, metadata, bytes);
  const out = resolve(o.out ?? dir);
  // A run that started from a .onnx needs the file again for its architecture; the weights come from the checkpoint.
  return { config, out, resumeBase64: bytes.toString('base64'), at: metadata, initBase64: initBytes(config.init), runId, notes, checkpoint: out === dir ? checkpoint : null };
}

/** The --init file as base64 for the page, read now so a missing file fails before the browser starts. */
function initBytes(path) {
  if (!path) return undefined;
  if (!/\.(onnx|safetensors)$/i.test(path)) throw new Error(`train: --init ${path}: give a .onnx network or a .safetensors state dict (PyTorch's, or a checkpoint of this engine)`);
  try {
    return readFileSync(path).toString('base64');
  } catch (e) {
    throw new Error(`train: --init ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

let options;
let job;
/** The browser session, once open: its own signal handlers close it and exit. */
let session;
// Ctrl-C or a kill: exit through process.exit, so the folder's lock is released (the
// browser session's handlers do the same after closing the browser).
exitOnSignals({ unless: () => session !== undefined, onSignal: (signal) => console.error(`\n${signal}: stopping`) });
try {
  options = parseArgs(process.argv.slice(2));
  // A new run's options are checked before the folder is touched; a resumed run's
  // checkpoint is read under the folder's lock, so no other run changes it meanwhile.
  if (!options.resume) job = jobOf(options);
  const out = resolve(options.out ?? options.resume ?? 'runs/latest');
  // Before anything is trained: a run that cannot be written, or a folder another run
  // writes (run.lock), is refused now, not after hours.
  const { removed } = openRunFolder(out, { command: 'train' });
  if (removed.length > 0) console.error(`removed ${removed.length} temporary file(s) a killed run left in ${out}`);
  if (options.resume) job = jobOf(options);
  for (const note of job.notes) console.error(note);
  if (job.checkpoint) for (const line of removeOtherRuns(out, job.runId)) console.error(line);
} catch (e) {
  console.error(e.message);
  process.exit(2);
}

const { config, out } = job;
const bar = new ProgressBar();
const jobOptions = { resumeBase64: job.resumeBase64, checkpointEvery: options['checkpoint-every'], initBase64: job.initBase64, exportOnnx: !!options['export-onnx'], exportTorch: !!options['export-torch'], runId: job.runId };

function onProgress(p) {
  if (p.kind === 'resume') bar.log(`resuming ${out} at epoch ${p.epoch + 1}, step ${p.batch} (optimizer step ${p.steps})`);
  const some = (list) => `${list.length}: ${list.slice(0, 3).join(', ')}${list.length > 3 ? `, and ${list.length - 3} more (metrics.json lists them)` : ''}`;
  if (p.kind === 'start' && p.init) bar.log(`initial weights from ${p.init.file} (${p.init.kind}): ${p.init.loaded} tensors loaded${p.init.skipped.length ? `; skipped ${some(p.init.skipped)}` : ''}${p.init.missing.length ? `; kept fresh ${some(p.init.missing)}` : ''}`);
  if (p.kind === 'start') bar.log(`training ${p.model} (${p.params.toLocaleString('en-US')} parameters) on ${config.dataset}: ${p.trainExamples} train / ${p.testExamples} test examples, ${p.stepsPerEpoch} steps per epoch, batch ${config.batch}, ${config.optimizer} lr ${config.lr}; ${config.backend} (${p.adapter})${runtime === 'node' ? ', in Node' : ''}`);
  if (p.kind === 'batch') bar.update({ ...p, epochs: config.epochs });
  if (p.kind === 'epoch') bar.log(`epoch ${p.epoch}/${config.epochs}: loss ${p.loss.toFixed(4)}, train accuracy ${p.accuracy.toFixed(4)}, test loss ${p.testLoss.toFixed(4)}, test accuracy ${p.testAccuracy.toFixed(4)}, ${p.seconds.toFixed(1)} s, ${p.imagesPerSecond.toFixed(1)} images/s`);
  if (p.kind === 'epoch') for (const w of p.warnings ?? []) bar.log(`warning (rule ${w.rule}, --on-diverge warn): ${w.message}`);
}

/** The checkpoint of this run in --out (sha256, step), once there is one: metrics.json names it. */
let checkpointInOut = job.checkpoint;

/**
 * metrics.json as written: the run's id and step, and the files it describes by sha256
 * (weights: null until the run's weights are written). `complete` only once they are.
 */
function record(metrics, weights) {
  return { runId: job.runId, step: weights?.step ?? checkpointInOut?.step ?? null, weights, checkpoint: checkpointInOut, ...metrics, complete: !!metrics.complete && weights !== null };
}

// Each checkpoint first, then the metrics that name it (epochsDone): a kill between
// the two leaves the newer checkpoint, which --resume reads, beside older metrics.
// Once the run's first checkpoint is in place, files of a previous run in the folder go.
function onCheckpoint(checkpointBase64, metrics) {
  const bytes = Buffer.from(checkpointBase64, 'base64');
  writeFileAtomic(join(out, 'checkpoint.safetensors'), bytes);
  const first = checkpointInOut === null;
  checkpointInOut = fileRecord(bytes, 'checkpoint.safetensors');
  writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(record(metrics, null), null, 2)}\n`);
  if (first) for (const line of removeOtherRuns(out, job.runId)) bar.log(line);
}

/** The job in headless Chromium (the default): the page runs it and calls back through exposed functions. */
async function inBrowser() {
  const { page } = session;
  page.on('pageerror', (e) => bar.log(`page error: ${e.message}`));
  await page.exposeFunction('reportProgress', onProgress);
  await page.exposeFunction('saveRunCheckpoint', onCheckpoint);
  await page.goto(session.url('/demo/train_job.html'));
  await page.waitForFunction(() => typeof window.runTraining === 'function');
  return page.evaluate(([c, o]) => window.runTraining(c, o), [config, jobOptions]);
}

/** The job in a Node process on Dawn (--runtime node): the job goes in on stdin, one JSON message a line comes out. */
async function inNode() {
  let result = null;
  let failure = null;
  const code = await runNodeJob(root, 'src/app/train_node_main.ts', { config, ...jobOptions, tuneFile: join(root, '.cache', 'autotune.json') }, (m) => {
    if (m.kind === 'progress') onProgress(m.progress);
    else if (m.kind === 'checkpoint') onCheckpoint(m.checkpointBase64, m.metrics);
    else if (m.kind === 'result') result = m.result;
    else if (m.kind === 'error') failure = m.message;
  });
  if (!result) throw new Error(failure ?? `the Node training process exited with ${code}`);
  return result;
}

const runtime = options.runtime ?? 'browser';
if (runtime === 'browser') {
  try {
    session = await openPageSession(root);
  } catch (e) {
    console.error(`train: could not start the browser or the server (nothing was trained): ${e.message.split('\n')[0]}`);
    process.exit(1);
  }
}
let exitCode = 0;
try {
  const result = runtime === 'node' ? await inNode() : await inBrowser();
  // The weights first, then the report, then metrics.json naming the weights' and the
  // checkpoint's sha256: a kill before the last write leaves metrics.json that does not
  // claim these weights (weights: null, complete: false), and every file names its run.
  const weights = result.weightsBase64 ? Buffer.from(result.weightsBase64, 'base64') : null;
  if (weights) writeFileAtomic(join(out, 'weights.safetensors'), weights);
  const m = record(result.metrics, weights && fileRecord(weights, 'weights.safetensors'));
  writeFileAtomic(join(out, 'report.html'), renderReport(m, result.filters));
  writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(m, null, 2)}\n`);
  if (options.json) writeFileAtomic(resolve(options.json), `${JSON.stringify(m, null, 2)}\n`);
  const exported = [];
  for (const [option, data] of [['export-onnx', result.onnxBase64], ['export-torch', result.torchBase64]]) {
    if (!options[option] || !data) continue;
    writeFileAtomic(resolve(options[option]), Buffer.from(data, 'base64'));
    exported.push(resolve(options[option]));
  }
  if (m.diverged) {
    bar.log(`train: diverged (rule ${m.diverged.rule}): ${m.diverged.message}`);
    bar.log(
      m.epochsDone > 0
        ? `no weights.safetensors was written for this run; ${join(out, 'checkpoint.safetensors')} holds epoch ${m.epochsDone}, the last good checkpoint. metrics.json and report.html say what happened.`
        : `no epoch finished, so no weights were written; metrics.json and report.html in ${out} say what happened.`,
    );
    exitCode = 1;
  } else {
    bar.log(`test accuracy ${m.testAccuracy.toFixed(4)} (${m.testExamples} images); ${m.imagesPerSecond?.toFixed(1) ?? '-'} images/s training; ${m.dispatchesPerStep} dispatches, ${m.submitsPerStep} submit, ${m.readbacksPerStep} readback per step; ${m.totalSeconds.toFixed(0)} s`);
    bar.log(`wrote ${join(out, 'weights.safetensors')}, checkpoint.safetensors, metrics.json, report.html${options.json ? ` and ${options.json}` : ''}${exported.length ? `; exported ${exported.join(', ')}` : ''}`);
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
