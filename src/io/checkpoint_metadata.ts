// The string fields of a checkpoint's safetensors header, written and checked with the
// same care as its tensors: a field that does not parse exactly (optimizer_steps "abc",
// "-5", "1.5" or "1e3") is refused with the file and the field named, before anything
// is loaded. A loaded "-5" once made every weight of conv1 NaN one step later.

/**
 * Where a trainer stands in its data: epochs completed, steps run in the current epoch,
 * and that epoch's running sums, so that a run resumed mid-epoch (from a checkpoint)
 * continues the same data order and reports the epoch as the uninterrupted run would.
 */
export interface TrainingProgress {
  /** Epochs completed. */
  epoch: number;
  /** Steps run in the current (not yet completed) epoch. */
  batch: number;
  /** Sum of the finite step losses of the current epoch so far. */
  lossSum: number;
  /** Correct training predictions of the current epoch so far. */
  correct: number;
  /** Training examples of the current epoch so far. */
  seen: number;
  /** Steps of the current epoch whose loss was not finite (fit with onNonFinite: 'continue'). */
  nonFinite: number;
  /** Seconds the current epoch has trained so far. */
  seconds: number;
}

export const CHECKPOINT_FORMAT = 'webgpu-cnn checkpoint 1';

/**
 * The fields by which a file of `npm run train` says which run wrote it and where that
 * run stood: its run id (random, kept across --resume) and its optimizer step count.
 * metrics.json carries the same as `runId` and `step`, and names the sha256 of the
 * weights and the checkpoint it describes (`weights`, `checkpoint`).
 */
export const RUN_ID = 'run_id';
export const RUN_STEP = 'step';

const OPTIMIZERS = ['sgd', 'adam', 'adamw'];

/** What the metadata says, parsed. */
export interface CheckpointInfo {
  optimizer: string | null;
  optimizerSteps: number | null;
  /** The learning-rate factor a callback set (reduce-on-plateau), when it is not 1. */
  lrFactor: number | null;
  progress: TrainingProgress | null;
  /** The run that wrote the file, and its step count then (files of npm run train). */
  runId: string | null;
  step: number | null;
}

const PROGRESS_FIELDS = {
  epoch: 'epoch',
  batch: 'epoch_step',
  lossSum: 'epoch_loss_sum',
  correct: 'epoch_correct',
  seen: 'epoch_seen',
  nonFinite: 'epoch_non_finite_steps',
  seconds: 'epoch_seconds',
} as const satisfies Record<keyof TrainingProgress, string>;

/** Adds a trainer's progress to a header's fields (numbers as strings that read back exactly). */
export function writeProgress(metadata: Record<string, string>, p: TrainingProgress): void {
  for (const [key, field] of Object.entries(PROGRESS_FIELDS)) metadata[field] = String(p[key as keyof TrainingProgress]);
}

/** A count: decimal digits only, no sign, no exponent, no leading zeros, within 2^53. */
function count(file: string, field: string, value: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new Error(`${file}: metadata field '${field}' must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** A finite non-negative decimal number (a sum of losses, seconds). */
function amount(file: string, field: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !/^[0-9.e+-]+$/i.test(value) || !Number.isFinite(n) || n < 0) {
    throw new Error(`${file}: metadata field '${field}' must be a finite non-negative number, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Checks every field this engine reads; unknown fields (a run's configuration, say) are
 * left to their readers. `scoredPerExample` bounds the correct answers an example can
 * count in the epoch's progress: 1 for a class per example (the default), more where every
 * output value is scored (a label per pixel, binary cross-entropy): at most the output's size.
 */
export function readCheckpointMetadata(metadata: Record<string, string>, file: string, scoredPerExample = 1): CheckpointInfo {
  const format = metadata.format;
  if (format !== undefined && format !== CHECKPOINT_FORMAT)
    throw new Error(`${file}: metadata field 'format' is ${JSON.stringify(format)}; this engine reads ${JSON.stringify(CHECKPOINT_FORMAT)}`);
  const optimizer = metadata.optimizer ?? null;
  if (optimizer !== null && !OPTIMIZERS.includes(optimizer))
    throw new Error(`${file}: metadata field 'optimizer' must be one of ${OPTIMIZERS.join(', ')}, got ${JSON.stringify(optimizer)}`);
  const optimizerSteps = metadata.optimizer_steps === undefined ? null : count(file, 'optimizer_steps', metadata.optimizer_steps);
  const lrFactor = metadata.optimizer_lr_factor === undefined ? null : amount(file, 'optimizer_lr_factor', metadata.optimizer_lr_factor);
  if (lrFactor === 0) throw new Error(`${file}: metadata field 'optimizer_lr_factor' is 0, which would stop every update`);
  const runId = metadata[RUN_ID] ?? null;
  if (runId !== null && !/^[A-Za-z0-9._-]{1,100}$/.test(runId))
    throw new Error(`${file}: metadata field '${RUN_ID}' must be a run id (letters, digits, '.', '_', '-'), got ${JSON.stringify(runId)}`);
  const step = metadata[RUN_STEP] === undefined ? null : count(file, RUN_STEP, metadata[RUN_STEP]);
  const present = Object.values(PROGRESS_FIELDS).filter((f) => metadata[f] !== undefined);
  let progress: TrainingProgress | null = null;
  if (present.length > 0) {
    const absent = Object.values(PROGRESS_FIELDS).filter((f) => metadata[f] === undefined);
    if (absent.length > 0) throw new Error(`${file}: the training progress is incomplete: metadata field(s) ${absent.map((f) => `'${f}'`).join(', ')} missing`);
    const f = PROGRESS_FIELDS;
    progress = {
      epoch: count(file, f.epoch, metadata[f.epoch]),
      batch: count(file, f.batch, metadata[f.batch]),
      lossSum: amount(file, f.lossSum, metadata[f.lossSum]),
      correct: count(file, f.correct, metadata[f.correct]),
      seen: count(file, f.seen, metadata[f.seen]),
      nonFinite: count(file, f.nonFinite, metadata[f.nonFinite]),
      seconds: amount(file, f.seconds, metadata[f.seconds]),
    };
    if (progress.correct > progress.seen * scoredPerExample)
      throw new Error(
        `${file}: metadata says ${progress.correct} correct of ${progress.seen} examples seen this epoch${scoredPerExample > 1 ? ` (at most ${scoredPerExample} scored values each)` : ''}`,
      );
    if (progress.nonFinite > progress.batch)
      throw new Error(`${file}: metadata says ${progress.nonFinite} non-finite steps of ${progress.batch} run this epoch`);
    if (progress.batch === 0 && (progress.seen > 0 || progress.lossSum > 0))
      throw new Error(`${file}: metadata says no step of the epoch has run, yet ${progress.seen} examples were seen`);
    if (optimizerSteps !== null && optimizerSteps < progress.batch)
      throw new Error(`${file}: metadata says ${progress.batch} steps into the epoch but only ${optimizerSteps} optimizer steps in all`);
  }
  return { optimizer, optimizerSteps, lrFactor, progress, runId, step };
}

/** What metrics.json says of one file of its run: the sha256 and step it was written with. */
interface RunFileEntry {
  sha256?: unknown;
  step?: unknown;
}

/**
 * Whether a weights or checkpoint file of `npm run train` and the run's metrics.json
 * agree: the same run id, and the file is the one metrics.json names (its sha256).
 * Returns why not, or null. `metadata` is the file's safetensors metadata, `sha256` the
 * hex digest of its bytes.
 */
export function runFileDisagreement(file: string, metadata: Record<string, string>, sha256: string, metrics: unknown): string | null {
  const m = (metrics ?? {}) as { runId?: unknown; weights?: RunFileEntry | null; checkpoint?: RunFileEntry | null; complete?: unknown };
  if (typeof m.runId !== 'string') return null; // metrics of a run before run ids: nothing to compare
  const runId = metadata[RUN_ID];
  if (runId === undefined) return `${file} names no run, but metrics.json is of run ${m.runId}: they are not files of one run`;
  if (runId !== m.runId) return `${file} was written by run ${runId}, but metrics.json is of run ${m.runId}: they are files of two different runs`;
  const named = [m.weights, m.checkpoint].filter((e): e is RunFileEntry => !!e && typeof e === 'object');
  if (named.some((e) => e.sha256 === sha256)) return null;
  const at = metadata[RUN_STEP] === undefined ? '' : ` (step ${metadata[RUN_STEP]})`;
  const names = (['weights', 'checkpoint'] as const).filter((k) => m[k] && typeof m[k] === 'object').map((k) => `the ${k} of step ${String(m[k]!.step)}`);
  return `${file}${at} is of run ${runId}, but it is not a file metrics.json names (${names.length ? `it names ${names.join(' and ')}, with other sha256` : 'it names none'}): one of them is older than the other`;
}
