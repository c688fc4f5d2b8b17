import { parseSafetensors, type NamedArray } from '../../src/io/safetensors';
import { torchStateDictLayout } from '../../src/io/torch_layout';
import type { Model } from '../../src/nn/model';
import { relativeError, transposeMatrix } from '../../src/numerics';
import { fixtureBytes } from './fixture_files';

export { relativeError };

/** A fixture of scripts/torch_fixtures.py: its state dict's bytes and PyTorch's figures by name. */
export async function torchFixture(name: string): Promise<{ state: Uint8Array; expected: Map<string, NamedArray> }> {
  const state = await fixtureBytes(`torch/${name}.state.safetensors`);
  const expected = parseSafetensors(await fixtureBytes(`torch/${name}.expected.safetensors`), `${name}.expected.safetensors`);
  return { state, expected: new Map(expected.tensors.map((t) => [t.name, t])) };
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
    errors.set(key, relativeError(t.transposed ? transposeMatrix(got, t.shape[1], t.shape[0]) : got, want.data));
  }
  return errors;
}
