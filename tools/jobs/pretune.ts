// What `npm run tune` measures to make a GPU family's shipped choices (pretuned_choices.ts):
// the shape classes a newcomer meets first. Every trainable-here zoo model on 28x28x1
// input: its Adam training step at the command line's default batch 64 (and the bench's
// 16), its evaluation at 64 and at 16 (Fashion-MNIST's 10,000 test images end in a batch
// of 16), and batch-1 prediction.
import type { PretunedChoices } from '../../src/backends/webgpu/autotune';
import type { WebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';
import type { Program } from '../../src/graph/program';
import type { Model } from '../../src/nn/model';
import { compileEvalStep, compileTrainStep } from '../../src/training/compile';
import { compileInference } from '../../src/nn/inference';
import { Optimizer } from '../../src/training/optimizers';
import { MODELS, TRAINABLE_HERE } from '../../src/nn/zoo';

export interface PretuneWorkload {
  model: string;
  /** Batch sizes of the training step. */
  train: readonly number[];
  /** Batch sizes of evaluation and prediction. */
  infer: readonly number[];
}

export const PRETUNE_WORKLOADS: readonly PretuneWorkload[] = TRAINABLE_HERE.map((model) => ({ model, train: [64, 16], infer: [64, 16, 1] }));

/** Compiles a workload's graphs for a built model (their kernels meet, and queue, its shape classes); the caller disposes them. */
export function workloadPrograms(model: Model, w: PretuneWorkload): Program[] {
  return [
    ...w.train.map((b) => compileTrainStep(model, new Optimizer({ kind: 'adam', lr: 1e-3 }), b).program),
    ...w.infer.flatMap((b) => [compileEvalStep(model, b).program, compileInference(model, b).program]),
  ];
}

export interface PretuneProgress {
  model: string;
  /** Shape classes timed for this model (those an earlier model shared are not timed again). */
  tuned: number;
  seconds: number;
}

/**
 * Compiles each workload's graphs on `backend` (whose tuner must be on, with no store, and
 * with no shipped choices when every shape class is to be timed here), tunes what they
 * queued, and returns the winners as a shipped table.
 */
export async function pretune(
  backend: WebGPUBackend,
  workloads: readonly PretuneWorkload[] = PRETUNE_WORKLOADS,
  onProgress?: (p: PretuneProgress) => void,
): Promise<PretunedChoices> {
  if (!backend.tuner.enabled) throw new Error('tune: the backend was made with autotune off; nothing would be timed');
  for (const w of workloads) {
    const make = MODELS[w.model];
    if (!make) throw new Error(`tune: no zoo model '${w.model}' (models: ${Object.keys(MODELS).join(', ')})`);
    const start = performance.now();
    const model = make().build(backend, { seed: 1 });
    try {
      const programs = workloadPrograms(model, w);
      const tuned = await backend.autotune();
      for (const p of programs) p.dispose();
      onProgress?.({ model: w.model, tuned, seconds: (performance.now() - start) / 1000 });
    } finally {
      model.dispose();
    }
  }
  return backend.tuner.timedChoices();
}
