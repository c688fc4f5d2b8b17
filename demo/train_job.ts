import { runTrainJob, type TrainJobConfig, type TrainJobProgress } from '../src/app/train_job';

/** What `npm run train` asks besides the configuration. */
interface JobOptions {
  /** checkpoint.safetensors of the run to continue, base64. */
  resumeBase64?: string;
  checkpointEvery?: number;
  /** The bytes of config.init (a .onnx or safetensors file), base64. */
  initBase64?: string;
  exportOnnx?: boolean;
  exportTorch?: boolean;
  /** The run's id, stamped on every checkpoint and the weights. */
  runId?: string;
}

declare global {
  interface Window {
    /** Called by `npm run train` (scripts/train.mjs); resolves with metrics and base64 weights (null when training diverged). */
    runTraining?: (config: TrainJobConfig, options?: JobOptions) => Promise<{ metrics: Record<string, unknown>; weightsBase64: string | null; filters: unknown; onnxBase64: string | null; torchBase64: string | null }>;
    /** Exposed by the command line to stream progress to the terminal. */
    reportProgress?: (p: TrainJobProgress) => Promise<void>;
    /** Exposed by the command line: writes a checkpoint (base64) and the metrics so far into the run's folder. */
    saveRunCheckpoint?: (checkpointBase64: string, metrics: Record<string, unknown>) => Promise<void>;
  }
}

const status = document.querySelector<HTMLParagraphElement>('#status')!;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

window.runTraining = async (config, options = {}) => {
  const result = await runTrainJob(
    config,
    async (p) => {
      if (p.kind === 'epoch') status.textContent = `epoch ${p.epoch}: loss ${p.loss.toFixed(4)}, test accuracy ${p.testAccuracy?.toFixed(4)}`;
      await window.reportProgress?.(p);
    },
    '/datasets',
    {
      resume: options.resumeBase64 ? fromBase64(options.resumeBase64) : undefined,
      checkpointEvery: options.checkpointEvery,
      init: options.initBase64 ? fromBase64(options.initBase64) : undefined,
      exportOnnx: options.exportOnnx,
      exportTorch: options.exportTorch,
      runId: options.runId,
      onCheckpoint: window.saveRunCheckpoint ? (bytes, metrics) => window.saveRunCheckpoint!(toBase64(bytes), metrics) : undefined,
    },
  );
  status.textContent = result.weights ? `done: test accuracy ${(result.metrics.testAccuracy as number).toFixed(4)}` : 'stopped: training diverged';
  const base64 = (b: Uint8Array | null | undefined) => (b ? toBase64(b) : null);
  return { metrics: result.metrics, weightsBase64: base64(result.weights), filters: result.filters, onnxBase64: base64(result.onnx), torchBase64: base64(result.torch) };
};
