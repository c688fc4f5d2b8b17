import { add } from '../ops/binary';
import { getOp } from '../ops/op';
import { formatShape } from '../shape';
import { full, type Tensor } from '../tensor';
import type { TraceBackend } from './trace';

/**
 * Reverse-mode autograd over a traced graph: walks the nodes that lie between `wrt`
 * and `loss` backwards, calls each op's gradient rule (which traces more nodes into
 * the same graph), and sums gradients where a value feeds several nodes. Returns
 * d loss / d w for each of `wrt`, in order (zeros for a weight the loss does not use).
 */
export function gradients(trace: TraceBackend, loss: Tensor, wrt: readonly Tensor[]): Tensor[] {
  const lossValue = trace.valueOf(loss);
  if (lossValue.length !== 1) throw new Error(`autograd: the loss must be a single value, got shape ${formatShape(loss.shape)}`);
  const targets = new Set(wrt.map((t) => trace.valueOf(t).id));
  // Values that depend on any target (forward sweep over the recorded order).
  const depends = new Set<number>(targets);
  let lossNode = trace.nodes.length - 1;
  while (lossNode >= 0 && trace.nodes[lossNode].output !== lossValue.id) lossNode--;
  const forwardNodes = trace.nodes.slice(0, lossNode + 1);
  for (const node of forwardNodes) {
    if (!node.inPlace && node.inputs.some((id) => depends.has(id))) depends.add(node.output);
  }
  // Values the loss depends on (backward sweep).
  const needed = new Set<number>([lossValue.id]);
  for (let i = forwardNodes.length - 1; i >= 0; i--) {
    const node = forwardNodes[i];
    if (node.inPlace || !needed.has(node.output)) continue;
    for (const id of node.inputs) needed.add(id);
  }
  const grads = new Map<number, Tensor>();
  grads.set(lossValue.id, full(trace, loss.shape, 1));
  for (let i = forwardNodes.length - 1; i >= 0; i--) {
    const node = forwardNodes[i];
    const dy = grads.get(node.output);
    if (node.inPlace || !dy || !depends.has(node.output) || !needed.has(node.output)) continue;
    const def = getOp(node.op);
    if (!def.grad) {
      throw new Error(
        `autograd: op '${node.op}' (node ${node.index}, output ${formatShape(node.shape)}) has no gradient rule, but the loss depends on it through trainable weights`,
      );
    }
    const inputs = node.inputs.map((id) => trace.handle(id));
    trace.label = node.label === undefined ? undefined : `${node.label} (gradient)`;
    const inputGrads = def.grad(inputs, trace.handle(node.output, node.shape), dy, node.attrs);
    node.inputs.forEach((id, k) => {
      const g = inputGrads[k];
      if (!g || !depends.has(id)) return;
      const previous = grads.get(id);
      grads.set(id, previous ? add(previous, g) : g);
    });
  }
  trace.label = undefined;
  return wrt.map((w) => grads.get(trace.valueOf(w).id) ?? full(trace, w.shape, 0));
}
