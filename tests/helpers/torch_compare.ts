import { parseSafetensors, type NamedArray } from '../../src/io/safetensors';
import type { Model } from '../../src/nn/model';
import { torchGradientErrors } from '../../tools/jobs/torch_check';
import { relativeError } from '../../src/numerics';
import { fixtureBytes } from './fixture_files';

export { relativeError };

/** A fixture of scripts/torch_fixtures.py: its state dict's bytes and PyTorch's figures by name. */
export async function torchFixture(name: string): Promise<{ state: Uint8Array; expected: Map<string, NamedArray> }> {
  const state = await fixtureBytes(`torch/${name}.state.safetensors`);
  const expected = parseSafetensors(await fixtureBytes(`torch/${name}.expected.safetensors`), `${name}.expected.safetensors`);
  return { state, expected: new Map(expected.tensors.map((t) => [t.name, t])) };
}

/**
 * Our gradients against PyTorch's (`grad.<file key>`): the relative error of every weight,
 * keyed by the file's key (a rename table maps the file's keys to the model's).
 */
export function gradientErrors(
  model: Model,
  ours: Map<string, Float32Array>,
  expected: Map<string, NamedArray>,
  rename: Record<string, string> = {},
): Map<string, number> {
  const back = new Map(Object.entries(rename).map(([from, to]) => [to, from]));
  const fileKey = (key: string) => back.get(key) ?? key;
  const errors = torchGradientErrors(model, ours, (key) => expected.get(`grad.${fileKey(key)}`)?.data);
  return new Map([...errors].map(([key, error]) => [fileKey(key), error]));
}
