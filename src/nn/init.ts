import type { Random } from '../random';
import { sizeOf } from '../shape';
import type { ParamSpec } from './layer';

/** The std of the 'small' initialisation: CS231n's 0.01 * randn. */
export const SMALL_STD = 0.01;

/**
 * First values of a parameter from a seeded generator:
 * - he: normal with std sqrt(2 / fanIn) (keeps ReLU activations' variance);
 * - glorot: uniform in +-sqrt(6 / (fanIn + fanOut));
 * - small: normal with std 0.01 (the zoo's classifier heads: logits near 0 at first, so
 *   the loss starts at ln(classes), the loss of a uniform guess; see sanityCheck);
 * - zeros / ones (biases, batch-norm shift/scale and running statistics).
 */
export function initialValues(spec: ParamSpec, rng: Random): Float32Array {
  const n = sizeOf(spec.shape);
  const out = new Float32Array(n);
  const [fanIn, fanOut] = spec.fans ?? [1, 1];
  switch (spec.init) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'he': {
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
      return out;
    }
    case 'small': {
      for (let i = 0; i < n; i++) out[i] = rng.normal() * SMALL_STD;
      return out;
    }
    case 'glorot': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < n; i++) out[i] = rng.uniform(-limit, limit);
      return out;
    }
  }
}
