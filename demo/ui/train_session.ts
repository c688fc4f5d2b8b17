// One Train page session without the DOM: the data, the model and its trainer, the run
// with its live evaluations and health checks, and what the page asks of the model after
// (activations, top-9 patches, files). The page runs it in its own thread on WebGPU and
// in a Web Worker on the CPU backend (train_worker.ts), where the CPU's long synchronous
// steps cannot freeze the page; either way it speaks through `emit` and plain data.
import type { Backend } from '../../src/backends/backend';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { take, type Dataset } from '../../src/data/dataset';
import type { SplitDatasets } from '../../src/data/files';
import { saveCheckpoint } from '../../src/io/checkpoint';
import { runFileDisagreement } from '../../src/io/checkpoint_metadata';
import { exportOnnx } from '../../src/io/onnx/onnx_export';
import { safetensorsMetadata } from '../../src/io/safetensors';
import { exportStateDict } from '../../src/io/state_dict';
import type { Model } from '../../src/nn/model';
import { MODELS } from '../../src/nn/zoo';
import { sizeOf } from '../../src/shape';
import { majorityShare } from '../../src/training/divergence';
import type { EpochReport } from '../../src/training/reports';
import { Trainer } from '../../src/training/trainer';
import { jobModel, optimizerConfig, TRAIN_AUGMENTATION } from '../../tools/jobs/train_job';
import { webgpu } from './backend_choice';
import { HealthWatch } from './train_health';
import { FULL_RUN, LIVE_TEST_IMAGES, liveEvalEvery, runEtaSeconds, runSeconds } from './train_plan';
import { activationView, loadData, patchView, relativeChange } from './train_inspect';
import { SAMPLE_COUNT, type ActivationView, type PatchView, type SessionConfig, type SessionEvent, type SessionInfo } from './train_protocol';

export type { ActivationView, BatchEvent, EvaluationEvent, PatchView, SessionConfig, SessionEvent, SessionInfo } from './train_protocol';

/** Lets the thread take its messages (a Pause) between two CPU steps, which otherwise run back to back. */
const nextTask = () => new Promise<void>((r) => setTimeout(r, 0));

/** A run's measured speed: seconds per step (the first steps compile, so they are left out) and per evaluation. */
class Clock {
  private steps: number[] = [];
  private seen = 0;
  liveEvalSeconds = 0;
  /** Seconds per evaluated image. */
  evalPerImage = 0;

  step(seconds: number): void {
    if (++this.seen <= 3) return;
    this.steps.push(seconds);
    if (this.steps.length > 30) this.steps.shift();
  }

  get stepSeconds(): number | null {
    return this.steps.length ? this.steps.reduce((a, b) => a + b, 0) / this.steps.length : null;
  }
}

export class TrainSession {
  readonly info: SessionInfo;
  private readonly live: Dataset;
  private abort = new AbortController();
  private paused = false;
  private resumeRun: (() => void) | null = null;
  private running: Promise<unknown> | null = null;
  private step = 0;
  private readonly epochs: EpochReport[] = [];
  private readonly evaluations: { step: number; epoch: number; scope: string; images: number; loss: number; accuracy: number }[] = [];
  private health: HealthWatch;
  private activationIndex = 0;
  private lastWeights: Float32Array[] | null = null;
  private lastWeightsStep = 0;
  private divergence: { rule: string; message: string } | null = null;
  /** Training and evaluation images per second, once both were measured. */
  private speed: { train: number; evaluate: number } | null = null;

  private readonly config: SessionConfig;
  private readonly backend: Backend;
  private readonly model: Model;
  private readonly trainer: Trainer;
  private readonly data: SplitDatasets & { mean: number; std: number };
  private readonly emit: (e: SessionEvent) => void;
  /** Give the thread a turn between steps (the CPU backend, whose steps never wait). */
  private readonly yieldEachStep: boolean;

  private constructor(
    parts: { config: SessionConfig; backend: Backend; model: Model; trainer: Trainer; data: SplitDatasets & { mean: number; std: number } },
    initReport: string,
    emit: (e: SessionEvent) => void,
  ) {
    const { config, backend, model, trainer, data } = parts;
    this.config = config;
    this.backend = backend;
    this.model = model;
    this.trainer = trainer;
    this.data = data;
    this.emit = emit;
    this.yieldEachStep = backend.name === 'cpu';
    const test = data.test;
    this.live = take(test, LIVE_TEST_IMAGES);
    const maps = model.nodes.filter((n) => n.output.shape.length === 3);
    const convs = maps.filter((n) => n.layer.kind.includes('conv') && !n.layer.kind.includes('transpose'));
    const per = sizeOf(test.shape);
    const samples = Math.min(SAMPLE_COUNT, test.count);
    const gpu = backend as Backend & { adapterInfo?: GPUAdapterInfo; isFallbackAdapter?: boolean };
    this.info = {
      model: model.name,
      backend: backend.name,
      adapter: gpu.adapterInfo
        ? [gpu.adapterInfo.vendor, gpu.adapterInfo.architecture].filter(Boolean).join(' ') || 'unnamed adapter'
        : 'CPU reference backend',
      fallback: gpu.isFallbackAdapter ?? false,
      source: data.source,
      trainCount: data.train.count,
      testCount: test.count,
      liveCount: this.live.count,
      classes: data.classes,
      initReport,
      mapLayers: maps.map((n) => n.layer.name),
      deepestConv: convs.at(-1)?.layer.name ?? null,
      samples: { images: test.images.slice(0, samples * per), labels: test.labels.slice(0, samples), shape: [...test.shape] },
      chance: majorityShare(this.live.labels, data.classes.length),
    };
    this.health = new HealthWatch(this.info.chance, config.lr);
  }

  /** Loads the data, builds the model (from the zoo, or a picked file) and its trainer. */
  static async open(config: SessionConfig, emit: (e: SessionEvent) => void): Promise<TrainSession> {
    const data = await loadData(config);
    let backend: Backend;
    if (config.backend === 'cpu') backend = new CpuBackend();
    else {
      const gpu = await webgpu();
      if (gpu instanceof Error) throw gpu;
      backend = gpu;
    }
    // The model of the picker, or the network of a .onnx file, or the picker's with a state dict's weights.
    const picked = { model: config.model, dataset: 'fashion-mnist' as const, seed: 1, init: config.init?.name };
    const { model, init } = jobModel(picked, config.init?.bytes, data.train, backend);
    const initReport = init
      ? `${init.file} (${init.kind}): ${init.loaded} tensors loaded${init.skipped.length ? `, ${init.skipped.length} skipped` : ''}${init.missing.length ? `, ${init.missing.length} kept fresh` : ''}`
      : '';
    const trainer = new Trainer(model, {
      optimizer: optimizerConfig(
        { optimizer: config.optimizer, lr: config.lr, schedule: 'cosine', epochs: config.epochs },
        Math.floor(data.train.count / config.batch),
      ),
      batchSize: config.batch,
      seed: 1,
      augment: config.augment ? { ...TRAIN_AUGMENTATION, pivot: data.pivot } : undefined,
    });
    return new TrainSession({ config, backend, model, trainer, data }, initReport, emit);
  }

  /**
   * Trains `epochs` epochs further: live evaluations on the first LIVE_TEST_IMAGES test
   * images every few steps (under a tenth of the time), the whole test split after each
   * epoch. Rejects with the trainer's DivergenceError when a rule stops it, and with an
   * AbortError after `stop()`.
   */
  async train(epochs: number): Promise<void> {
    if (this.running) throw new Error('train: this session is already training');
    this.abort = new AbortController();
    const run = this.run(epochs);
    this.running = run.catch(() => undefined);
    try {
      await run;
    } finally {
      this.running = null;
    }
  }

  private async run(epochs: number): Promise<void> {
    const batches = Math.floor(this.data.train.count / this.config.batch);
    const runSteps = epochs * batches;
    const firstStep = this.step;
    const clock = new Clock();
    let every = 10;
    let nextEval = this.step + 10;
    let last = performance.now();
    let lastFilters = 0;
    let trainingSeconds = 0;
    let evaluatedOnce = false;
    const speed = () => {
      const s = clock.stepSeconds;
      if (s && clock.evalPerImage) this.speed = { train: this.config.batch / s, evaluate: 1 / clock.evalPerImage };
      return this.speed;
    };
    // Each handler ends by resetting `last`, so the time spent evaluating, drawing or paused is not a step's.
    await this.trainer
      .fit(this.data.train, {
        epochs,
        signal: this.abort.signal,
        onBatch: async (b) => {
          const now = performance.now();
          clock.step((now - last) / 1000);
          // The first report waits for the step's compilation: not training time.
          if (this.step > firstStep) trainingSeconds += (now - last) / 1000;
          this.step++;
          const warning = this.health.batch(this.step, b.loss);
          if (warning) this.emit({ type: 'health', warning });
          const stepSeconds = clock.stepSeconds;
          const runEpoch = Math.ceil((this.step - firstStep) / batches);
          this.emit({
            type: 'batch',
            step: this.step,
            epoch: b.epoch,
            batch: b.batch,
            batches: b.batches,
            loss: b.loss,
            accuracy: b.accuracy,
            imagesPerSecond: b.imagesPerSecond,
            learningRate: b.learningRate,
            runStep: this.step - firstStep,
            runSteps,
            etaSeconds:
              stepSeconds === null
                ? null
                : runEtaSeconds({
                    epochs,
                    epoch: runEpoch,
                    batch: b.batch,
                    batches,
                    stepSeconds,
                    liveEvalSeconds: clock.liveEvalSeconds,
                    liveEvery: every,
                    testEvalSeconds: clock.evalPerImage * this.data.test.count,
                  }),
            speed: speed(),
          });
          if (now - lastFilters > 1000) {
            lastFilters = now;
            await this.sendFilters();
          }
          // The first evaluation comes early (10 steps, or 3 steps and 4 s of training): a picture in the first minute.
          if (b.batch < b.batches && (this.step >= nextEval || (clock.liveEvalSeconds === 0 && trainingSeconds > 4 && this.step - firstStep >= 3))) {
            this.emit({ type: 'evaluating', step: this.step, scope: 'live', images: this.live.count });
            const t0 = performance.now();
            const r = await this.trainer.evaluate(this.live);
            clock.liveEvalSeconds = (performance.now() - t0) / 1000;
            clock.evalPerImage = clock.liveEvalSeconds / this.live.count;
            // The first evaluation also compiles the evaluation step: its time says little, so the second comes soon.
            every = liveEvalEvery(clock.stepSeconds ?? clock.liveEvalSeconds, clock.liveEvalSeconds);
            if (!evaluatedOnce) every = Math.min(every, 10);
            evaluatedOnce = true;
            nextEval = this.step + every;
            await this.report('live', b.epoch, r, every, clock.liveEvalSeconds);
          }
          if (this.yieldEachStep) await nextTask();
          if (this.paused) {
            this.emit({ type: 'paused', step: this.step, epoch: b.epoch, batch: b.batch, batches: b.batches });
            await new Promise<void>((r) => (this.resumeRun = r));
          }
          last = performance.now();
        },
        onEpoch: async (e) => {
          this.emit({ type: 'evaluating', step: this.step, scope: 'epoch', images: this.data.test.count });
          const t0 = performance.now();
          const r = await this.trainer.evaluate(this.data.test);
          const seconds = (performance.now() - t0) / 1000;
          clock.evalPerImage = seconds / this.data.test.count;
          this.epochs.push({ ...e, testLoss: r.loss, testAccuracy: r.accuracy });
          this.emit({
            type: 'epoch',
            epoch: e.epoch,
            loss: e.loss,
            accuracy: e.accuracy,
            testLoss: r.loss,
            testAccuracy: r.accuracy,
            imagesPerSecond: e.imagesPerSecond,
            seconds: e.seconds,
          });
          await this.report('epoch', e.epoch, r, every, seconds);
          nextEval = this.step + every;
          last = performance.now();
        },
      })
      .catch((e: Error & { rule?: string }) => {
        if (e.name === 'DivergenceError') this.divergence = { rule: e.rule ?? 'non-finite', message: e.message };
        throw e;
      });
  }

  /** Sends an evaluation with the weights' change since the last one, its health and the activation maps. */
  private async report(scope: 'live' | 'epoch', epoch: number, r: Awaited<ReturnType<Trainer['evaluate']>>, every: number, seconds: number): Promise<void> {
    const weightChange = await this.weightChange();
    const images = scope === 'live' ? this.live.count : this.data.test.count;
    this.evaluations.push({ step: this.step, epoch, scope, images, loss: r.loss, accuracy: r.accuracy });
    this.emit({
      type: 'evaluation',
      step: this.step,
      epoch,
      scope,
      images,
      loss: r.loss,
      accuracy: r.accuracy,
      confusion: r.confusion,
      samplePredictions: r.predictions.slice(0, this.info.samples.labels.length),
      seconds,
      every,
      weightChange: weightChange.change,
    });
    for (const w of [
      scope === 'live' ? this.health.evaluation(this.step, r.accuracy) : null,
      this.health.update(this.step, weightChange.change, weightChange.steps),
    ])
      if (w) this.emit({ type: 'health', warning: w });
    this.emit({ type: 'activations', view: await this.activations(this.activationIndex) });
  }

  /** ‖Δw‖ / ‖w‖ of the trainable weights since the last call, and the steps it covers. */
  private async weightChange(): Promise<{ change: number; steps: number }> {
    const now = await Promise.all(this.model.trainableParams().map((p) => p.tensor.read()));
    const before = this.lastWeights;
    // The steps queued so far, not those reported: the queued ones already ran when the weights are read.
    const queued = this.trainer.optimizer.steps;
    const steps = queued - this.lastWeightsStep;
    this.lastWeights = now;
    this.lastWeightsStep = queued;
    return { change: before ? relativeChange(before, now) : NaN, steps: before ? steps : 0 };
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.resumeRun?.();
    this.resumeRun = null;
  }

  /** Stops a run between steps (its queued steps finish first), then frees the session's memory. */
  async dispose(): Promise<void> {
    this.abort.abort();
    this.resume();
    await this.running;
    this.trainer.dispose();
    this.model.dispose();
  }

  async filters(): Promise<{ data: Float32Array; shape: number[] } | null> {
    const first = this.model.params().find((p) => p.layer.kind === 'conv2d' && p.spec.name === 'weight');
    return first ? { data: await first.tensor.read(), shape: [...first.tensor.shape] } : null;
  }

  private async sendFilters(): Promise<void> {
    const f = await this.filters();
    if (f) this.emit({ type: 'filters', ...f });
  }

  /** One test image through the model (inference mode): its class probabilities and every layer's maps. */
  async activations(index: number): Promise<ActivationView> {
    const view = await activationView(this.model, this.backend, this.data.test, index);
    this.activationIndex = view.index;
    return view;
  }

  /** The 9 crops of the first 1,000 test images that excite a filter most, each its receptive field. */
  patches(layer: string, channel: number): Promise<PatchView> {
    return patchView(this.model, take(this.data.test, 1000), layer, channel);
  }

  checkpoint(): Promise<Uint8Array> {
    return this.trainer.saveCheckpoint();
  }

  exportOnnx(): Promise<Uint8Array> {
    return exportOnnx(this.model);
  }

  exportTorch(): Promise<Uint8Array> {
    return exportStateDict(this.model);
  }

  /** The weights for the Visualise page, with what it needs to rebuild the model; or why they cannot go. */
  async handover(key: string): Promise<Uint8Array | string> {
    if (this.config.init?.name.toLowerCase().endsWith('.onnx') || this.model.name !== MODELS[key]().name)
      return `the Visualise page rebuilds zoo models, and ${this.model.name} is not the picker's ${key}`;
    const metadata = { model_key: key, input_mean: String(this.data.mean), input_std: String(this.data.std) };
    return saveCheckpoint(this.model, undefined, { metadata });
  }

  /**
   * Loads a weights or checkpoint file; with the metrics.json of its run (`metrics`), only
   * when both are files of one run. Returns why not, or null when loaded.
   */
  async load(name: string, bytes: Uint8Array, metrics: { name: string; text: string } | null): Promise<string | null> {
    if (this.running) return `${this.model.name} is training. Reset (or let it finish) first, then load ${name}`;
    if (metrics) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(metrics.text);
      } catch (e) {
        return `${metrics.name} is not JSON (${(e as Error).message})`;
      }
      const copy = bytes.slice();
      const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', copy))].map((b) => b.toString(16).padStart(2, '0')).join('');
      const problem = runFileDisagreement(name, safetensorsMetadata(copy, name), digest, parsed);
      if (problem) return problem;
    }
    this.trainer.loadCheckpoint(bytes, name);
    this.lastWeights = null;
    await this.sendFilters();
    this.emit({ type: 'activations', view: await this.activations(this.activationIndex) });
    return null;
  }

  /** The run so far as metrics.json: the choices, every epoch and evaluation, the health warnings and any divergence. */
  metrics(): Record<string, unknown> {
    const { files: _files, init, ...choices } = this.config;
    return {
      choices,
      model: this.info.model,
      backend: this.info.backend,
      adapter: this.info.adapter,
      source: this.info.source,
      trainExamples: this.info.trainCount,
      testExamples: this.info.testCount,
      liveTestImages: this.info.liveCount,
      init: init?.name ?? null,
      steps: this.step,
      epochs: this.epochs,
      evaluations: this.evaluations,
      warnings: this.health.warnings,
      divergence: this.divergence,
      imagesPerSecond: this.speed,
      fullRunEstimateSeconds: this.speed ? runSeconds(FULL_RUN, this.speed, this.config.batch) : null,
    };
  }
}
