// The initial weights of the trajectory fixtures (scripts/torch_trajectory.py, hash_init),
// computed here the same way, value for value: every convolution and dense weight and bias
// uniform in [-b, b), b = 1 / sqrt(fan_in), from a 32-bit hash of its PyTorch key and the
// index; batch norm at PyTorch's defaults. No weight file travels: both sides compute them.
import { serializeSafetensors, type NamedArray } from '../../src/io/safetensors';
import { torchStateDictLayout } from '../../src/io/torch_layout';
import type { Model } from '../../src/nn/model';
import { sizeOf } from '../../src/shape';

function mix(x: number): number {
  let v = x >>> 0;
  v ^= v >>> 16;
  v = Math.imul(v, 0x7feb352d) >>> 0;
  v ^= v >>> 15;
  v = Math.imul(v, 0x846ca68b) >>> 0;
  v ^= v >>> 16;
  return v >>> 0;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** n values in [0, 1): mix(i * 0x9e3779b9 + mix(fnv1a(key))) / 2^32. */
export function hashUniform(key: string, n: number): Float64Array {
  const seed = mix(fnv1a(key));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mix((Math.imul(i, 0x9e3779b9) + seed) >>> 0) / 4294967296;
  return out;
}

/** The hash weights of `model` as a PyTorch state dict (safetensors bytes for loadStateDict). */
export function hashInitStateDict(model: Model): Uint8Array {
  const layout = torchStateDictLayout(model);
  const shapes = new Map(layout.map((t) => [t.torch, t.shape]));
  const bnDefaults: Record<string, number> = { weight: 1, bias: 0, running_mean: 0, running_var: 1 };
  const tensors: NamedArray[] = layout.map((t) => {
    if (t.ours === null) return { name: t.torch, shape: [], data: new Float32Array(1), dtype: 'I64' };
    const n = sizeOf(t.shape);
    const dot = t.torch.lastIndexOf('.');
    const [module, leaf] = [t.torch.slice(0, dot), t.torch.slice(dot + 1)];
    if (model.layer(module).kind === 'batch_norm') return { name: t.torch, shape: t.shape, data: new Float32Array(n).fill(bnDefaults[leaf]) };
    const weight = shapes.get(`${module}.weight`)!;
    const bound = 1 / Math.sqrt(sizeOf(weight.slice(1)));
    const u = hashUniform(t.torch, n);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (2 * u[i] - 1) * bound;
    return { name: t.torch, shape: t.shape, data };
  });
  return serializeSafetensors(tensors, { format: 'pt' });
}
