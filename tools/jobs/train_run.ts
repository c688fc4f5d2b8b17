// `npm run train`'s job (scripts/train.mjs runs it in the page, demo/train_job.ts, or in
// Node, train_node_main.ts): the training job of train_job.ts with the run's files. The
// job writes the checkpoints, the weights and the exports itself (through the host: in
// Node straight to the disk, in the page through the command); the command writes
// metrics.json, report.html and --json from what the job reports of them.
import { safetensorsMetadata } from '../../src/io/safetensors';
import { sha256Hex, type Job } from './job';
import { runEnsembleJob } from './ensemble_job';
import { runSanityJob, type SanityJobResult } from './sanity_job';
import { runTrainJob, type SceneSamples, type TrainJobConfig, type TrainJobProgress } from './train_job';

export interface TrainRunInput {
  config: TrainJobConfig;
  /** The run's id, stamped on every checkpoint and the weights. */
  runId: string;
  checkpointEvery?: number;
  /** checkpoint.safetensors of the run to continue (--resume). */
  resume?: string;
  /** Where the job writes: the checkpoint and the weights (in --out), the exports it was asked for, and --ensemble's members' weights. */
  files: { checkpoint: string; weights: string; onnx?: string; torch?: string; members?: string[] };
  /** --sanity: the three checks instead of training, the overfitting one within this many steps. */
  sanity?: { maxSteps: number };
  /** --ensemble K: K members of seeds seed..seed+K-1, their weights to files.members, then the ensemble scored. */
  ensemble?: number;
  /** --dataset folder:PATH: the folder's files and sub-folders, relative to `root` (the command lists them; the page cannot). */
  folder?: { root: string; files: string[]; folders: string[] };
}

/** What metrics.json records of a file of the run: its sha256 and the step it holds. */
export interface FileRecord {
  sha256: string;
  step: number | null;
}

/** The message of each checkpoint, once the file is in place: its record and the metrics so far. */
export interface TrainRunCheckpoint {
  file: FileRecord;
  metrics: Record<string, unknown>;
}

export interface TrainRunResult {
  metrics: Record<string, unknown>;
  filters: { shape: number[]; data: number[] } | null;
  /** --task segment: test scenes with their truth and prediction, for the report. */
  scenes: SceneSamples | null;
  /** The weights' record; null when training diverged (no weights were written). */
  weights: FileRecord | null;
  /** The exports written. */
  exported: string[];
  /** --sanity: the checks' report (nothing else is set). */
  sanity?: SanityJobResult;
}

/** The record of safetensors bytes: sha256, and the step of their metadata (`step`, or `optimizer_steps`). */
export async function fileRecord(bytes: Uint8Array, name: string): Promise<FileRecord> {
  const m = safetensorsMetadata(bytes, name);
  const step = m.step ?? m.optimizer_steps;
  return { sha256: await sha256Hex(bytes), step: step === undefined ? null : Number(step) };
}

/** The hooks --sanity and --ensemble take from the host. */
function modeHooks(input: TrainRunInput, host: Parameters<Job<TrainRunInput, TrainRunResult>>[1], init: Uint8Array | undefined) {
  return {
    init,
    createWebGPU: (options: Parameters<typeof host.createWebGPU>[0]) => host.createWebGPU(options),
    folder: input.folder && {
      source: {
        name: input.folder.root,
        files: input.folder.files,
        folders: input.folder.folders,
        read: (path: string) => host.readFile(`${input.folder!.root}/${path}`),
      },
      decoder: host.imageDecoder,
    },
  };
}

export const trainRun: Job<TrainRunInput, TrainRunResult> = async (input, host) => {
  const { config, files } = input;
  const init = config.init && (input.sanity || input.ensemble) ? await host.readFile(config.init) : undefined;
  if (input.sanity) {
    const sanity = await runSanityJob(config, input.sanity.maxSteps, (p) => host.progress(p), host.datasets, modeHooks(input, host, init));
    return { metrics: {}, filters: null, scenes: null, weights: null, exported: [], sanity };
  }
  if (input.ensemble) {
    const paths = files.members ?? [];
    if (paths.length !== input.ensemble) throw new Error(`train: --ensemble ${input.ensemble} needs ${input.ensemble} member files, got ${paths.length}`);
    const { metrics } = await runEnsembleJob(config, input.ensemble, (p) => host.progress(p), host.datasets, {
      ...modeHooks(input, host, init),
      runId: input.runId,
      writeMember: async (member, bytes) => {
        await host.writeFile(paths[member - 1], bytes);
        return fileRecord(bytes, paths[member - 1]);
      },
    });
    return { metrics, filters: null, scenes: null, weights: null, exported: [] };
  }
  const result = await runTrainJob(config, (p: TrainJobProgress) => host.progress(p), host.datasets, {
    resume: input.resume ? await host.readFile(input.resume) : undefined,
    init: config.init ? await host.readFile(config.init) : undefined,
    checkpointEvery: input.checkpointEvery,
    exportOnnx: !!files.onnx,
    exportTorch: !!files.torch,
    runId: input.runId,
    // The checkpoint first, then the message whose metrics name it.
    onCheckpoint: async (bytes, metrics) => {
      await host.writeFile(files.checkpoint, bytes);
      await host.checkpoint({ file: await fileRecord(bytes, files.checkpoint), metrics } satisfies TrainRunCheckpoint);
    },
    createWebGPU: (options) => host.createWebGPU(options),
    folder: input.folder && {
      source: {
        name: input.folder.root,
        files: input.folder.files,
        folders: input.folder.folders,
        read: (path) => host.readFile(`${input.folder!.root}/${path}`),
      },
      decoder: host.imageDecoder,
    },
  });
  if (result.weights) await host.writeFile(files.weights, result.weights);
  const exported: string[] = [];
  for (const [path, bytes] of [
    [files.onnx, result.onnx],
    [files.torch, result.torch],
  ] as const) {
    if (!path || !bytes) continue;
    await host.writeFile(path, bytes);
    exported.push(path);
  }
  return {
    metrics: result.metrics,
    filters: result.filters,
    scenes: result.scenes ?? null,
    weights: result.weights ? await fileRecord(result.weights, files.weights) : null,
    exported,
  };
};
