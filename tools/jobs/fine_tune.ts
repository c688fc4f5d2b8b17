// Fine-tuning a network started from --init, as the lecture decks teach it: the replaced
// head trains at the run's learning rate, and the pretrained body is frozen
// (--freeze-body), trained at a fraction of that rate (--body-lr-scale 0.1), or unfrozen
// layer by layer from the top on a schedule (--unfreeze-every EPOCHS). The model's own
// freezing and learning-rate scales do the work (Model.freeze, Model.scaleLearningRate,
// unfreezeSchedule); this module only decides which layers are the head and the body.
import type { Layer } from '../../src/nn/layer';
import type { Model } from '../../src/nn/model';
import { type FitCallback, unfreezeSchedule, type UnfreezeStep } from '../../src/training/callbacks';

/** The fine-tuning options of a run (npm run train's --freeze-body, --body-lr-scale, --unfreeze-every). */
export interface FineTuneConfig {
  /** Train only the head: every body layer is frozen (the start of --unfreeze-every too). */
  freezeBody?: boolean;
  /** The body's learning rate as a multiple of the head's (0.1, 0.01). */
  bodyLrScale?: number;
  /** Unfreeze one more body layer, from the top, every this many epochs (the body starts frozen). */
  unfreezeEvery?: number;
}

/** Which layers are the head and the body, and the schedule that unfreezes the body. */
export interface FineTunePlan {
  /** The head: the last layer with weights (the classifier a new class count replaces). */
  head: string;
  /** The body's layers with weights, in forward order. */
  body: string[];
  /** --unfreeze-every: the layers each epoch unfreezes (top first; a batch norm goes with the layer before it). */
  schedule: UnfreezeStep[];
  /** What the run's start line says of it. */
  description: string;
}

/** Whether a run asks for any fine-tuning. */
export const isFineTuning = (c: FineTuneConfig): boolean => !!c.freezeBody || c.bodyLrScale !== undefined || c.unfreezeEvery !== undefined;

const hasWeights = (model: Model) => {
  const owners = new Set(
    model
      .params()
      .filter((p) => p.spec.kind === 'weight')
      .map((p) => p.layer),
  );
  return (l: Layer) => owners.has(l);
};

/**
 * Splits `model` into head and body and applies `c`: freezes the body (--freeze-body,
 * --unfreeze-every), scales its learning rate (--body-lr-scale). `fresh` names the weights
 * --init did not load: a frozen body must hold none of them (it would stay random).
 */
export function planFineTuning(model: Model, c: FineTuneConfig, fresh: readonly string[], init: string): FineTunePlan {
  const weighted = model.layers.filter(hasWeights(model));
  if (weighted.length < 2) throw new Error(`train: fine-tuning ${model.name} needs a body and a head, but it has ${weighted.length} layer(s) with weights`);
  const head = weighted.at(-1)!;
  const body = weighted.slice(0, -1);
  const frozenStart = !!c.freezeBody || c.unfreezeEvery !== undefined;
  if (frozenStart) {
    const bodyNames = new Set(body.map((l) => l.name));
    const random = fresh.filter((name) => bodyNames.has(name.slice(0, name.lastIndexOf('.'))));
    if (random.length > 0)
      throw new Error(
        `train: --${c.freezeBody ? 'freeze-body' : 'unfreeze-every'}: --init ${init} holds no weights for ${random.slice(0, 3).join(', ')}${random.length > 3 ? ` and ${random.length - 3} more` : ''} of the body, which frozen would stay random; train them (leave the flag out, or use --body-lr-scale)`,
      );
  }
  const names = body.map((l) => l.name);
  if (c.bodyLrScale !== undefined) model.scaleLearningRate(c.bodyLrScale, ...names);
  if (frozenStart) model.freeze(...names);
  // Top first; a batch norm unfreezes with the layer it normalises (the one before it).
  const groups: string[][] = [];
  for (const l of body) {
    if (l.kind === 'batch_norm' && groups.length > 0) groups.at(-1)!.push(l.name);
    else groups.push([l.name]);
  }
  const every = c.unfreezeEvery;
  const schedule = every === undefined ? [] : groups.reverse().map((layers, i) => ({ epoch: 1 + (i + 1) * every, layers }));
  const rate = c.bodyLrScale === undefined ? 'the same rate as the head' : `${c.bodyLrScale} times the head's learning rate`;
  const description =
    every !== undefined
      ? `fine-tuning: head ${head.name}; the body (${names.length} layers with weights) starts frozen, and from epoch ${1 + every} one more of its ${groups.length} layer groups unfreezes every ${every} epoch(s), top first, at ${rate}`
      : c.freezeBody
        ? `fine-tuning: only the head ${head.name} trains; the body (${names.length} layers with weights, ${names[0]} to ${names.at(-1)}) is frozen`
        : `fine-tuning: head ${head.name} at the learning rate; the body (${names.length} layers with weights) at ${rate}`;
  return { head: head.name, body: names, schedule, description };
}

/** --unfreeze-every's fit callback: unfreezes on schedule and reports the layers each epoch unfroze. */
export function unfreezeCallback(model: Model, plan: FineTunePlan, onUnfreeze: (epoch: number, layers: string[]) => void | Promise<void>): FitCallback {
  const schedule = unfreezeSchedule(plan.schedule);
  return {
    async onEpochBegin(epoch, host) {
      const frozen = plan.body.filter((n) => model.layer(n).frozen);
      await schedule.onEpochBegin!(epoch, host);
      const unfrozen = frozen.filter((n) => !model.layer(n).frozen);
      if (unfrozen.length > 0) await onUnfreeze(epoch, unfrozen);
    },
  };
}

/**
 * The schedule's state at a checkpoint that stands at `progress` (epochs completed, steps
 * into the next): the layers unfrozen by then, unfrozen before the checkpoint (with their
 * optimizer state) is loaded.
 */
export function unfreezeAt(model: Model, plan: FineTunePlan, progress: { epoch: number; batch: number }): void {
  const begun = progress.epoch + (progress.batch > 0 ? 1 : 0);
  for (const s of plan.schedule) if (s.epoch <= begun) model.unfreeze(...s.layers);
}
