// `npm run search`: the random hyper-parameter search (search.ts) in Node on Dawn.
// scripts/search.mjs passes the configuration as JSON on stdin and reads one JSON message
// per line: a line per trial, then the ranked result.
import { meanStd, normalize } from '../data/dataset';
import { fetchIdxSplit } from '../data/fashion_mnist';
import { createNodeWebGPUBackend, fileTuneStore } from '../node';
import { fetchFilesFromDisk, readJob, send } from './node_job';
import { runSearch, type SearchConfig } from './search';


fetchFilesFromDisk();
const job = await readJob<{ config: SearchConfig; datasets: string; tuneFile?: string }>();
try {
  const backend = await createNodeWebGPUBackend(job.tuneFile ? { tuneStore: fileTuneStore(job.tuneFile) } : {});
  const train = await fetchIdxSplit(`file://${job.datasets}`, 'train');
  const { mean, std } = meanStd(train.images);
  normalize(train.images, mean, std);
  const info = backend.adapterInfo;
  await send({ kind: 'start', adapter: `${info.vendor} ${info.architecture}${backend.isFallbackAdapter ? ' (fallback)' : ''}` });
  const ranked = await runSearch(backend, train, job.config, (t) => send({ kind: 'trial', trial: t }));
  await send({ kind: 'result', ranked });
  process.exit(0);
} catch (e) {
  await send({ kind: 'error', message: (e as Error).message });
  process.exit(1);
}
