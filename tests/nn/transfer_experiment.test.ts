// The transfer experiment's runner (npm run transfer), on a small synthetic task: every
// method runs for every sample size, each from the same pretrained weights, and the
// pretrained checkpoint it returns loads into the model it was made for.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRANSFER, greyToRgb, runTransfer, TRANSFER_METHODS, type TransferProgress } from '../../tools/jobs/transfer';
import { loadCheckpoint } from '../../src/io/checkpoint';
import { MODELS } from '../../src/nn/zoo';
import { gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

describe('runTransfer', () => {
  it('pretrains on the source classes, then trains each method per sample size from the same weights', async () => {
    const backend = await gpuBackend();
    const train = stripes(600, 10, 28, 1);
    const test = stripes(200, 10, 28, 2);
    const progress: TransferProgress[] = [];
    const config = { ...DEFAULT_TRANSFER, perClass: [3, 6], pretrainEpochs: 1, steps: 4, batch: 8 };
    const result = await runTransfer(backend, train, test, config, (p) => void progress.push(p), { input_mean: '0.1' });
    expect(result.cut).toBe('flatten_1');
    expect(result.rows.map((r) => `${r.perClass} ${r.method}`)).toEqual([3, 6].flatMap((n) => TRANSFER_METHODS.map((m) => `${n} ${m}`)));
    // 15 images (3 per class) at batch 8 are one step an epoch: 4 epochs for 4 steps; 30 images, 3 steps an epoch.
    expect(result.rows.map((r) => r.epochs)).toEqual([4, 4, 4, 2, 2, 2]);
    for (const r of result.rows) expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
    // Four pretraining steps already beat chance (0.2) on the five source classes.
    expect(result.pretrainAccuracy).toBeGreaterThan(0.3);
    expect(progress.map((p) => p.kind)).toEqual(['pretrain', 'pretrained', 'row', 'row', 'row', 'row', 'row', 'row']);
    const model = MODELS.lenet5([1, 28, 28], 5).build(backend);
    const loaded = loadCheckpoint(model, result.pretrained, 'pretrained');
    expect(loaded.metadata).toMatchObject({ transfer_source_classes: '0,1,2,3,4', transfer_cut: 'flatten_1', input_mean: '0.1' });
    model.dispose();
    await expect(runTransfer(backend, train, test, { ...config, targetClasses: [5, 6] })).rejects.toThrow('transfer: 5 source classes but 2 target classes');
  }, 120_000);

  it("learns another task's classes (an image folder's) on RGB images, with heads of its class count", async () => {
    const backend = await gpuBackend();
    const [train, test] = [greyToRgb(stripes(400, 10, 28, 1), 32), greyToRgb(stripes(100, 10, 28, 2), 32)];
    expect(train.shape).toEqual([3, 32, 32]);
    // Three classes of vertical stripes: another task than the source's horizontal ones.
    const turned = (d: typeof train) => {
      const images = new Float32Array(d.images.length);
      for (let n = 0; n < d.count; n++)
        for (let c = 0; c < 3; c++)
          for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) images[((n * 3 + c) * 32 + y) * 32 + x] = d.images[((n * 3 + c) * 32 + x) * 32 + y];
      return { ...d, images, labels: d.labels.map((l) => l % 3), classes: 3 };
    };
    const target = { train: turned(train), test: turned(test), classNames: ['a', 'b', 'c'] };
    const config = { ...DEFAULT_TRANSFER, perClass: [4], pretrainEpochs: 1, steps: 3, batch: 8 };
    const result = await runTransfer(backend, train, test, config, undefined, {}, target);
    expect(result.rows.map((r) => r.method)).toEqual([...TRANSFER_METHODS]);
    for (const r of result.rows) expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
    await expect(runTransfer(backend, stripes(50, 10, 28, 1), test, config, undefined, {}, target)).rejects.toThrow(
      'transfer: the target images are 3x32x32 but the source images 1x28x28',
    );
  }, 120_000);
});
