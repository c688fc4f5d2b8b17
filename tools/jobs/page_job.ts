// The page side of a command-line job (tools/cli/job_runner.mjs drives the page in headless
// Chromium): the command calls window.runJob(envelope); messages go back through the
// functions the command exposed on the page, and so do the files, as base64, since a
// page cannot write files (the command writes them, atomically).
import { createWebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';
import { browserImageDecoder } from '../../src/data/image_decode';
import type { Job, JobEnvelope, JobHost, JobMessage } from './job';

declare global {
  interface Window {
    /** Defined by servePageJob; the command calls it once the page has loaded. */
    runJob?: (envelope: JobEnvelope<unknown>) => Promise<void>;
    /** Exposed by the command: one message of the job. */
    jobMessage?: (message: JobMessage) => Promise<void>;
    /** Exposed by the command: a file it named in the input, base64. */
    jobReadFile?: (path: string) => Promise<string>;
    /** Exposed by the command: writes a file it named in the input (base64) atomically. */
    jobWriteFile?: (path: string, base64: string) => Promise<void>;
  }
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** The command's exposed function `name`, or an error saying the page is not driven by a command. */
function exposed<K extends 'jobMessage' | 'jobReadFile' | 'jobWriteFile'>(name: K): NonNullable<Window[K]> {
  const f = window[name];
  if (!f) throw new Error(`${name}: this page runs a job only when a command (npm run ...) drives it`);
  return f as NonNullable<Window[K]>;
}

/** Makes `job` the page's job: window.runJob runs it and sends its result or error. */
export function servePageJob<I, R>(job: Job<I, R>): void {
  window.runJob = async (envelope) => {
    const send = (message: JobMessage) => exposed('jobMessage')(message);
    const host: JobHost = {
      runtime: 'browser',
      datasets: envelope.datasets ?? '/datasets',
      gpu: async () => {
        if (!navigator.gpu) throw new Error('WebGPU is not available in this page (navigator.gpu is undefined)');
        return navigator.gpu;
      },
      createWebGPU: (options = {}) => createWebGPUBackend(options),
      progress: (progress) => send({ kind: 'progress', progress }),
      checkpoint: (checkpoint) => send({ kind: 'checkpoint', checkpoint }),
      readFile: async (path) => fromBase64(await exposed('jobReadFile')(path)),
      writeFile: (path, bytes) => exposed('jobWriteFile')(path, toBase64(bytes)),
      imageDecoder: browserImageDecoder,
    };
    try {
      await send({ kind: 'result', result: await job(envelope.input as I, host) });
    } catch (e) {
      await send({ kind: 'error', message: (e as Error).message });
    }
  };
}
