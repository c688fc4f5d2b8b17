// PyTorch state dicts in and out (safetensors files, as safetensors.torch.save_file
// writes them). Names and layouts map through torch_layout.ts, the one place that says
// where this engine differs from PyTorch.
import { formatShape } from '../shape';
import type { Model } from '../nn/model';
import { transposeMatrix } from '../numerics';
import { badValue } from './checkpoint';
import { isIntegerDtype, parseSafetensors, serializeSafetensors, type NamedArray } from './safetensors';
import { torchStateDictLayout, type TorchTensorName } from './torch_layout';

/** Whose names and layouts a state dict uses: PyTorch's (`weight`/`bias` of batch norm, Linear [out, in]) or this engine's. */
export type StateDictLayout = 'torch' | 'ours';

export interface LoadStateDictOptions {
  /** Default 'torch'. */
  layout?: StateDictLayout;
  /**
   * The file's keys to the model's (`{ 'fc1.weight': 'dense_1.weight' }`), or a function
   * returning the model's key, or null to leave a tensor out. Keys it does not name stay as they are.
   */
  rename?: Readonly<Record<string, string>> | ((key: string) => string | null);
  /**
   * Default true: every tensor of the model must be in the file and every tensor of the
   * file in the model, with the same shapes. False loads what matches and returns the rest
   * (a new head: the file's `fc.weight` of another class count is skipped).
   */
  strict?: boolean;
  /** The file's name, for errors (default 'state dict'). */
  file?: string;
}

/** A file tensor that was not loaded, and why. */
export interface SkippedTensor {
  readonly key: string;
  readonly reason: string;
}

export interface LoadStateDictResult {
  /** The model's parameters that took the file's values. */
  readonly loaded: string[];
  /** The file's tensors that were not loaded (only with strict: false, or renamed to null). */
  readonly skipped: SkippedTensor[];
  /** The model's parameters the file has no value for: they keep their current values (strict: false). */
  readonly missing: string[];
}

/** The tensors of a state dict of `model` in `layout`: keys, shapes and how each maps to a parameter. */
function layoutOf(model: Model, layout: StateDictLayout): TorchTensorName[] {
  if (layout === 'torch') return torchStateDictLayout(model);
  if (layout === 'ours') return model.params().map((p) => ({ torch: p.name, shape: p.spec.shape, ours: p.name, transposed: false }));
  throw new Error(`loadStateDict: layout must be 'torch' or 'ours', got ${JSON.stringify(layout)}`);
}

function renamer(rename: LoadStateDictOptions['rename']): (key: string) => string | null {
  if (rename === undefined) return (k) => k;
  if (typeof rename === 'function') return rename;
  return (k) => (Object.hasOwn(rename, k) ? rename[k] : k);
}

/**
 * Loads a PyTorch state dict (safetensors bytes) into a built model. Linear weights
 * are transposed, batch norm's weight/bias/running statistics mapped and
 * num_batches_tracked accepted; F16, BF16 and F64 values are converted to float32, an
 * integer tensor where a weight belongs is refused. Every name, shape and value is
 * checked before any weight is written, so a file that fails leaves the model as it was.
 */
export function loadStateDict(model: Model, bytes: Uint8Array, options: LoadStateDictOptions = {}): LoadStateDictResult {
  const file = options.file ?? 'state dict';
  const strict = options.strict ?? true;
  model.assertIdle('loadStateDict');
  const params = new Map(model.params().map((p) => [p.name, p]));
  const expected = new Map(layoutOf(model, options.layout ?? 'torch').map((t) => [t.torch, t]));
  const parsed = parseSafetensors(bytes, file);
  const rename = renamer(options.rename);
  const skipped: SkippedTensor[] = [];
  const extra: string[] = [];
  const mismatched: string[] = [];
  const writes: { name: string; data: Float32Array }[] = [];
  const provided = new Map<string, string>();
  for (const t of parsed.tensors) {
    const key = rename(t.name);
    if (key === null) {
      skipped.push({ key: t.name, reason: 'renamed to null' });
      continue;
    }
    const label = key === t.name ? `'${t.name}'` : `'${t.name}' (as '${key}')`;
    const other = provided.get(key);
    if (other !== undefined) throw new Error(`${file}: tensors '${other}' and '${t.name}' both map to '${key}' of ${model.name}`);
    provided.set(key, t.name);
    const target = expected.get(key);
    if (!target) {
      extra.push(t.name);
      skipped.push({ key: t.name, reason: `${model.name} has no tensor '${key}'` });
      continue;
    }
    if (target.ours === null) continue; // num_batches_tracked: PyTorch's counter, no counterpart here.
    const dtype = t.dtype ?? 'F32';
    if (isIntegerDtype(dtype))
      throw new Error(`${file}: tensor ${label} is ${dtype}, but ${target.ours} of ${model.name} is a float weight (F32, F16, BF16 or F64)`);
    if (formatShape(t.shape) !== formatShape(target.shape)) {
      const why = `has shape ${formatShape(t.shape)} but ${model.name} needs ${formatShape(target.shape)}${target.transposed ? ' (PyTorch Linear layout [out, in])' : ''}`;
      if (strict) {
        mismatched.push(`${file}: tensor ${label} ${why}`);
        continue;
      }
      skipped.push({ key: t.name, reason: why });
      provided.delete(key);
      continue;
    }
    const bad = badValue(target.ours, t.data);
    if (bad) throw new Error(`${file}: tensor ${label} ${bad}; nothing was loaded`);
    writes.push({ name: target.ours, data: target.transposed ? transposeMatrix(t.data, t.shape[0], t.shape[1]) : t.data });
  }
  const missing = [...expected.values()].filter((t) => t.ours !== null && !provided.has(t.torch)).map((t) => t.ours as string);
  if (strict && missing.length > 0) {
    const keys = [...expected.values()].filter((t) => t.ours !== null && !provided.has(t.torch)).map((t) => t.torch);
    throw new Error(
      `${file}: missing ${keys.length} tensor(s) of ${model.name}: ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', ...' : ''} (is it a state dict of another architecture? rename maps its keys; strict: false loads what matches)`,
    );
  }
  if (strict && extra.length > 0)
    throw new Error(`${file}: tensor(s) not in ${model.name}: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''} (strict: false skips them)`);
  if (mismatched.length > 0) throw new Error(mismatched[0] + (mismatched.length > 1 ? ` (and ${mismatched.length - 1} more)` : ''));
  for (const w of writes) params.get(w.name)!.tensor.write(w.data);
  return { loaded: writes.map((w) => w.name), skipped, missing };
}

export interface ExportStateDictOptions {
  /** Default 'torch'. */
  layout?: StateDictLayout;
}

/**
 * The model's weights and state as a PyTorch state dict (safetensors bytes that
 * `safetensors.torch.load_file` reads and `module.load_state_dict` takes): Linear weights
 * [out, in], batch norm as weight/bias/running_mean/running_var plus num_batches_tracked
 * (I64, 0: this engine does not count batches; PyTorch reads it only when momentum is None).
 */
export async function exportStateDict(model: Model, options: ExportStateDictOptions = {}): Promise<Uint8Array> {
  const params = new Map(model.params().map((p) => [p.name, p]));
  const tensors: NamedArray[] = [];
  for (const t of layoutOf(model, options.layout ?? 'torch')) {
    if (t.ours === null) {
      tensors.push({ name: t.torch, shape: [], data: new Float32Array(1), dtype: 'I64' });
      continue;
    }
    const p = params.get(t.ours)!;
    const data = await p.tensor.read();
    tensors.push({ name: t.torch, shape: t.shape, data: t.transposed ? transposeMatrix(data, p.spec.shape[0], p.spec.shape[1]) : data });
  }
  return serializeSafetensors(tensors, { format: 'pt' });
}
