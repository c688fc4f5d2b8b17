// The Train page's handle on its session: in the page's own thread (WebGPU, whose steps
// wait on the GPU and leave the page free) or in a Web Worker (the CPU backend, whose
// steps would hold the page for seconds each). Both speak the same calls and events.
import type { PickedFile } from '../../src/data/files';
import type { ActivationView, PatchView, SessionConfig, SessionEvent, SessionInfo } from './train_protocol';
import { TrainSession } from './train_session';

export interface TrainClient {
  /** Whether the session runs in a worker. */
  readonly inWorker: boolean;
  open(config: SessionConfig): Promise<SessionInfo>;
  train(epochs: number): Promise<void>;
  pause(): void;
  resume(): void;
  /** Stops a run and frees the session (a worker is ended). */
  dispose(): Promise<void>;
  filters(): Promise<{ data: Float32Array; shape: number[] } | null>;
  activations(index: number): Promise<ActivationView>;
  patches(layer: string, channel: number): Promise<PatchView>;
  checkpoint(): Promise<Uint8Array>;
  exportOnnx(): Promise<Uint8Array>;
  exportTorch(): Promise<Uint8Array>;
  handover(key: string): Promise<Uint8Array | string>;
  load(name: string, bytes: Uint8Array, metrics: { name: string; text: string } | null): Promise<string | null>;
  metrics(): Promise<Record<string, unknown>>;
}

/** A call to the worker, and its answer. */
export type WorkerCall = { id: number; method: string; args: unknown[] };
export type WorkerAnswer = { id: number; result: unknown } | { id: number; error: { name: string; message: string; rule?: string } } | { event: SessionEvent };

/** The calls a session answers, by name (the worker's table and the page's are the same). */
export function sessionCalls(session: () => TrainSession) {
  return {
    train: (epochs: number) => session().train(epochs),
    pause: () => session().pause(),
    resume: () => session().resume(),
    filters: () => session().filters(),
    activations: (index: number) => session().activations(index),
    patches: (layer: string, channel: number) => session().patches(layer, channel),
    checkpoint: () => session().checkpoint(),
    exportOnnx: () => session().exportOnnx(),
    exportTorch: () => session().exportTorch(),
    handover: (key: string) => session().handover(key),
    load: (name: string, bytes: Uint8Array, metrics: { name: string; text: string } | null) => session().load(name, bytes, metrics),
    metrics: async () => session().metrics(),
  };
}

/** A session in this thread. */
export function pageClient(onEvent: (e: SessionEvent) => void): TrainClient {
  let session: TrainSession | null = null;
  const get = () => {
    if (!session) throw new Error('the session is not open');
    return session;
  };
  return {
    inWorker: false,
    open: async (config) => {
      session ??= await TrainSession.open(config, onEvent);
      return session.info;
    },
    ...sessionCalls(get),
    dispose: async () => {
      const s = session;
      session = null;
      await s?.dispose();
    },
  };
}

/** A session in a Web Worker (train_worker.ts); events arrive as the worker posts them. */
export function workerClient(onEvent: (e: SessionEvent) => void): TrainClient {
  const worker = new Worker(new URL('../train_worker.ts', import.meta.url), { type: 'module', name: 'train' });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  let ended = false;
  worker.onmessage = (m: MessageEvent<WorkerAnswer>) => {
    const a = m.data;
    if ('event' in a) return onEvent(a.event);
    const w = waiting.get(a.id);
    waiting.delete(a.id);
    if (!w) return;
    if ('error' in a) w.reject(Object.assign(new Error(a.error.message), { name: a.error.name, rule: a.error.rule }));
    else w.resolve(a.result);
  };
  worker.onerror = (e) => {
    e.preventDefault();
    for (const w of waiting.values()) w.reject(new Error(`the training worker failed: ${e.message || 'it could not start'}`));
    waiting.clear();
  };
  const call = <T>(method: string, ...args: unknown[]): Promise<T> => {
    if (ended) return Promise.reject(Object.assign(new Error('the session was reset'), { name: 'AbortError' }));
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, method, args } satisfies WorkerCall);
    });
  };
  return {
    inWorker: true,
    open: (config) => call('open', { ...config, files: config.files.map((f: PickedFile) => ({ name: f.name, bytes: f.bytes })) }),
    train: (epochs) => call('train', epochs),
    pause: () => void call('pause').catch(() => undefined),
    resume: () => void call('resume').catch(() => undefined),
    dispose: async () => {
      // The worker may be inside a long CPU step: end it rather than wait for it.
      ended = true;
      worker.terminate();
      for (const w of waiting.values()) w.reject(Object.assign(new Error('the session was reset'), { name: 'AbortError' }));
      waiting.clear();
    },
    filters: () => call('filters'),
    activations: (index) => call('activations', index),
    patches: (layer, channel) => call('patches', layer, channel),
    checkpoint: () => call('checkpoint'),
    exportOnnx: () => call('exportOnnx'),
    exportTorch: () => call('exportTorch'),
    handover: (key) => call('handover', key),
    load: (name, bytes, metrics) => call('load', name, bytes, metrics),
    metrics: () => call('metrics'),
  };
}
