import type { Backend } from '../backends/backend';
import { adamUpdate, adamUpdatePair, sgdUpdate, sgdUpdatePair, type AdamUpdateAttrs } from '../ops/optimizer';
import { full, type Tensor } from '../tensor';
import type { ModelParam } from '../nn/model';
import { checkSchedule, learningRate, type Schedule } from './schedules';

export type OptimizerConfig =
  | { kind: 'sgd'; lr: number; momentum?: number; nesterov?: boolean; weightDecay?: number; schedule?: Schedule }
  | { kind: 'adam' | 'adamw'; lr: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number; schedule?: Schedule };

/**
 * An optimizer: its state tensors (velocity, or Adam's moments) live on the device
 * next to the weights, and each step is one in-place update kernel per weight. The
 * per-step numbers (scheduled learning rate, bias corrections) go in through the
 * `hyper` input, so a compiled step never changes.
 */
export class Optimizer {
  /** Optimizer steps taken (Adam's t is steps + 1 during a step). */
  steps = 0;
  /**
   * Multiplies the scheduled learning rate (reduce-on-plateau lowers it); saved in
   * checkpoints, so a resumed run goes on at the reduced rate.
   */
  lrFactor = 1;
  private readonly state = new Map<string, Tensor[]>();

  readonly config: OptimizerConfig;
  constructor(config: OptimizerConfig) {
    this.config = config;
    if (!(config.lr > 0)) throw new Error(`optimizer ${config.kind}: lr must be positive, got ${config.lr}`);
    if (config.kind === 'sgd' && config.nesterov && !(config.momentum! > 0)) throw new Error('optimizer sgd: nesterov needs momentum > 0');
    if (config.schedule) checkSchedule(config.schedule);
  }

  /** Length of the hyper tensor: [lr] for SGD, [lr, bc1, bc2] for Adam. */
  get hyperLength(): number {
    return this.config.kind === 'sgd' ? 1 : 3;
  }

  /** Learning rate at a step (0-based), after the schedule. */
  learningRate(step = this.steps): number {
    return (this.config.schedule ? learningRate(this.config.lr, this.config.schedule, step) : this.config.lr) * this.lrFactor;
  }

  /** The hyper values for the step about to run. */
  hyper(step = this.steps): Float32Array {
    const lr = this.learningRate(step);
    if (this.config.kind === 'sgd') return Float32Array.of(lr);
    const t = step + 1;
    return Float32Array.of(lr, 1 - (this.config.beta1 ?? 0.9) ** t, 1 - (this.config.beta2 ?? 0.999) ** t);
  }

  private stateNames(): string[] {
    if (this.config.kind === 'sgd') return (this.config.momentum ?? 0) > 0 ? ['velocity'] : [];
    return ['m', 'v'];
  }

  /** State tensors of a weight, created as zeros on first use. */
  stateFor(param: ModelParam, backend: Backend): Tensor[] {
    let s = this.state.get(param.name);
    if (!s) {
      s = this.stateNames().map(() => full(backend, param.tensor.shape, 0));
      this.state.set(param.name, s);
    }
    return s;
  }

  /** Every state tensor by checkpoint name (`<weight>.<state>`). */
  namedState(): [string, Tensor][] {
    const names = this.stateNames();
    return [...this.state].flatMap(([param, tensors]) => tensors.map((t, i): [string, Tensor] => [`${param}.${names[i]}`, t]));
  }

  /**
   * Appends the update of `param` (the tensor the step computes with: traced in a
   * graph) from `grad`, using `use` to map real state tensors into the step.
   */
  update(param: ModelParam, traced: Tensor, grad: Tensor, hyper: Tensor, use: (t: Tensor) => Tensor, backend: Backend): void {
    const state = this.stateFor(param, backend).map(use);
    const c = this.config;
    const lrScale = param.layer.lrScale;
    if (c.kind === 'sgd') {
      const momentum = c.momentum ?? 0;
      sgdUpdate(traced, grad, hyper, momentum > 0 ? state[0] : null, { momentum, nesterov: c.nesterov ?? false, weightDecay: c.weightDecay ?? 0, lrScale });
    } else {
      adamUpdate(traced, grad, hyper, state[0], state[1], { ...this.adamAttrs(), lrScale });
    }
  }

  /**
   * Updates every trainable weight: two weights per kernel (a layer's weight and bias)
   * where the backend can bind the pair's storage buffers (Adam 9, SGD 7) and the two
   * share a learning-rate scale, one otherwise. `entries` holds each weight with its
   * traced tensor and gradient.
   */
  updateAll(entries: readonly { param: ModelParam; traced: Tensor; grad: Tensor }[], hyper: Tensor, use: (t: Tensor) => Tensor, backend: Backend): void {
    const c = this.config;
    const needed = c.kind === 'sgd' ? 7 : 9;
    const pairs = (backend.maxStorageBuffersPerKernel ?? Infinity) >= needed;
    for (let i = 0; i < entries.length; ) {
      const a = entries[i];
      const b = pairs && entries[i + 1]?.param.layer.lrScale === a.param.layer.lrScale ? entries[i + 1] : undefined;
      i += b ? 2 : 1;
      if (!b) {
        this.update(a.param, a.traced, a.grad, hyper, use, backend);
        continue;
      }
      const lrScale = a.param.layer.lrScale;
      const [sa, sb] = [this.stateFor(a.param, backend).map(use), this.stateFor(b.param, backend).map(use)];
      if (c.kind === 'sgd') {
        const momentum = c.momentum ?? 0;
        sgdUpdatePair(a.traced, b.traced, a.grad, b.grad, hyper, momentum > 0 ? [sa[0], sb[0]] : null, {
          momentum,
          nesterov: c.nesterov ?? false,
          weightDecay: c.weightDecay ?? 0,
          lrScale,
        });
      } else {
        adamUpdatePair(a.traced, b.traced, a.grad, b.grad, hyper, [sa[0], sa[1], sb[0], sb[1]], { ...this.adamAttrs(), lrScale });
      }
    }
  }

  private adamAttrs(): AdamUpdateAttrs {
    const c = this.config;
    if (c.kind === 'sgd') throw new Error('optimizer sgd: no Adam attributes');
    return {
      beta1: c.beta1 ?? 0.9,
      beta2: c.beta2 ?? 0.999,
      eps: c.eps ?? 1e-8,
      weightDecay: c.weightDecay ?? (c.kind === 'adamw' ? 0.01 : 0),
      decoupled: c.kind === 'adamw',
    };
  }

  dispose(): void {
    for (const list of this.state.values()) for (const t of list) t.dispose();
    this.state.clear();
  }
}
