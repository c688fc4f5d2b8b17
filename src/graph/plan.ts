import type { GraphNode, GraphValue, TraceBackend } from './trace';

/**
 * The schedule of a traced graph: nodes in recorded order (already topological),
 * reshapes turned into aliases (no copy: same buffer, new shape), and for each node
 * the values whose last reader it is, so their buffers can be reused by later nodes.
 */
export interface Plan {
  readonly values: readonly GraphValue[];
  readonly nodes: readonly GraphNode[];
  /** For each value, the value whose buffer holds it (itself unless it is a reshape alias). */
  readonly root: readonly number[];
  /** After node i, the root values that are dead (no later reader, not persistent, not an output). */
  readonly freeAfter: readonly (readonly number[])[];
  /** Values the host reads after a run; they keep their buffers. */
  readonly outputs: readonly number[];
}

/** Ops whose output is their input's buffer reinterpreted. */
const ALIAS_OPS = new Set(['reshape']);

/**
 * Keeps the nodes that matter: those writing state in place (optimizer updates,
 * running statistics) and those an output or a kept node reads. Gradient rules
 * compute every input's gradient; this drops the ones nobody needs, such as the
 * gradient of the input image.
 */
function liveNodes(trace: TraceBackend, outputs: readonly number[]): GraphNode[] {
  const needed = new Set<number>(outputs);
  const keep = new Array<boolean>(trace.nodes.length).fill(false);
  for (let i = trace.nodes.length - 1; i >= 0; i--) {
    const node = trace.nodes[i];
    if (node.inPlace || needed.has(node.output)) {
      keep[i] = true;
      for (const id of node.inputs) needed.add(id);
    }
  }
  return trace.nodes.filter((_, i) => keep[i]);
}

/**
 * Folds a ReLU's gradient into the max-pool gradient it follows: relu_grad(r, maxpool2d_grad(p, dy))
 * where the pool read the ReLU's output (p is r itself for a ReLU fused into conv2d or dense,
 * or p = relu(r) for a ReLU layer) becomes maxpool2d_grad(p, dy, relu) writing the
 * relu_grad's value: p > 0 exactly where r > 0, and the pool gradient kernels already read
 * p. One elementwise dispatch and one activation-sized buffer fewer per conv/ReLU/pool block.
 * Only when nothing else reads the pool gradient.
 */
function fuseReluIntoPoolGrad(nodes: readonly GraphNode[], outputs: readonly number[]): GraphNode[] {
  const producer = new Map<number, GraphNode>();
  const readers = new Map<number, number>();
  for (const node of nodes) {
    producer.set(node.output, node);
    for (const id of node.inputs) readers.set(id, (readers.get(id) ?? 0) + 1);
  }
  const replaced = new Map<GraphNode, GraphNode>();
  const dropped = new Set<GraphNode>();
  for (const r of nodes) {
    if (r.op !== 'relu_grad') continue;
    const [pre, grad] = r.inputs;
    const pool = producer.get(grad);
    if (pool?.op !== 'maxpool2d_grad' || pool.attrs.relu || readers.get(grad) !== 1 || outputs.includes(grad)) continue;
    const pooled = pool.inputs[0];
    const viaLayer = producer.get(pooled);
    if (pooled !== pre && !(viaLayer?.op === 'relu' && viaLayer.inputs[0] === pre)) continue;
    replaced.set(pool, { ...pool, attrs: { ...pool.attrs, relu: true }, output: r.output });
    dropped.add(r);
  }
  return nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n);
}

export interface PlanOptions {
  /** Fold ReLU gradients into the max-pool gradients before them (default true; tests compare both). */
  fuse?: boolean;
}

export function planGraph(trace: TraceBackend, outputs: readonly number[], options: PlanOptions = {}): Plan {
  const values = trace.values;
  const live = liveNodes(trace, outputs);
  const nodes = options.fuse === false ? live : fuseReluIntoPoolGrad(live, outputs);
  const root = values.map((v) => v.id);
  for (const node of nodes) {
    if (ALIAS_OPS.has(node.op)) root[node.output] = root[node.inputs[0]];
  }
  const persistent = new Set<number>(outputs.map((id) => root[id]));
  for (const v of values) if (v.kind !== 'node') persistent.add(v.id);
  const lastUse = new Map<number, number>();
  nodes.forEach((node, i) => {
    for (const id of node.inputs) lastUse.set(root[id], i);
    if (!ALIAS_OPS.has(node.op)) lastUse.set(root[node.output], Math.max(lastUse.get(root[node.output]) ?? i, i));
  });
  const freeAfter: number[][] = nodes.map(() => []);
  for (const [id, i] of lastUse) if (!persistent.has(id)) freeAfter[i].push(id);
  return { values, nodes, root, freeAfter, outputs };
}
