// `npm run transfer`: the transfer experiment (transfer.ts) in Node on Dawn, no browser.
// scripts/transfer.mjs builds this file, passes the configuration as JSON on stdin and
// reads one JSON message per line: progress, then the result.
import { meanStd, normalize } from '../data/dataset';
import { fetchIdxSplit } from '../data/fashion_mnist';
import { createNodeWebGPUBackend, fileTuneStore } from '../node';
import { fetchFilesFromDisk, readJob, send } from './node_job';
import { runTransfer, type TransferConfig } from './transfer';

interface Job {
  config: TransferConfig;
  /** Folder of the dataset's IDX files. */
  datasets: string;
  tuneFile?: string;
}


fetchFilesFromDisk();
const job = await readJob<Job>();
try {
  const backend = await createNodeWebGPUBackend(job.tuneFile ? { tuneStore: fileTuneStore(job.tuneFile) } : {});
  const url = `file://${job.datasets}`;
  const [train, test] = [await fetchIdxSplit(url, 'train'), await fetchIdxSplit(url, 'test')];
  // One normalisation for every run: the training images' mean and deviation.
  const { mean, std } = meanStd(train.images);
  normalize(train.images, mean, std);
  normalize(test.images, mean, std);
  const info = backend.adapterInfo;
  await send({ kind: 'start', adapter: `${info.vendor} ${info.architecture}${backend.isFallbackAdapter ? ' (fallback)' : ''}`, mean, std });
  const result = await runTransfer(backend, train, test, job.config, (p) => send({ kind: 'progress', progress: p }), { input_mean: String(mean), input_std: String(std), dataset: 'fashion-mnist' });
  await send({ kind: 'result', result: { ...result, pretrained: Buffer.from(result.pretrained).toString('base64') }, mean, std });
  process.exit(0);
} catch (e) {
  await send({ kind: 'error', message: (e as Error).message });
  process.exit(1);
}
