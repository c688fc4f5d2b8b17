// `npm run train -- --ensemble K`: K models of the run's configuration, seeds s..s+K-1
// (initial weights, data order, augmentation), trained one after the other on the same
// data; each is scored on the test split alone, then the K together (src/training/
// ensemble.ts: their softmax outputs averaged). Each member's weights go to a file as
// soon as it is trained.
import type { Backend } from '../../src/backends/backend';
import { saveCheckpoint } from '../../src/io/checkpoint';
import { RUN_ID, RUN_STEP } from '../../src/io/checkpoint_metadata';
import type { Model } from '../../src/nn/model';
import { summary } from '../../src/nn/summary';
import { ensemble } from '../../src/training/ensemble';
import type { EpochReport } from '../../src/training/reports';
import { Trainer } from '../../src/training/trainer';
import { DivergenceError } from '../../src/training/training_progress';
import type { JobFolder } from './train_data';
import { jobModel, type JobWebGPUOptions, type TrainJobConfig } from './train_job';
import { runTrainerOptions, setUpClassifier, weightsMetadata, type ModeProgress } from './train_setup';

export interface EnsembleJobHooks {
  /** The bytes of `config.init` (every member starts from it). */
  init?: Uint8Array;
  folder?: JobFolder;
  createWebGPU?: (options: JobWebGPUOptions) => Promise<Backend>;
  /** The run's id, stamped on every member's weights. */
  runId?: string;
  /** Writes member `member`'s (1-based) weights; resolves with what metrics.json records of the file. */
  writeMember(member: number, bytes: Uint8Array): Promise<unknown>;
}

/** One member's figures. */
export interface EnsembleMember {
  member: number;
  seed: number;
  testAccuracy: number;
  testLoss: number;
  /** Per epoch: the training loss and accuracy, the test accuracy. */
  loss: number[];
  trainAccuracy: number[];
  testAccuracyPerEpoch: number[];
  trainSeconds: number;
  /** What writeMember resolved with (the file's sha256 and step). */
  weights: unknown;
}

export interface EnsembleJobResult {
  metrics: Record<string, unknown>;
}

/** Trains the K members and scores them and their average; a member that diverges fails the job, naming it. */
export async function runEnsembleJob(
  config: TrainJobConfig,
  size: number,
  report: (p: ModeProgress) => void | Promise<void>,
  datasetsUrl: string,
  hooks: EnsembleJobHooks,
): Promise<EnsembleJobResult> {
  if (!Number.isInteger(size) || size < 2) throw new Error(`train: --ensemble must be an integer of at least 2, got ${size}`);
  const started = performance.now();
  const s = await setUpClassifier(config, report, datasetsUrl, hooks);
  // The batch size the members train with (the run's, or the folder's default), as the record says.
  const c = { ...config, batch: s.batch };
  if (s.train.count < c.batch)
    throw new Error(`train: ${s.train.count} training examples are fewer than one batch of ${c.batch}; lower --batch or raise --limit`);
  const seeds = Array.from({ length: size }, (_, i) => c.seed + i);
  const models: Model[] = [];
  const members: EnsembleMember[] = [];
  try {
    for (const [i, seed] of seeds.entries()) {
      const member = i + 1;
      const mc = { ...c, seed };
      const { model } = jobModel(mc, hooks.init, s.train, s.backend);
      models.push(model);
      if (i === 0)
        await report({
          kind: 'ensemble-start',
          model: model.name,
          params: summary(model).totalParams,
          adapter: s.adapter,
          trainExamples: s.train.count,
          testExamples: s.test.count,
          stepsPerEpoch: s.stepsPerEpoch,
          batch: s.batch,
          seeds,
        });
      await report({ kind: 'member', member, members: size, seed });
      const trainer = new Trainer(model, runTrainerOptions(mc, s));
      const epochs: EpochReport[] = [];
      let lastBatch = 0;
      try {
        await trainer.fit(s.train, {
          epochs: c.epochs,
          // An image folder trains on random crops of its cached decodes, new each epoch.
          callbacks: s.folder ? [s.folder.randomCrops()] : undefined,
          divergence: c.divergenceFactor === undefined ? undefined : { lossFactor: c.divergenceFactor },
          onDiverge: c.onDiverge,
          onBatch: async (b) => {
            const now = performance.now();
            if (now - lastBatch > 250 || b.batch === b.batches) {
              lastBatch = now;
              await report({ kind: 'member-batch', member, members: size, ...b });
            }
          },
          onEpoch: async (e) => {
            const r = await trainer.evaluate(s.test);
            e.testLoss = r.loss;
            e.testAccuracy = r.accuracy;
            epochs.push(e);
            await report({ kind: 'member-epoch', member, members: size, ...e });
          },
        });
      } catch (e) {
        if (e instanceof DivergenceError) throw new Error(`ensemble member ${member} (seed ${seed}): ${e.message}`);
        throw e;
      }
      const last = epochs.at(-1)!;
      const bytes = await saveCheckpoint(model, undefined, {
        progress: trainer.progress,
        metadata: {
          ...weightsMetadata(c, s),
          ensemble_member: String(member),
          ensemble_size: String(size),
          seed: String(seed),
          ...(hooks.runId ? { [RUN_ID]: hooks.runId, [RUN_STEP]: String(trainer.optimizer.steps) } : {}),
        },
      });
      trainer.dispose();
      const weights = await hooks.writeMember(member, bytes);
      members.push({
        member,
        seed,
        testAccuracy: last.testAccuracy!,
        testLoss: last.testLoss!,
        loss: epochs.map((e) => e.loss),
        trainAccuracy: epochs.map((e) => e.accuracy),
        testAccuracyPerEpoch: epochs.map((e) => e.testAccuracy!),
        trainSeconds: epochs.reduce((t, e) => t + e.seconds, 0),
        weights,
      });
      await report({
        kind: 'member-done',
        member,
        members: size,
        seed,
        testAccuracy: last.testAccuracy!,
        testLoss: last.testLoss!,
        file: `weights-${member}.safetensors`,
      });
    }
    const together = ensemble(models, { batchSize: c.batch });
    const r = await together.evaluate(s.test);
    together.dispose();
    const accuracies = members.map((m) => m.testAccuracy);
    const info = s.backend.adapterInfo;
    return {
      metrics: {
        model: models[0].name,
        task: 'classify',
        dataset: c.dataset,
        backend: s.backend.name,
        adapter: info ? { vendor: info.vendor, architecture: info.architecture, description: info.description } : { vendor: 'cpu', architecture: 'reference' },
        config: c,
        complete: true,
        params: summary(models[0]).totalParams,
        trainExamples: s.train.count,
        testExamples: s.test.count,
        normalization: { mean: s.mean, std: s.std },
        // The ensemble's: the members' softmax outputs averaged.
        testAccuracy: r.accuracy,
        testLoss: r.loss,
        confusionMatrix: r.confusion,
        classes: s.classNames,
        ensemble: {
          size,
          seeds,
          testAccuracy: r.accuracy,
          testLoss: r.loss,
          bestMemberAccuracy: Math.max(...accuracies),
          meanMemberAccuracy: accuracies.reduce((a, b) => a + b, 0) / size,
          members,
        },
        trainSeconds: members.reduce((t, m) => t + m.trainSeconds, 0),
        totalSeconds: (performance.now() - started) / 1000,
      },
    };
  } finally {
    for (const m of models) m.dispose();
  }
}
