// Training health: the rules that say a fit has diverged. A NaN or infinite loss is one;
// a finite loss that explodes (Adam at lr 1e3 reaches 1e22 long before NaN) and an
// epoch whose accuracy is no better than always guessing the most common class are
// the others. Each rule is checked on values fit already reads back: no extra sync.

/** Which rule fired. */
export type DivergenceRule = 'non-finite' | 'loss-explosion' | 'chance-accuracy';

export interface DivergenceOptions {
  /**
   * A step whose loss is above this multiple of the lowest loss so far in the fit has
   * diverged (default 1e3; 'off' turns the rule off). The lowest loss counts as at
   * least 1/100 of the first step's, so a loss that has converged near zero does not
   * turn ordinary noise into an alarm.
   */
  lossFactor?: number | 'off';
  /**
   * An epoch after the first whose training accuracy is no better than always
   * predicting the training data's most common class has diverged (default true;
   * losses of class labels only; epochs of CHANCE_MIN_EXAMPLES examples or more, since
   * on a few dozen examples a learning model lands at chance by luck).
   */
  chanceAccuracy?: boolean;
}

/** What a rule found, as fit reports it (DivergenceError, or EpochReport.warnings with onDiverge 'warn'). */
export interface DivergenceFinding {
  rule: DivergenceRule;
  /** 0-based optimizer step (for chance-accuracy, the epoch's last). */
  step: number;
  /** 1-based epoch and batch. */
  epoch: number;
  batch: number;
  /** The step's loss, or the epoch's mean loss for chance-accuracy. */
  loss: number;
  /** What the rule compared against, in words. */
  detail: string;
}

/** Checks the options once, naming the bad one. */
export function checkDivergenceOptions(o: DivergenceOptions | undefined): void {
  const f = o?.lossFactor;
  if (f !== undefined && f !== 'off' && !(typeof f === 'number' && Number.isFinite(f) && f > 1)) {
    throw new Error(`fit: divergence.lossFactor must be a number above 1 or 'off', got ${typeof f === 'string' ? `'${f}'` : f}`);
  }
  const c = o?.chanceAccuracy;
  if (c !== undefined && typeof c !== 'boolean') throw new Error(`fit: divergence.chanceAccuracy must be true or false, got ${String(c)}`);
}

/** The fewest examples an epoch must train on for the chance-accuracy rule to judge it. */
export const CHANCE_MIN_EXAMPLES = 1000;

/** The share of the most common label: what always guessing one class scores. */
export function majorityShare(labels: ArrayLike<number>, classes: number): number {
  if (labels.length === 0) return 0;
  const counts = new Array<number>(Math.max(classes, 1)).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return Math.max(...counts) / labels.length;
}

/** The rules' state over one fit. */
export class DivergenceWatch {
  private readonly factor: number | null;
  /** The majority share to beat, or null when the rule is off or the loss learns no labels. */
  private readonly chance: number | null;
  private lowest = Infinity;
  private floor = 0;

  constructor(options: DivergenceOptions | undefined, chance: number | null) {
    const f = options?.lossFactor ?? 1e3;
    this.factor = f === 'off' ? null : f;
    this.chance = (options?.chanceAccuracy ?? true) ? chance : null;
  }

  /** A finite step loss: explosion finding, or null (and the lowest loss moves). */
  step(loss: number, at: Omit<DivergenceFinding, 'rule' | 'detail' | 'loss'>): DivergenceFinding | null {
    if (this.factor === null) return null;
    if (this.lowest === Infinity) this.floor = loss / 100;
    const reference = Math.max(this.lowest, this.floor);
    if (this.lowest !== Infinity && loss > this.factor * reference) {
      return { rule: 'loss-explosion', ...at, loss, detail: `over ${this.factor} times the lowest loss so far (${reference.toPrecision(4)})` };
    }
    this.lowest = Math.min(this.lowest, loss);
    return null;
  }

  /** A finished epoch (1-based) of `examples` examples: chance-accuracy finding, or null. The first epoch is never judged. */
  epoch(epoch: number, accuracy: number, loss: number, step: number, batches: number, examples: number): DivergenceFinding | null {
    if (this.chance === null || epoch < 2 || examples < CHANCE_MIN_EXAMPLES || !(accuracy <= this.chance)) return null;
    return {
      rule: 'chance-accuracy',
      step,
      epoch,
      batch: batches,
      loss,
      detail: `its training accuracy ${accuracy.toFixed(4)} is no better than always predicting the most common class (${this.chance.toFixed(4)})`,
    };
  }
}

/** One line saying what happened, for messages and metrics. */
export function describeFinding(f: DivergenceFinding, learningRate: number): string {
  if (f.rule === 'chance-accuracy') return `epoch ${f.epoch} ended at chance: ${f.detail}, with learning rate ${learningRate}`;
  if (f.rule === 'loss-explosion')
    return `the loss became ${f.loss.toPrecision(4)} at step ${f.step} (epoch ${f.epoch}, batch ${f.batch}) with learning rate ${learningRate}, ${f.detail}`;
  return `the loss became ${f.loss} at step ${f.step} (epoch ${f.epoch}, batch ${f.batch}) with learning rate ${learningRate}`;
}

/** Raised inside fit's loop when a rule fires with onDiverge 'stop'; fit turns it into a DivergenceError after restoring. */
export class Diverged extends Error {
  readonly finding: DivergenceFinding;
  readonly learningRate: number;
  constructor(finding: DivergenceFinding, learningRate: number) {
    super(describeFinding(finding, learningRate));
    this.finding = finding;
    this.learningRate = learningRate;
  }
}

/** A rule that fired with onDiverge 'warn': fit carried on. */
export interface DivergenceWarning {
  rule: DivergenceRule;
  step: number;
  epoch: number;
  message: string;
}
