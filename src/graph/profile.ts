import type { Backend, Storage } from '../backends/backend';
import { formatShape } from '../shape';
import type { Program } from './program';

/** A backend that can time enqueued work and say which shaders it ran (WebGPU). */
export type ProfilingBackend = Backend & Required<Pick<Backend, 'time' | 'traceShaders'>>;

export interface NodeTiming {
  index: number;
  op: string;
  shape: string;
  /** GPU time of the node's dispatches (timestamp queries), or wall time without them. */
  ms: number;
  /** The shader of each of the node's dispatches, in order (which kernel variant ran). */
  shaders: string[];
}

/**
 * Times every node of a compiled program on its own (one measured submit per node),
 * after one warm-up run; for finding where a step's time goes. The program's inputs
 * keep the values its last run wrote.
 */
export async function profileProgram(program: Program, gpu: ProfilingBackend): Promise<NodeTiming[]> {
  const plan = program.plan;
  const storages = new Map<number, Storage>();
  const storageOf = (id: number) => storages.get(plan.root[id]) ?? program.storageOf(plan.root[id]);
  const rows: NodeTiming[] = [];
  for (const node of plan.nodes) {
    if (node.op === 'reshape') continue;
    const inputs = node.inputs.map((id) => ({ storage: storageOf(id), shape: plan.values[id].shape }));
    // At the program's precision: an inference pass on an f16 backend profiles its f16 rows.
    const run = () => program.atPrecision(() => gpu.run(node.op, inputs, node.attrs, node.shape));
    // Warm-up (compiles the pipeline); in-place ops write state, which profiling accepts.
    const warm = run();
    if (!node.inPlace) gpu.release(warm);
    let out: Storage | null = null;
    let shaders: string[] = [];
    const t = await gpu.time(() => {
      const traced = gpu.traceShaders(run);
      out = traced.result;
      shaders = traced.shaders;
    });
    if (!node.inPlace) storages.set(node.output, out!);
    rows.push({ index: node.index, op: node.op, shape: formatShape(node.shape), ms: t.gpuMs ?? t.wallMs, shaders });
  }
  for (const s of storages.values()) gpu.release(s);
  return rows;
}
