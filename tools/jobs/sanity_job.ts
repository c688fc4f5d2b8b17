// `npm run train -- --sanity`: the seed's three checks (src/training/sanity.ts) on the
// run's model and training split, with the run's optimizer and learning rate for the
// overfitting check. Nothing is trained for keeps and nothing is written.
import { summary } from '../../src/nn/summary';
import { sanityCheck, type SanityReport } from '../../src/training/sanity';
import type { JobFolder } from './train_data';
import { jobModel, type JobWebGPUOptions, type TrainJobConfig } from './train_job';
import { runTrainerOptions, setUpClassifier, type ModeProgress } from './train_setup';
import type { Backend } from '../../src/backends/backend';

export interface SanityJobHooks {
  /** The bytes of `config.init`. */
  init?: Uint8Array;
  folder?: JobFolder;
  createWebGPU?: (options: JobWebGPUOptions) => Promise<Backend>;
}

/** The checks' report, and what they ran on (for metrics). */
export interface SanityJobResult {
  report: SanityReport;
  model: string;
  params: number;
  adapter: string;
  trainExamples: number;
}

/** Runs sanityCheck on the model a run of `c` would train, reporting a `sanity` progress message per check. */
export async function runSanityJob(
  c: TrainJobConfig,
  maxSteps: number,
  report: (p: ModeProgress) => void | Promise<void>,
  datasetsUrl: string,
  hooks: SanityJobHooks = {},
): Promise<SanityJobResult> {
  const s = await setUpClassifier(c, report, datasetsUrl, hooks);
  const { model } = jobModel(c, hooks.init, s.train, s.backend);
  try {
    const params = summary(model).totalParams;
    await report({ kind: 'sanity-start', model: model.name, params, adapter: s.adapter, trainExamples: s.train.count, classes: model.output.shape[0] });
    const options = runTrainerOptions(c, s);
    const result = await sanityCheck(model, s.train, {
      maxSteps,
      seed: c.seed,
      optimizer: options.optimizer,
      loss: options.loss,
      onCheck: (check) => report({ kind: 'sanity', check }),
    });
    return { report: result, model: model.name, params, adapter: s.adapter, trainExamples: s.train.count };
  } finally {
    model.dispose();
  }
}
