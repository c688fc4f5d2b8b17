// Where this engine's weights differ from PyTorch's, in one place (DESIGN.md,
// "Interchange"): batch norm calls its scale and shift gamma and beta (PyTorch: weight
// and bias) and PyTorch also keeps num_batches_tracked; dense weights are [in, out] here
// and [out, in] in PyTorch. Layer names are already torchvision's module paths, and
// convolution filters are OIHW in both.
import type { Shape } from '../shape';
import type { Model } from '../nn/model';

/** One tensor of a PyTorch state dict as this model would have it. */
export interface TorchTensorName {
  /** The PyTorch state-dict key (`layer1.0.bn1.weight`). */
  torch: string;
  shape: Shape;
  /** The model's own parameter name (`layer1.0.bn1.gamma`), or null for num_batches_tracked (no counterpart here). */
  ours: string | null;
  /** Dense weights: transposed between the two layouts. */
  transposed: boolean;
}

const BN_NAMES: Record<string, string> = { gamma: 'weight', beta: 'bias', running_mean: 'running_mean', running_var: 'running_var' };

/**
 * The PyTorch state dict this model corresponds to: names, shapes and how each maps to
 * a parameter here. Needs no build (shapes come from the layers).
 */
export function torchStateDictLayout(model: Model): TorchTensorName[] {
  const out: TorchTensorName[] = [];
  const done = new Set<unknown>();
  for (const { layer, inputs } of model.nodes) {
    if (done.has(layer)) continue;
    done.add(layer);
    for (const spec of layer.params(inputs.map((i) => i.shape))) {
      const ours = `${layer.name}.${spec.name}`;
      if (layer.kind === 'batch_norm') {
        out.push({ torch: `${layer.name}.${BN_NAMES[spec.name]}`, shape: spec.shape, ours, transposed: false });
        if (spec.name === 'running_var') out.push({ torch: `${layer.name}.num_batches_tracked`, shape: [], ours: null, transposed: false });
      } else if (layer.kind === 'dense' && spec.name === 'weight') {
        out.push({ torch: ours, shape: [spec.shape[1], spec.shape[0]], ours, transposed: true });
      } else {
        out.push({ torch: ours, shape: spec.shape, ours, transposed: false });
      }
    }
  }
  return out;
}
