import { parseSafetensors, type NamedArray } from '../../src/io/safetensors';
import { torchStateDictLayout } from '../../src/io/torch_layout';
import type { Model } from '../../src/nn/model';
import { fixtureBytes } from './fixture_files';

/** max |a - b| / max |b|: the error of a tensor relative to its own scale. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relativeError: ${a.length} values against ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale || 1);
}

/** A fixture of scripts/torch_fixtures.py: its state dict's bytes and PyTorch's figures by name. */
export async function torchFixture(name: string): Promise<{ state: Uint8Array; expected: Map<string, NamedArray> }> {
  const state = await fixtureBytes(`torch/${name}.state.safetensors`);
  const expected = parseSafetensors(await fixtureBytes(`torch/${name}.expected.safetensors`), `${name}.expected.safetensors`);
  return { state, expected: new Map(expected.tensors.map((t) => [t.name, t])) };
}

/** [rows, cols] to [cols, rows]. */
export function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/**
 * Our gradients (by our parameter names, our layout) against PyTorch's (`grad.<torch key>`,
 * its layout): the relative error of every weight, keyed by the torch name.
 */
export function gradientErrors(model: Model, ours: Map<string, Float32Array>, expected: Map<string, NamedArray>, rename: Record<string, string> = {}): Map<string, number> {
  const back = new Map(Object.entries(rename).map(([from, to]) => [to, from]));
  const errors = new Map<string, number>();
  for (const t of torchStateDictLayout(model)) {
    if (t.ours === null || !ours.has(t.ours)) continue;
    const key = back.get(t.torch) ?? t.torch;
    const want = expected.get(`grad.${key}`);
    if (!want) throw new Error(`no PyTorch gradient for ${key}`);
    const got = ours.get(t.ours)!;
    errors.set(key, relativeError(t.transposed ? transposed(got, t.shape[1], t.shape[0]) : got, want.data));
  }
  return errors;
}
