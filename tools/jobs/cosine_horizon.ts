// The cosine schedule under a time budget: its length in steps is what the budget holds
// at the pace of the steps so far, which only timing can tell, and which changes when the
// machine gets busier or quieter. Fitted once, an early pace slower than the rest (the
// first steps compile and tune kernels, a neighbour job ends) ends the schedule before
// the budget and trains the rest at a rate of zero; so it is refitted at every step.
import type { Schedule } from '../../src/training/schedules';

/** Steps timed after the first five (compiling and tuning) before the first fit. */
export const HORIZON_AFTER_STEPS = 20;

/** What the horizon reads of the trainer: the step count and the schedule it sets. */
export interface HorizonTrainer {
  readonly optimizer: { readonly steps: number; readonly config: { readonly schedule?: Schedule } };
}

/**
 * With the cosine schedule, returns the onStep hook that keeps its length at the steps done
 * plus those the rest of the budget holds at the pace since the fifth step; the first fit
 * waits for HORIZON_AFTER_STEPS timed steps and a twentieth of the budget (until then the
 * rate stays near its start, or at the length a resumed run's checkpoint kept). The length
 * goes to `fitted` (the job's config.scheduleSteps, kept by the checkpoints). The budget is
 * counted as fit counts it: from the first step's loss. A resumed run gives the pace of its
 * steps so far (`resumedMsPerStep`): the length is fitted with it at once, since the kept one
 * may end where the run stopped (a run its budget ended, resumed with a larger one).
 */
export function cosineHorizon(
  trainer: HorizonTrainer,
  budgetMs: number,
  fitted: (steps: number) => void,
  now: () => number = () => performance.now(),
  resumedMsPerStep?: number,
): { onStep(): void } | null {
  const schedule = trainer.optimizer.config.schedule;
  if (schedule?.kind !== 'cosine') return null;
  if (resumedMsPerStep !== undefined && resumedMsPerStep > 0) {
    schedule.totalSteps = trainer.optimizer.steps + Math.max(1, Math.floor(budgetMs / resumedMsPerStep));
    fitted(schedule.totalSteps);
  }
  let start = 0;
  let from: { at: number; steps: number } | null = null;
  let seen = 0;
  return {
    onStep() {
      const at = now();
      const steps = trainer.optimizer.steps;
      if (++seen === 1) start = at;
      if (seen === 5) from = { at, steps };
      if (!from || steps - from.steps < HORIZON_AFTER_STEPS || at - start < budgetMs / 20) return;
      const perStep = (at - from.at) / (steps - from.steps);
      schedule.totalSteps = steps + Math.max(1, Math.floor((budgetMs - (at - start)) / perStep));
      fitted(schedule.totalSteps);
    },
  };
}
