/**
 * Learning-rate schedules, as functions of the optimizer step (0-based). Warm-up, when
 * given, ramps linearly from lr/warmupSteps to lr over the first warmupSteps steps and
 * the schedule proper starts after it.
 */
export type Schedule =
  | { kind: 'constant'; warmupSteps?: number }
  | { kind: 'step'; stepSize: number; gamma: number; warmupSteps?: number }
  | { kind: 'exponential'; decaySteps: number; gamma: number; warmupSteps?: number }
  | { kind: 'cosine'; totalSteps: number; minLr?: number; warmupSteps?: number };

export function learningRate(base: number, schedule: Schedule, step: number): number {
  const warm = schedule.warmupSteps ?? 0;
  if (step < warm) return (base * (step + 1)) / warm;
  const s = step - warm;
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.gamma ** Math.floor(s / schedule.stepSize);
    case 'exponential':
      return base * schedule.gamma ** (s / schedule.decaySteps);
    case 'cosine': {
      const min = schedule.minLr ?? 0;
      const span = Math.max(1, schedule.totalSteps - warm);
      return min + ((base - min) * (1 + Math.cos((Math.PI * Math.min(s, span)) / span))) / 2;
    }
  }
}

/** Checks a schedule's numbers, naming the bad one. */
export function checkSchedule(schedule: Schedule): void {
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && !(v > 0)) throw new Error(`schedule ${schedule.kind}: ${name} must be positive, got ${v}`);
  };
  if (schedule.warmupSteps !== undefined && !(schedule.warmupSteps >= 0))
    throw new Error(`schedule ${schedule.kind}: warmupSteps must be >= 0, got ${schedule.warmupSteps}`);
  if (schedule.kind === 'step') {
    positive('stepSize', schedule.stepSize);
    positive('gamma', schedule.gamma);
  }
  if (schedule.kind === 'exponential') {
    positive('decaySteps', schedule.decaySteps);
    positive('gamma', schedule.gamma);
  }
  if (schedule.kind === 'cosine') positive('totalSteps', schedule.totalSteps);
}
