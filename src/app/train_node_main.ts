// `npm run train -- --runtime node`: the training job in Node, on WebGPU through Dawn (npm
// webgpu), no browser. scripts/train.mjs builds this file for Node, passes the job as JSON
// on stdin, and reads one JSON message per line on stdout: progress, checkpoints, the result.
import { readFile } from 'node:fs/promises';
import { createNodeWebGPUBackend } from '../node';
import { runTrainJob, type TrainJobConfig } from './train_job';

interface Job {
  config: TrainJobConfig;
  resumeBase64?: string;
  initBase64?: string;
  checkpointEvery?: number;
  exportOnnx?: boolean;
  exportTorch?: boolean;
  /** Folder of the IDX datasets (default /usr/share/datasets). */
  datasets?: string;
}

/** Writes one message; the promise settles once it is handed to the pipe (exiting earlier would cut it off). */
const send = (message: object) => new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve()));
const bytes = (b64?: string) => (b64 ? new Uint8Array(Buffer.from(b64, 'base64')) : undefined);
const base64 = (b?: Uint8Array | null) => (b ? Buffer.from(b).toString('base64') : null);

// The job reads its datasets with fetch: file:// URLs come from the disk here.
const webFetch = globalThis.fetch;
globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith('file://')) return webFetch(input, init);
  try {
    return new Response(await readFile(new URL(url)));
  } catch {
    return new Response(null, { status: 404 });
  }
}) as typeof fetch;

let text = '';
for await (const chunk of process.stdin) text += chunk;
const job = JSON.parse(text) as Job;
try {
  const result = await runTrainJob(job.config, (p) => void send({ kind: 'progress', progress: p }), `file://${job.datasets ?? '/usr/share/datasets'}`, {
    resume: bytes(job.resumeBase64),
    init: bytes(job.initBase64),
    checkpointEvery: job.checkpointEvery,
    exportOnnx: job.exportOnnx,
    exportTorch: job.exportTorch,
    onCheckpoint: (b, metrics) => void send({ kind: 'checkpoint', checkpointBase64: base64(b), metrics }),
    createWebGPU: (o) => createNodeWebGPUBackend(o),
  });
  await send({ kind: 'result', result: { metrics: result.metrics, weightsBase64: base64(result.weights), filters: result.filters, onnxBase64: base64(result.onnx), torchBase64: base64(result.torch) } });
  process.exit(0);
} catch (e) {
  await send({ kind: 'error', message: (e as Error).message });
  process.exit(1);
}
