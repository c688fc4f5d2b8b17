import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import type { Backend } from '../backends/backend';
import type { Model, ModelParam } from '../nn/model';
import { parseSafetensors, serializeSafetensors, type NamedArray } from './safetensors';
import { readCheckpointMetadata, writeProgress, CHECKPOINT_FORMAT, type TrainingProgress } from './checkpoint_metadata';

/**
 * What a checkpoint keeps of an optimizer (training/optimizers.ts's Optimizer): its kind,
 * step count, learning-rate factor and state tensors. Declared here so that io does not
 * import the training layer above it.
 */
export interface CheckpointOptimizer {
  readonly config: { readonly kind: string };
  steps: number;
  lrFactor: number;
  /** The state tensors by `<weight>.<state>` name. */
  namedState(): [string, Tensor][];
  /** Creates (once) and returns the state tensors of one weight. */
  stateFor(param: ModelParam, backend: Backend): Tensor[];
}

/** Every tensor a checkpoint holds: the model's weights and state, and the optimizer's state (`optimizer.<weight>.<state>`). */
export function checkpointTensors(model: Model, optimizer?: CheckpointOptimizer): [string, Tensor][] {
  const tensors: [string, Tensor][] = model.params().map((p) => [p.name, p.tensor]);
  if (optimizer) for (const [name, t] of optimizer.namedState()) tensors.push([`optimizer.${name}`, t]);
  return tensors;
}

export interface SaveCheckpointOptions {
  /** A trainer's progress (epoch, step, the epoch's running sums), for an exact resume. */
  progress?: TrainingProgress;
  /** More string fields for the header (a run's configuration, say); the checkpoint's own keys win. */
  metadata?: Record<string, string>;
}

/**
 * The model's weights and state (and the optimizer's state and step count, if given)
 * as safetensors bytes. Writing them to disk atomically is the caller's part
 * (cli/atomic_write.mjs: temp file, fsync, rename).
 */
export async function saveCheckpoint(model: Model, optimizer?: CheckpointOptimizer, options: SaveCheckpointOptions = {}): Promise<Uint8Array> {
  const named = checkpointTensors(model, optimizer);
  const arrays: NamedArray[] = await Promise.all(named.map(async ([name, t]) => ({ name, shape: t.shape, data: await t.read() })));
  const metadata: Record<string, string> = { ...options.metadata, format: CHECKPOINT_FORMAT, model: model.name };
  if (optimizer) {
    metadata.optimizer = optimizer.config.kind;
    metadata.optimizer_steps = String(optimizer.steps);
    if (optimizer.lrFactor !== 1) metadata.optimizer_lr_factor = String(optimizer.lrFactor);
  }
  if (options.progress) writeProgress(metadata, options.progress);
  return serializeSafetensors(arrays, metadata);
}

export interface LoadedCheckpoint {
  /** The file's metadata (every field already checked). */
  metadata: Record<string, string>;
  /** The trainer progress the file records, if it records one. */
  progress: TrainingProgress | null;
}

/** The first value of a tensor that a checkpoint must not hold: NaN or infinite anywhere, negative in a variance. */
export function badValue(name: string, data: Float32Array): string | null {
  const variance = name.endsWith('.running_var') || (name.startsWith('optimizer.') && name.endsWith('.v'));
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) return `holds ${v} at index ${i}`;
    if (variance && v < 0) return `is a variance but holds ${v} at index ${i}`;
  }
  return null;
}

/**
 * Loads a checkpoint into a built model (and optimizer). The whole file is parsed and
 * every name, shape, value (finite; variances not negative) and metadata field checked
 * before any weight is written, so a corrupt, truncated or mismatched file leaves the
 * current weights untouched.
 */
export function loadCheckpoint(
  model: Model,
  bytes: Uint8Array,
  file: string,
  optimizer?: CheckpointOptimizer,
  scoredPerExample = model.output.shape.length === 3 ? model.output.shape[1] * model.output.shape[2] : 1,
): LoadedCheckpoint {
  model.assertIdle('loadCheckpoint');
  const parsed = parseSafetensors(bytes, file);
  // The epoch's correct answers per example: one class, or (by default for [classes, h, w] outputs) one label per pixel.
  const info = readCheckpointMetadata(parsed.metadata, file, scoredPerExample);
  const byName = new Map(parsed.tensors.map((t) => [t.name, t]));
  if (optimizer) {
    // Creates the optimizer's state tensors so they can be filled.
    for (const p of model.trainableParams()) optimizer.stateFor(p, model.backend);
  }
  const targets = checkpointTensors(model, optimizer).filter(([name]) => optimizer || !name.startsWith('optimizer.'));
  const missing = targets.filter(([name]) => !byName.has(name)).map(([name]) => name);
  if (missing.length > 0)
    throw new Error(`${file}: missing ${missing.length} tensor(s) of ${model.name}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
  const wanted = new Set(targets.map(([name]) => name));
  const extra = parsed.tensors.filter((t) => !wanted.has(t.name) && !(t.name.startsWith('optimizer.') && !optimizer));
  if (extra.length > 0)
    throw new Error(
      `${file}: tensor(s) not in ${model.name}: ${extra
        .slice(0, 5)
        .map((t) => t.name)
        .join(', ')}`,
    );
  for (const [name, t] of targets) {
    const got = byName.get(name)!;
    if (formatShape(got.shape) !== formatShape(t.shape))
      throw new Error(`${file}: tensor '${name}' has shape ${formatShape(got.shape)} but ${model.name} needs ${formatShape(t.shape)}`);
    if ((got.dtype ?? 'F32') !== 'F32')
      throw new Error(`${file}: tensor '${name}' is ${got.dtype}; checkpoints of this engine hold F32 (use loadStateDict for other files)`);
    const bad = badValue(name, got.data);
    if (bad) throw new Error(`${file}: tensor '${name}' ${bad}; a checkpoint of a diverged or corrupted run is not loaded`);
  }
  const hasOptimizerState = parsed.tensors.some((t) => t.name.startsWith('optimizer.'));
  if (optimizer) {
    if (info.optimizer && info.optimizer !== optimizer.config.kind)
      throw new Error(`${file}: optimizer state is for ${info.optimizer}, not ${optimizer.config.kind}`);
    if (hasOptimizerState && info.optimizerSteps === null)
      throw new Error(`${file}: the file has optimizer state but no optimizer_steps (Adam's bias corrections need it)`);
  }
  for (const [name, t] of targets) t.write(byName.get(name)!.data);
  if (optimizer && info.optimizerSteps !== null) optimizer.steps = info.optimizerSteps;
  if (optimizer) optimizer.lrFactor = info.lrFactor ?? 1;
  return { metadata: parsed.metadata, progress: info.progress };
}
