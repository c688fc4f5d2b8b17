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

export function planGraph(trace: TraceBackend, outputs: readonly number[]): Plan {
  const values = trace.values;
  const nodes = liveNodes(trace, outputs);
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
