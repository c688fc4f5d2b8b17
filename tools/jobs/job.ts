// The one job interface of the command line: a job (train, transfer, search, tune, bench,
// profile, check:torch) is a function of its input and a host, and the host is all that
// differs between the browser page (page_job.ts) and a Node process (node_job.ts). Both
// speak one protocol to the command (tools/cli/job_runner.mjs): progress and checkpoint messages
// while the job runs, then its result or an error.
import type { WebGPUBackend, WebGPUBackendOptions } from '../../src/backends/webgpu/webgpu_backend';
import type { ImageDecoder } from '../../src/data/image_folder';

/** A message of a job to the command that runs it. */
export type JobMessage =
  | { kind: 'progress'; progress: unknown }
  | { kind: 'checkpoint'; checkpoint: unknown }
  | { kind: 'result'; result: unknown }
  | { kind: 'error'; message: string };

/** What the command sends a job besides its input: where the host finds the data sets and keeps tuned kernel choices. */
export interface JobEnvelope<I> {
  input: I;
  /** Base URL of the data sets (Node: file:///usr/share/datasets or DATASETS_DIR; the page: /datasets). */
  datasets?: string;
  /** The command line's tuning file (.cache/autotune.json), for a Node job's WebGPU backends. */
  tuneFile?: string;
  /** A Node job's Vulkan driver (src/node.ts NodeAdapter; default auto). */
  adapter?: 'auto' | 'lavapipe' | 'swiftshader';
}

/** What a job may ask of where it runs. */
export interface JobHost {
  readonly runtime: 'browser' | 'node';
  /** Base URL of the data sets: `${datasets}/fashion-mnist` holds its IDX files. */
  readonly datasets: string;
  /** The GPU entry point: navigator.gpu in the page, one Dawn instance in Node (peers can share it). */
  gpu(): Promise<GPU>;
  /** A WebGPU backend on gpu(), its tuned choices kept where the command line keeps them. */
  createWebGPU(options?: Omit<WebGPUBackendOptions, 'gpu' | 'device'>): Promise<WebGPUBackend>;
  /** Progress for the terminal. */
  progress(progress: unknown): Promise<void>;
  /** A checkpoint the job just wrote (what the command records of it); resolves once the command has it. */
  checkpoint(checkpoint: unknown): Promise<void>;
  /** A file the command named in the input: read by the job itself in Node, handed over by the command in the page. */
  readFile(path: string): Promise<Uint8Array>;
  /**
   * Writes a file the command named in the input, atomically (temporary file, fsync,
   * rename): by the job itself in Node; in the page, which cannot write files, the bytes
   * go to the command, which writes them. Resolves once the file is in place.
   */
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  /** The platform's image decoder (image folders): createImageBitmap in the page, Skia (@napi-rs/canvas) in Node. */
  readonly imageDecoder: ImageDecoder;
}

/** A job: the same function runs in the page and in Node. */
export type Job<I, R> = (input: I, host: JobHost) => Promise<R>;

/** The sha256 of `bytes`, hex (Web Crypto: the page and Node alike). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}
