// `npm run train -- --runtime node`: the training job in Node, on WebGPU through Dawn (npm
// webgpu), no browser. scripts/train.mjs builds this file for Node, passes the job as JSON
// on stdin, and reads one JSON message per line on stdout: progress, checkpoints, the result.
import { createNodeWebGPUBackend, fileTuneStore } from '../node';
import { fetchFilesFromDisk, readJob, send } from './node_job';
import { runTrainJob, type TrainJobConfig } from './train_job';

interface Job {
  config: TrainJobConfig;
  resumeBase64?: string;
  initBase64?: string;
  checkpointEvery?: number;
  exportOnnx?: boolean;
  exportTorch?: boolean;
  /** The run's id, stamped on every checkpoint and the weights. */
  runId?: string;
  /** Folder of the IDX datasets (default /usr/share/datasets). */
  datasets?: string;
  /** Where tuned kernel choices persist (the command line's .cache/autotune.json, shared with browser runs). */
  tuneFile?: string;
}

const bytes = (b64?: string) => (b64 ? new Uint8Array(Buffer.from(b64, 'base64')) : undefined);
const base64 = (b?: Uint8Array | null) => (b ? Buffer.from(b).toString('base64') : null);

fetchFilesFromDisk();

const job = await readJob<Job>();
try {
  const result = await runTrainJob(job.config, (p) => void send({ kind: 'progress', progress: p }), `file://${job.datasets ?? '/usr/share/datasets'}`, {
    resume: bytes(job.resumeBase64),
    init: bytes(job.initBase64),
    checkpointEvery: job.checkpointEvery,
    exportOnnx: job.exportOnnx,
    exportTorch: job.exportTorch,
    runId: job.runId,
    onCheckpoint: (b, metrics) => void send({ kind: 'checkpoint', checkpointBase64: base64(b), metrics }),
    createWebGPU: (o) => createNodeWebGPUBackend({ ...o, ...(job.tuneFile ? { tuneStore: fileTuneStore(job.tuneFile) } : {}) }),
  });
  await send({ kind: 'result', result: { metrics: result.metrics, weightsBase64: base64(result.weights), filters: result.filters, onnxBase64: base64(result.onnx), torchBase64: base64(result.torch) } });
  process.exit(0);
} catch (e) {
  await send({ kind: 'error', message: (e as Error).message });
  process.exit(1);
}
