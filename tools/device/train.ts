// Phase 6 of the device pack (--full; smoke runs LeNet-5 for a few seconds): trains
// resnet20 on the Fashion-MNIST test split the pack carries, for the budget given, and
// reports images per second and where the loss went.
import { meanStd, normalize } from '../../src/data/dataset';
import { fetchIdxSplit } from '../../src/data/fashion_mnist';
import { MODELS } from '../../src/nn/zoo';
import { Trainer } from '../../src/training/trainer';
import type { EpochReport } from '../../src/training/reports';
import { fetchFilesFromDisk } from '../jobs/node_job';
import { adapterLine, openBackend, Phase, type PhaseOptions } from './phase';

export async function trainPhase(options: PhaseOptions): Promise<void> {
  const full = options.mode === 'full';
  const modelKey = full ? 'resnet20' : 'lenet5';
  const batch = full ? 64 : 32;
  const budgetS = options.trainSeconds;
  // The tuner within a budget on the GPU (its time counts in the images per second); off in smoke.
  const backend = await openBackend(options, { autotune: full ? { budgetMs: 5000 } : false });
  const phase = new Phase('train', options, {
    adapter: adapterLine(backend),
    model: modelKey,
    batch,
    budgetSeconds: budgetS,
    images: 0,
    epochs: [] as EpochReport[],
    imagesPerSecond: null as number | null,
    firstLoss: null as number | null,
    lastLoss: null as number | null,
  });
  fetchFilesFromDisk();
  const data = await fetchIdxSplit(new URL(`file://${options.data}`).href.replace(/\/$/, ''), 'test');
  const { mean, std } = meanStd(data.images);
  normalize(data.images, mean, std);
  // Smoke: one epoch of 256 images (8 steps), the budget an upper bound; full: the whole split until the budget.
  const limited = full ? data : { ...data, images: data.images.subarray(0, 256 * 784), labels: data.labels.subarray(0, 256), count: 256 };
  phase.log(`${phase.report.adapter}: ${modelKey}, batch ${batch}, ${limited.count} test-split images, ${budgetS} s`);
  const model = MODELS[modelKey]([1, 28, 28], 10).build(backend, { seed: 1 });
  const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 }, batchSize: batch, seed: 1 });
  let steps = 0;
  const started = performance.now();
  await trainer.fit(limited, {
    ...(full ? {} : { epochs: 1 }),
    timeBudgetMs: budgetS * 1000,
    onBatch: (b) => {
      steps++;
      phase.report.firstLoss ??= b.loss;
      phase.report.lastLoss = b.loss;
      if (steps % 50 === 0) phase.log(`step ${steps}: loss ${b.loss.toFixed(4)}, ${b.imagesPerSecond.toFixed(0)} images/s`);
    },
    onEpoch: (e) => {
      phase.report.epochs.push(e);
      phase.log(
        `epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, accuracy ${(100 * e.accuracy).toFixed(1)}%, ${e.imagesPerSecond.toFixed(0)} images/s${e.stoppedByBudget ? ' (budget reached)' : ''}`,
      );
      phase.save(false);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  phase.report.images = steps * batch;
  phase.report.imagesPerSecond = (steps * batch) / seconds;
  phase.log(
    `${steps} steps, ${steps * batch} images in ${seconds.toFixed(1)} s: ${phase.report.imagesPerSecond.toFixed(0)} images/s (first call's compilation included); loss ${phase.report.firstLoss?.toFixed(3)} -> ${phase.report.lastLoss?.toFixed(3)}`,
  );
  phase.save(true);
  model.dispose();
  backend.destroy();
}
