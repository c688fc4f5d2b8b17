// The page `npm run train` drives in headless Chromium (scripts/train.mjs through
// tools/cli/job_runner.mjs): the training job of tools/jobs/train_run.ts, its status shown here.
import type { TrainJobProgress } from '../tools/jobs/train_job';
import { servePageJob } from '../tools/jobs/page_job';
import { trainRun } from '../tools/jobs/train_run';

const status = document.querySelector<HTMLParagraphElement>('#status')!;

servePageJob<Parameters<typeof trainRun>[0], Awaited<ReturnType<typeof trainRun>>>(async (input, host) => {
  const result = await trainRun(input, {
    ...host,
    progress: (p) => {
      const e = p as TrainJobProgress;
      if (e.kind === 'epoch') status.textContent = `epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, test accuracy ${e.testAccuracy?.toFixed(4)}`;
      return host.progress(p);
    },
  });
  status.textContent = result.sanity
    ? `sanity checks: ${result.sanity.report.passed ? 'passed' : `failed (${result.sanity.report.failed.join(', ')})`}`
    : result.weights || input.ensemble
      ? `done: test accuracy ${(result.metrics.testAccuracy as number).toFixed(4)}`
      : 'stopped: training diverged';
  return result;
});
