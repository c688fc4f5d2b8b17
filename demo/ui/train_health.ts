// Training health on the Train page: warnings a learner should see while the run goes on,
// before (or instead of) the trainer's divergence rules stopping it. The trainer stops a
// run whose loss passes 1,000 times its lowest (or turns NaN); these warn earlier and on
// what the trainer does not watch: a test accuracy stuck at chance, weights that do not move.

/** Which warning: the loss exploded, the accuracy sits at chance, or the gradient is zero. */
export type HealthRule = 'loss-explosion' | 'chance-accuracy' | 'zero-gradient';

export interface HealthWarning {
  rule: HealthRule;
  /** The optimizer step (1-based, as the charts count) where it was seen. */
  step: number;
  /** What happened and what to change, in a sentence or two. */
  message: string;
}

/** Over this multiple of the starting loss the loss has exploded. */
export const LOSS_EXPLOSION_FACTOR = 10;
/** Live evaluations in a row at chance before the accuracy "sits" there. */
export const CHANCE_EVALUATIONS = 3;
/** Above chance by less than this counts as at chance (500 test images: one standard error is about 0.013). */
export const CHANCE_MARGIN = 0.02;

/** Watches one run's losses, live evaluations and weight updates; each rule warns once. */
export class HealthWatch {
  readonly warnings: HealthWarning[] = [];
  private start: number | null = null;
  private atChance = 0;

  private readonly chance: number;
  private readonly learningRate: number;

  /** `chance`: the accuracy of always guessing the commonest class of the evaluated images. */
  constructor(chance: number, learningRate: number) {
    this.chance = chance;
    this.learningRate = learningRate;
  }

  /** The loss the run started from (its first finite batch loss), or null before any. */
  get startLoss(): number | null {
    return this.start;
  }

  /** A batch's loss; the new warning, if this one raised it. */
  batch(step: number, loss: number): HealthWarning | null {
    if (this.start === null) {
      if (Number.isFinite(loss)) this.start = loss;
      return null;
    }
    const start = this.start;
    if (!(loss > LOSS_EXPLOSION_FACTOR * start || !Number.isFinite(loss))) return null;
    return this.raise(
      'loss-explosion',
      step,
      `The loss exploded: ${Number.isFinite(loss) ? loss.toPrecision(3) : String(loss)} at step ${step}, over ${LOSS_EXPLOSION_FACTOR} times its start (${start.toPrecision(3)}). The learning rate (${this.learningRate}) is too high: try a tenth of it.`,
    );
  }

  /** A live evaluation's accuracy; warns after CHANCE_EVALUATIONS in a row at chance. */
  evaluation(step: number, accuracy: number): HealthWarning | null {
    this.atChance = accuracy <= this.chance + CHANCE_MARGIN ? this.atChance + 1 : 0;
    if (this.atChance < CHANCE_EVALUATIONS) return null;
    return this.raise(
      'chance-accuracy',
      step,
      `The test accuracy sat at chance (${accuracy.toFixed(3)}, guessing one class scores ${this.chance.toFixed(3)}) for ${this.atChance} evaluations in a row up to step ${step}: the network learns nothing. Check the learning rate (${this.learningRate}: too high collapses every prediction into one class, too low moves nothing).`,
    );
  }

  /**
   * The weights' change since the last evaluation, relative to their size (‖Δw‖ / ‖w‖) over
   * `steps` steps: none at all means every gradient was zero (no optimizer here moves a
   * weight without one, unless weight decay does).
   */
  update(step: number, relativeChange: number, steps: number): HealthWarning | null {
    if (!(steps > 0) || relativeChange > 0) return null;
    return this.raise(
      'zero-gradient',
      step,
      `The gradient norm is zero: no weight changed in the ${steps} steps up to step ${step}. Nothing flows back through the network (dead ReLUs after a too-high learning rate, or every layer frozen).`,
    );
  }

  private raise(rule: HealthRule, step: number, message: string): HealthWarning | null {
    if (this.warnings.some((w) => w.rule === rule)) return null;
    const w = { rule, step, message };
    this.warnings.push(w);
    return w;
  }
}
