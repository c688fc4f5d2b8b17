// The Node side of a command-line job (tools/cli/job_runner.mjs starts it): the envelope comes as
// JSON on stdin, messages go out as one JSON object per line on stdout, the data sets are
// read with fetch as in the page (file:// URLs answered from the disk), and the job reads
// and writes its own files, with the command line's atomic writer.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../cli/atomic_write.mjs';
import { createWebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';
import { createDawnGPU, fileTuneStore } from '../../src/node';
import { nodeImageDecoder } from '../../src/node_image_folder';
import type { Job, JobEnvelope, JobHost, JobMessage } from './job';

/** Writes one message; the promise settles once it is handed to the pipe (exiting earlier would cut it off). */
const send = (message: JobMessage) => new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve()));

/** Lets fetch read file:// URLs (Node's own fetch does not read files). */
export function fetchFilesFromDisk(): void {
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
}

/** Runs `job` in this process: reads the envelope, sends the result (exit 0) or the error (exit 1). */
export async function serveNodeJob<I, R>(job: Job<I, R>): Promise<never> {
  fetchFilesFromDisk();
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const envelope = JSON.parse(text) as JobEnvelope<I>;
  let gpu: Promise<GPU> | undefined;
  const host: JobHost = {
    runtime: 'node',
    datasets: envelope.datasets ?? 'file:///usr/share/datasets',
    gpu: () => (gpu ??= createDawnGPU([], envelope.adapter)),
    createWebGPU: async (options = {}) =>
      createWebGPUBackend({ ...(envelope.tuneFile ? { tuneStore: fileTuneStore(envelope.tuneFile) } : {}), ...options, gpu: await host.gpu() }),
    progress: (progress) => send({ kind: 'progress', progress }),
    checkpoint: (checkpoint) => send({ kind: 'checkpoint', checkpoint }),
    readFile: async (path) => new Uint8Array(await readFile(path)),
    writeFile: async (path, bytes) => writeFileAtomic(path, bytes),
    imageDecoder: nodeImageDecoder,
  };
  try {
    const result = await job(envelope.input, host);
    await send({ kind: 'result', result });
    process.exit(0);
  } catch (e) {
    await send({ kind: 'error', message: (e as Error).message });
    process.exit(1);
  }
}
