import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import type { Model } from '../nn/model';
import type { Optimizer } from '../nn/optimizers';
import { parseSafetensors, serializeSafetensors, type NamedArray } from './safetensors';

/** Every tensor a checkpoint holds: the model's weights and state, and the optimizer's state. */
function checkpointTensors(model: Model, optimizer?: Optimizer): [string, Tensor][] {
  const tensors: [string, Tensor][] = model.params().map((p) => [p.name, p.tensor]);
  if (optimizer) for (const [name, t] of optimizer.namedState()) tensors.push([`optimizer.${name}`, t]);
  return tensors;
}

/**
 * The model's weights and state (and the optimizer's state and step count, if given)
 * as safetensors bytes. Writing them to disk atomically is the caller's part
 * (cli/atomic_write.mjs: temp file, fsync, rename).
 */
export async function saveCheckpoint(model: Model, optimizer?: Optimizer): Promise<Uint8Array> {
  const named = checkpointTensors(model, optimizer);
  const arrays: NamedArray[] = await Promise.all(named.map(async ([name, t]) => ({ name, shape: t.shape, data: await t.read() })));
  const metadata: Record<string, string> = { format: 'webgpu-cnn checkpoint 1', model: model.name };
  if (optimizer) {
    metadata.optimizer = optimizer.config.kind;
    metadata.optimizer_steps = String(optimizer.steps);
  }
  return serializeSafetensors(arrays, metadata);
}

/**
 * Loads a checkpoint into a built model (and optimizer). The whole file is parsed and
 * every name and shape checked against the model before any weight is written, so a
 * corrupt, truncated or mismatched file leaves the current weights untouched.
 */
export function loadCheckpoint(model: Model, bytes: Uint8Array, file: string, optimizer?: Optimizer): void {
  const parsed = parseSafetensors(bytes, file);
  const byName = new Map(parsed.tensors.map((t) => [t.name, t]));
  if (optimizer) {
    // Creates the optimizer's state tensors so they can be filled.
    for (const p of model.trainableParams()) optimizer.stateFor(p, model.backend);
  }
  const targets = checkpointTensors(model, optimizer).filter(([name]) => optimizer || !name.startsWith('optimizer.'));
  const missing = targets.filter(([name]) => !byName.has(name)).map(([name]) => name);
  if (missing.length > 0) throw new Error(`${file}: missing ${missing.length} tensor(s) of ${model.name}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
  const wanted = new Set(targets.map(([name]) => name));
  const extra = parsed.tensors.filter((t) => !wanted.has(t.name) && !(t.name.startsWith('optimizer.') && !optimizer));
  if (extra.length > 0) throw new Error(`${file}: tensor(s) not in ${model.name}: ${extra.slice(0, 5).map((t) => t.name).join(', ')}`);
  for (const [name, t] of targets) {
    const got = byName.get(name)!;
    if (formatShape(got.shape) !== formatShape(t.shape)) throw new Error(`${file}: tensor '${name}' has shape ${formatShape(got.shape)} but ${model.name} needs ${formatShape(t.shape)}`);
  }
  if (optimizer && parsed.metadata.optimizer && parsed.metadata.optimizer !== optimizer.config.kind) {
    throw new Error(`${file}: optimizer state is for ${parsed.metadata.optimizer}, not ${optimizer.config.kind}`);
  }
  for (const [name, t] of targets) t.write(byName.get(name)!.data);
  if (optimizer && parsed.metadata.optimizer_steps) optimizer.steps = Number(parsed.metadata.optimizer_steps);
}
