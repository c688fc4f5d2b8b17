import { checkpointTensors } from '../io/checkpoint';
import { assign } from '../ops/optimizer';
import { full, type Tensor } from '../tensor';
import type { Model } from '../nn/model';
import type { Optimizer } from './optimizers';
import type { TrainingProgress } from '../io/checkpoint_metadata';

interface Slot {
  readonly copies: Map<string, Tensor>;
  progress: TrainingProgress;
  /** Optimizer steps taken when the copy was made: the next step to run from it. */
  steps: number;
}

/**
 * Copies, on the model's own device, of every weight, running statistic and optimizer
 * state tensor, to put back when a loss turns NaN, so a diverged fit leaves good weights
 * rather than NaN ones. Copies are GPU-to-GPU (`assign`): no host round trip, no sync.
 *
 * A copy taken after step k holds weights no loss has been computed from yet (step k's
 * update may itself have made them NaN). So there are two slots: the confirmed copy,
 * and a candidate that becomes confirmed once a later step's loss comes back finite.
 * Divergence restores the confirmed one.
 */
export class LastGood {
  private confirmed: Slot | null = null;
  private candidate: Slot | null = null;
  private spare: Map<string, Tensor> | null = null;

  private readonly model: Model;
  private readonly optimizer: Optimizer;
  constructor(model: Model, optimizer: Optimizer) {
    this.model = model;
    this.optimizer = optimizer;
  }

  /** What a checkpoint would hold: the copies cover the same tensors. */
  private tensors(): [string, Tensor][] {
    return checkpointTensors(this.model, this.optimizer);
  }

  /**
   * Copies the current values (after all work enqueued so far), where no step is in
   * flight. `trusted`: the values are known good already (what fit started from).
   */
  take(progress: TrainingProgress, trusted = false): void {
    // Reuse the candidate's tensors if it was never confirmed, else the spare set.
    const copies = this.candidate?.copies ?? this.spare ?? new Map<string, Tensor>();
    this.spare = null;
    for (const [name, t] of this.tensors()) {
      let copy = copies.get(name);
      if (!copy) copies.set(name, (copy = full(t.backend, t.shape, 0)));
      assign(copy, t);
    }
    this.candidate = { copies, progress: { ...progress }, steps: this.optimizer.steps };
    if (trusted) this.promote();
  }

  /** A step's loss came back finite: a candidate taken at or before that step is good. */
  confirm(step: number): void {
    if (this.candidate && step >= this.candidate.steps) this.promote();
  }

  private promote(): void {
    if (this.confirmed) this.spare = this.confirmed.copies;
    this.confirmed = this.candidate;
    this.candidate = null;
  }

  /** Writes the confirmed copy back; returns where it was taken (null if there is none). */
  restore(): { progress: TrainingProgress; steps: number } | null {
    const slot = this.confirmed;
    if (!slot) return null;
    for (const [name, t] of this.tensors()) {
      const copy = slot.copies.get(name);
      if (copy) assign(t, copy);
    }
    this.optimizer.steps = slot.steps;
    return { progress: { ...slot.progress }, steps: slot.steps };
  }

  dispose(): void {
    for (const set of [this.confirmed?.copies, this.candidate?.copies, this.spare]) for (const t of set?.values() ?? []) t.dispose();
    this.confirmed = this.candidate = null;
    this.spare = null;
  }
}
