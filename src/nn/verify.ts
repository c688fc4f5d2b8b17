import type { Backend, Storage } from '../backends/backend';
import { CpuBackend } from '../backends/cpu/cpu_backend';
import { gradients } from '../graph/autograd';
import { planGraph } from '../graph/plan';
import { TraceBackend } from '../graph/trace';
import { softmaxCrossEntropy } from '../ops/softmax';
import { formatShape, sizeOf } from '../shape';
import { externalsOf } from './graph_externals';
import type { Model } from './model';

export interface VerifyRow {
  index: number;
  op: string;
  phase: 'forward' | 'backward' | 'state';
  shape: string;
  /** max |gpu - cpu| over the node's output. */
  maxAbsError: number;
  /** maxAbsError / max |cpu| (the error relative to the output's largest value; large for outputs near 0). */
  maxRelError: number;
  /**
   * The pass rule's measure, the error over the output's scale: maxAbsError / (max |cpu| +
   * VERIFY_SCALE_FLOOR), so an output of zeros has scale 0.01. The node passes when it is at
   * most VERIFY_TOLERANCE.
   */
  errorOverScale: number;
  ok: boolean;
}

/** A node passes when its error over its output's scale (errorOverScale) is at most 1e-4. */
export const VERIFY_TOLERANCE = 1e-4;

/**
 * Added to an output's scale (its largest |value|) in the pass rule, so an output of
 * zeros and tiny values (a gradient that vanishes) may differ by 1e-6: the error allowed
 * is 1e-4 * scale + 1e-6.
 */
export const VERIFY_SCALE_FLOOR = 1e-2;

/**
 * Runs every node of one training step (forward, loss, backward, and batch norm's
 * running-statistics writes) on the CPU reference, then runs each node again on the
 * model's backend from exactly the CPU node's inputs, and compares outputs node by
 * node. The model's own weights are copied, never written.
 */
export async function verify(model: Model, batch: { x: Float32Array; labels: ArrayLike<number> }, cpu: CpuBackend = new CpuBackend()): Promise<VerifyRow[]> {
  const device = model.backend;
  const n = batch.labels.length;
  const per = sizeOf(model.input.shape);
  if (batch.x.length !== n * per) throw new Error(`verify: ${batch.x.length} values for ${n} examples of ${formatShape(model.input.shape)}`);
  const trace = new TraceBackend();
  const x = trace.input('x', [n, ...model.input.shape]);
  const labels = trace.input('labels', [n]);
  const step = trace.input('step', [1]);
  const use = externalsOf(model, trace);
  const loss = softmaxCrossEntropy(model.forward({ training: true, use, step }, x), labels);
  const trainable = model.trainableParams().map((p) => use(p.tensor));
  const grads = gradients(trace, loss, trainable);
  const lossNode = trace.valueOf(loss).id;
  const plan = planGraph(trace, [lossNode, ...grads.map((g) => trace.valueOf(g).id)]);
  // Host values of every graph value, computed on the CPU.
  const host = new Map<number, Float32Array>();
  for (const v of plan.values) {
    if (v.kind === 'input') host.set(v.id, v.name === 'x' ? batch.x : v.name === 'labels' ? Float32Array.from(batch.labels) : new Float32Array(1));
    if (v.kind === 'const') host.set(v.id, v.data!);
    if (v.kind === 'external') host.set(v.id, await v.external!.read());
  }
  const upload = (b: Backend, id: number) => b.upload(host.get(plan.root[id])!);
  const rows: VerifyRow[] = [];
  let afterLoss = false;
  for (const node of plan.nodes) {
    if (node.op === 'reshape') {
      host.set(node.output, host.get(plan.root[node.inputs[0]])!);
      continue;
    }
    const run = async (b: Backend) => {
      const inputs = node.inputs.map((id) => ({ storage: upload(b, id), shape: plan.values[id].shape }));
      const out: Storage = b.run(node.op, inputs, node.attrs, node.shape);
      const values = await b.read(out);
      for (const i of inputs) b.release(i.storage);
      if (!node.inPlace) b.release(out);
      return values;
    };
    const want = await run(cpu);
    const got = await run(device);
    let maxAbs = 0;
    let scale = 0;
    for (let i = 0; i < want.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(got[i] - want[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    const maxRel = maxAbs / Math.max(scale, 1e-30);
    const errorOverScale = maxAbs / (scale + VERIFY_SCALE_FLOOR);
    rows.push({
      index: node.index,
      op: node.op,
      phase: node.inPlace ? 'state' : afterLoss ? 'backward' : 'forward',
      shape: formatShape(node.shape),
      maxAbsError: maxAbs,
      maxRelError: maxRel,
      errorOverScale,
      ok: errorOverScale <= VERIFY_TOLERANCE && !Number.isNaN(maxAbs),
    });
    if (!node.inPlace) host.set(node.output, want);
    if (node.output === lossNode) afterLoss = true;
  }
  return rows;
}

/** The verify table as text. */
export function formatVerify(rows: readonly VerifyRow[]): string {
  return rows
    .map(
      (r) =>
        `${String(r.index).padStart(4)} ${r.phase.padEnd(8)} ${r.op.padEnd(28)} ${r.shape.padEnd(18)} abs ${r.maxAbsError.toExponential(2)} rel ${r.maxRelError.toExponential(2)} err/scale ${r.errorOverScale.toExponential(2)} ${r.ok ? 'ok' : 'FAIL'}`,
    )
    .join('\n');
}
