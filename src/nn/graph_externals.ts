import type { TraceBackend } from '../graph/trace';
import type { Tensor } from '../tensor';

/**
 * Traces a model's parameters as graph externals named after the weights (anything else,
 * optimizer state, as 'optimizer state'). Takes only the parameter list, not the Model,
 * so inference, verification and training compile through it without an import cycle.
 */
export function externalsOf(model: { params(): readonly { readonly name: string; readonly tensor: Tensor }[] }, trace: TraceBackend): (t: Tensor) => Tensor {
  const names = new Map(model.params().map((p) => [p.tensor, p.name]));
  return (t) => trace.external(t, names.get(t) ?? 'optimizer state');
}
