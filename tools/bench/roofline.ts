// The roofline of an adapter, measured: f32 multiply-add throughput, f16 where the device
// has shader-f16, and storage-buffer bandwidth (a copy), so a benchmark figure can be put as
// a fraction of what this adapter can do. Plain WebGPU on the device it is given: each
// measurement grows its work until one run takes `targetMs` (one command buffer, `reps`
// dispatches, timed from submit to onSubmittedWorkDone), then keeps the best of its runs.
// The bench runs each measurement as a case (cases.ts: roofline-*), the device pack as its
// own phase (tools/device/device_main.ts).
import copySource from './roofline_copy.wgsl?raw';
import fmaSource from './roofline_fma.wgsl?raw';
import fmaF16Source from './roofline_fma_f16.wgsl?raw';

export type RooflineKind = 'fma-f32' | 'fma-f16' | 'copy';

/** One measurement: the work of one run (flops, or bytes read and written for the copy) and its best time. */
export interface RooflineMeasure {
  kind: RooflineKind;
  /** GFLOP/s for the fma kinds, GB/s (1e9 bytes) for the copy. */
  value: number;
  unit: 'GFLOP/s' | 'GB/s';
  /** Flops or bytes of one run. */
  work: number;
  bestMs: number;
  runs: number;
  /** The grid it settled on. */
  config: Record<string, number>;
}

/** The adapter's limits as measured: null where not measured (f16 without shader-f16, or no time left), with the reason. */
export interface Roofline {
  fmaF32: number | null;
  fmaF16: number | null;
  bandwidth: number | null;
  notes: string[];
  measures: RooflineMeasure[];
}

/** A measurement grown to its size: one run of it, timed. */
export interface RooflineRun {
  kind: RooflineKind;
  /** Flops (fma) or bytes (copy) of one run. */
  work: number;
  config: Record<string, number>;
  /** Enqueues one run and resolves with its wall time in ms once the queue has finished it. */
  run(): Promise<number>;
  dispose(): void;
}

const WORKGROUP = 256;
/** Flops per invocation per round of roofline_fma*.wgsl: 16 fma on vec4. */
const FLOPS_PER_ROUND = 16 * 4 * 2;

/** Why a kind cannot be measured on this device, or null. */
export function rooflineUnsupported(device: GPUDevice, kind: RooflineKind): string | null {
  if (kind === 'fma-f16' && !device.features.has('shader-f16')) return "the device has no 'shader-f16'";
  return null;
}

function pipelineFor(device: GPUDevice, source: string, label: string): GPUComputePipeline {
  const module = device.createShaderModule({ code: source, label });
  return device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main', constants: { WORKGROUP } }, label });
}

/** A 2-D grid of at least `groups` workgroups within the per-dimension limit. */
function grid(device: GPUDevice, groups: number): [number, number] {
  const max = device.limits.maxComputeWorkgroupsPerDimension;
  const x = Math.min(groups, max);
  return [x, Math.ceil(groups / x)];
}

/** Times `reps` dispatches of `pipeline` over `bind` in one command buffer. */
async function timeDispatches(device: GPUDevice, pipeline: GPUComputePipeline, bind: GPUBindGroup, xy: [number, number], reps: number): Promise<number> {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  for (let r = 0; r < reps; r++) pass.dispatchWorkgroups(xy[0], xy[1]);
  pass.end();
  const commands = encoder.finish();
  const start = performance.now();
  device.queue.submit([commands]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - start;
}

function uniform(device: GPUDevice, words: ArrayBuffer): GPUBuffer {
  const buffer = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, words);
  return buffer;
}

export interface RooflineOptions {
  /** Wall time one run is grown to (default 50 ms). */
  targetMs?: number;
  /** Largest copy buffer in bytes (default 256 MiB, and never above the device's limits). */
  maxBytes?: number;
  /** Stop growing at this time (Date.now() ms): the run keeps the size it has. */
  deadline?: number;
}

/** The multiply-add chain, grown in workgroups (up to 8192) then in rounds until a run takes targetMs. */
async function fmaRun(device: GPUDevice, kind: 'fma-f32' | 'fma-f16', options: RooflineOptions): Promise<RooflineRun> {
  const target = options.targetMs ?? 50;
  const pipeline = pipelineFor(device, kind === 'fma-f16' ? fmaF16Source : fmaSource, `roofline ${kind}`);
  const maxGroups = 8192;
  const params = new ArrayBuffer(16);
  const view = new DataView(params);
  view.setFloat32(4, 0.999, true);
  view.setFloat32(8, 0.001, true);
  const out = device.createBuffer({ size: maxGroups * WORKGROUP * 16, usage: GPUBufferUsage.STORAGE });
  let groups = 16;
  let rounds = 64;
  let buffers: GPUBuffer[] = [];
  let bind!: GPUBindGroup;
  const setup = () => {
    for (const b of buffers) b.destroy();
    view.setUint32(0, rounds, true);
    const u = uniform(device, params);
    buffers = [u];
    bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: u } },
        { binding: 1, resource: { buffer: out } },
      ],
    });
  };
  setup();
  await timeDispatches(device, pipeline, bind, grid(device, groups), 1);
  for (let step = 0; step < 24; step++) {
    const ms = await timeDispatches(device, pipeline, bind, grid(device, groups), 1);
    if (ms >= target || (options.deadline !== undefined && Date.now() > options.deadline)) break;
    const factor = Math.min(16, Math.max(2, 2 ** Math.floor(Math.log2(target / Math.max(ms, 0.01)))));
    if (groups < maxGroups) groups = Math.min(maxGroups, groups * factor);
    else if (rounds < 1 << 20) {
      rounds *= factor;
      setup();
    } else break;
  }
  const xy = grid(device, groups);
  return {
    kind,
    work: xy[0] * xy[1] * WORKGROUP * rounds * FLOPS_PER_ROUND,
    config: { workgroups: xy[0] * xy[1], invocations: xy[0] * xy[1] * WORKGROUP, rounds },
    run: () => timeDispatches(device, pipeline, bind, xy, 1),
    dispose: () => {
      for (const b of [...buffers, out]) b.destroy();
    },
  };
}

/** The copy, grown in buffer size (up to maxBytes) then in dispatches per run until a run takes targetMs. */
async function copyRun(device: GPUDevice, options: RooflineOptions): Promise<RooflineRun> {
  const target = options.targetMs ?? 50;
  const pipeline = pipelineFor(device, copySource, 'roofline copy');
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize, options.maxBytes ?? 256 * 2 ** 20);
  const maxBytes = 2 ** Math.floor(Math.log2(limit));
  let bytes = Math.min(2 ** 20, maxBytes);
  let reps = 1;
  let buffers: GPUBuffer[] = [];
  let bind!: GPUBindGroup;
  let xy: [number, number] = [1, 1];
  const setup = () => {
    for (const b of buffers) b.destroy();
    const count = bytes / 16;
    xy = grid(device, Math.min(Math.ceil(count / WORKGROUP), 65535));
    const words = new Uint32Array([count, xy[0] * xy[1] * WORKGROUP, 0, 0]);
    const u = uniform(device, words.buffer);
    const src = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE });
    const dst = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE });
    buffers = [u, src, dst];
    bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: u } },
        { binding: 1, resource: { buffer: src } },
        { binding: 2, resource: { buffer: dst } },
      ],
    });
  };
  setup();
  await timeDispatches(device, pipeline, bind, xy, 1);
  for (let step = 0; step < 24; step++) {
    const ms = await timeDispatches(device, pipeline, bind, xy, reps);
    if (ms >= target || (options.deadline !== undefined && Date.now() > options.deadline)) break;
    const factor = Math.min(16, Math.max(2, 2 ** Math.floor(Math.log2(target / Math.max(ms, 0.01)))));
    if (bytes < maxBytes) {
      bytes = Math.min(maxBytes, bytes * factor);
      setup();
    } else if (reps < 256) reps = Math.min(256, reps * factor);
    else break;
  }
  return {
    kind: 'copy',
    work: 2 * bytes * reps,
    config: { bytes, reps, workgroups: xy[0] * xy[1] },
    run: () => timeDispatches(device, pipeline, bind, xy, reps),
    dispose: () => {
      for (const b of buffers) b.destroy();
    },
  };
}

/** One measurement grown to its size on `device` (throws where rooflineUnsupported says why). */
export async function rooflineRun(device: GPUDevice, kind: RooflineKind, options: RooflineOptions = {}): Promise<RooflineRun> {
  const unsupported = rooflineUnsupported(device, kind);
  if (unsupported) throw new Error(`roofline ${kind}: ${unsupported}`);
  return kind === 'copy' ? copyRun(device, options) : fmaRun(device, kind, options);
}

/** Grows and times one kind: the best of `runs` runs. */
export async function measureRooflineKind(device: GPUDevice, kind: RooflineKind, options: RooflineOptions & { runs?: number } = {}): Promise<RooflineMeasure> {
  const r = await rooflineRun(device, kind, options);
  try {
    let best = Infinity;
    const runs = options.runs ?? 5;
    for (let i = 0; i < runs; i++) best = Math.min(best, await r.run());
    return { kind, value: r.work / (best * 1e6), unit: kind === 'copy' ? 'GB/s' : 'GFLOP/s', work: r.work, bestMs: best, runs, config: r.config };
  } finally {
    r.dispose();
  }
}

/** Every kind this device offers, in order f32, f16, copy; a kind that cannot run (or that the deadline cuts off) is null with a note. */
export async function measureRoofline(
  device: GPUDevice,
  options: RooflineOptions & { runs?: number; onMeasure?: (m: RooflineMeasure) => void } = {},
): Promise<Roofline> {
  const result: Roofline = { fmaF32: null, fmaF16: null, bandwidth: null, notes: [], measures: [] };
  for (const kind of ['fma-f32', 'fma-f16', 'copy'] as const) {
    const unsupported = rooflineUnsupported(device, kind);
    if (unsupported) {
      result.notes.push(`${kind}: not measured, ${unsupported}`);
      continue;
    }
    if (options.deadline !== undefined && Date.now() > options.deadline) {
      result.notes.push(`${kind}: not measured, the phase's time ran out`);
      continue;
    }
    const m = await measureRooflineKind(device, kind, options);
    result.measures.push(m);
    options.onMeasure?.(m);
    if (kind === 'fma-f32') result.fmaF32 = m.value;
    else if (kind === 'fma-f16') result.fmaF16 = m.value;
    else result.bandwidth = m.value;
  }
  return result;
}

/**
 * Where a case of `flops` flops moving at least `bytes` bytes is bounded on this roofline:
 * min(peak, flops/bytes x bandwidth) in GFLOP/s (the peak alone where bytes are unknown).
 */
export function rooflineBound(roofline: Pick<Roofline, 'fmaF32' | 'bandwidth'>, flops: number, bytes?: number): number | null {
  if (roofline.fmaF32 === null) return null;
  if (!bytes || roofline.bandwidth === null) return roofline.fmaF32;
  return Math.min(roofline.fmaF32, (flops / bytes) * roofline.bandwidth);
}
