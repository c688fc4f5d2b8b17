// `npm run search`: the random hyper-parameter search (search.ts) in Node on Dawn.
// scripts/search.mjs builds this file and runs it through tools/cli/job_runner.mjs: a progress
// message per trial (and the fine round's ranges before it), then the trials ranked.
import { meanStd, normalize } from '../../src/data/dataset';
import { fetchIdxSplit } from '../../src/data/fashion_mnist';
import type { Job } from './job';
import { serveNodeJob } from './node_job';
import { runSearch, type SearchConfig, type Trial } from './search';

export const searchJob: Job<{ config: SearchConfig }, Trial[]> = async ({ config }, host) => {
  const backend = await host.createWebGPU();
  const train = await fetchIdxSplit(`${host.datasets}/fashion-mnist`, 'train');
  const { mean, std } = meanStd(train.images);
  normalize(train.images, mean, std);
  const info = backend.adapterInfo;
  await host.progress({ kind: 'start', adapter: `${info.vendor} ${info.architecture}${backend.isFallbackAdapter ? ' (fallback)' : ''}` });
  return runSearch(
    backend,
    train,
    config,
    (trial) => host.progress({ kind: 'trial', trial }),
    (ranges) => host.progress({ kind: 'refine', ranges }),
  );
};

await serveNodeJob(searchJob);
