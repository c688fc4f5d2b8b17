// `npm run transfer`: the transfer experiment (transfer.ts) in Node on Dawn, no browser.
// scripts/transfer.mjs builds this file and runs it through tools/cli/job_runner.mjs; the job
// writes the pretrained checkpoint itself and returns the table's rows. With an image folder
// (--dataset folder:PATH) the network is pretrained on Fashion-MNIST's classes 0-4 drawn as
// RGB at the folder's size, and the folder's classes are the task learnt from few images.
import { meanStd, normalize } from '../../src/data/dataset';
import { fetchIdxSplit } from '../../src/data/fashion_mnist';
import { imageFolder } from '../../src/node_image_folder';
import type { Job } from './job';
import { serveNodeJob } from './node_job';
import { greyToRgb, runTransfer, type TransferConfig, type TransferResult, type TransferTarget } from './transfer';

export interface TransferInput {
  config: TransferConfig;
  /** Where the pretrained checkpoint goes (--out/pretrained.safetensors, and demo/pretrained/ with --ship). */
  pretrained: string[];
  /** --dataset folder:PATH: the folder, and the side of its images (the source images are drawn at it too). */
  folder?: { root: string; imageSize: number };
}

export type TransferJobResult = Omit<TransferResult, 'pretrained'> & {
  mean: number;
  std: number;
  /** With an image folder: its classes, and the files skipped. */
  target?: { classNames: string[]; train: number; validation: number; bad: { path: string; reason: string }[] };
};

export const transferJob: Job<TransferInput, TransferJobResult> = async ({ config, pretrained: paths, folder }, host) => {
  const backend = await host.createWebGPU();
  const url = `${host.datasets}/fashion-mnist`;
  let [train, test] = [await fetchIdxSplit(url, 'train'), await fetchIdxSplit(url, 'test')];
  // One normalisation for every run: the training images' mean and deviation.
  const { mean, std } = meanStd(train.images);
  normalize(train.images, mean, std);
  normalize(test.images, mean, std);
  let target: TransferTarget | undefined;
  let targetReport: TransferJobResult['target'];
  if (folder) {
    const f = await imageFolder(folder.root, {
      size: folder.imageSize,
      seed: config.seed,
      onProgress: (p) => void host.progress({ kind: 'load', ...p }),
    });
    target = { train: f.train, test: f.validation, classNames: f.classNames };
    targetReport = { classNames: f.classNames, train: f.train.count, validation: f.validation.count, bad: f.bad };
    await host.progress({ kind: 'loaded', ...targetReport, split: f.split, seconds: f.seconds });
    [train, test] = [greyToRgb(train, folder.imageSize), greyToRgb(test, folder.imageSize)];
    // Without --per-class, one experiment: as many images of every class as the smallest class has.
    if (config.perClass.length === 0) {
      const counts = f.classNames.map((_, k) => f.train.labels.filter((l) => l === k).length);
      config = { ...config, perClass: [Math.min(...counts)] };
    }
  }
  const info = backend.adapterInfo;
  await host.progress({ kind: 'start', adapter: `${info.vendor} ${info.architecture}${backend.isFallbackAdapter ? ' (fallback)' : ''}` });
  const { pretrained, ...result } = await runTransfer(
    backend,
    train,
    test,
    config,
    (p) => host.progress(p),
    {
      input_mean: String(mean),
      input_std: String(std),
      dataset: 'fashion-mnist',
    },
    target,
  );
  for (const path of paths) await host.writeFile(path, pretrained);
  return { ...result, mean, std, ...(targetReport ? { target: targetReport } : {}) };
};

await serveNodeJob(transferJob);
