// `npm run transfer`: the transfer experiment (transfer.ts) in Node on Dawn, no browser.
// scripts/transfer.mjs builds this file and runs it through tools/cli/job_runner.mjs; the job
// writes the pretrained checkpoint itself and returns the table's rows.
import { meanStd, normalize } from '../../src/data/dataset';
import { fetchIdxSplit } from '../../src/data/fashion_mnist';
import type { Job } from './job';
import { serveNodeJob } from './node_job';
import { runTransfer, type TransferConfig, type TransferResult } from './transfer';

export interface TransferInput {
  config: TransferConfig;
  /** Where the pretrained checkpoint goes (--out/pretrained.safetensors, and demo/pretrained/ with --ship). */
  pretrained: string[];
}

export const transferJob: Job<TransferInput, Omit<TransferResult, 'pretrained'> & { mean: number; std: number }> = async (
  { config, pretrained: paths },
  host,
) => {
  const backend = await host.createWebGPU();
  const url = `${host.datasets}/fashion-mnist`;
  const [train, test] = [await fetchIdxSplit(url, 'train'), await fetchIdxSplit(url, 'test')];
  // One normalisation for every run: the training images' mean and deviation.
  const { mean, std } = meanStd(train.images);
  normalize(train.images, mean, std);
  normalize(test.images, mean, std);
  const info = backend.adapterInfo;
  await host.progress({ kind: 'start', adapter: `${info.vendor} ${info.architecture}${backend.isFallbackAdapter ? ' (fallback)' : ''}` });
  const { pretrained, ...result } = await runTransfer(backend, train, test, config, (p) => host.progress(p), {
    input_mean: String(mean),
    input_std: String(std),
    dataset: 'fashion-mnist',
  });
  for (const path of paths) await host.writeFile(path, pretrained);
  return { ...result, mean, std };
};

await serveNodeJob(transferJob);
