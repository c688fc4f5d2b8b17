import { runTrainJob, type TrainJobConfig, type TrainJobProgress } from '../src/app/train_job';

declare global {
  interface Window {
    /** Called by `npm run train` (scripts/train.mjs); resolves with metrics and base64 weights. */
    runTraining?: (config: TrainJobConfig) => Promise<{ metrics: Record<string, unknown>; weightsBase64: string; filters: unknown }>;
    /** Exposed by the command line to stream progress to the terminal. */
    reportProgress?: (p: TrainJobProgress) => Promise<void>;
  }
}

const status = document.querySelector<HTMLParagraphElement>('#status')!;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

window.runTraining = async (config) => {
  const result = await runTrainJob(config, async (p) => {
    if (p.kind === 'epoch') status.textContent = `epoch ${p.epoch}: loss ${p.loss.toFixed(4)}, test accuracy ${p.testAccuracy?.toFixed(4)}`;
    await window.reportProgress?.(p);
  });
  status.textContent = `done: test accuracy ${(result.metrics.testAccuracy as number).toFixed(4)}`;
  return { metrics: result.metrics, weightsBase64: toBase64(result.weights), filters: result.filters };
};
