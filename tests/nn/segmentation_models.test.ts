import { describe, expect, it } from 'vitest';
import { MODELS, summary, Trainer } from '../../src/index';
import { segmentationScenes } from '../../src/data/segmentation_scenes';
import { gpuBackend } from '../helpers/backends';
import { stripes } from './helpers';

describe('the segmentation models', () => {
  // Counted by hand from the structure (convolutions 9 c_in c_out + c_out, transposed k^2 c_in c_out (+ c_out), the 1x1 scores).
  it('fcn8s-mini and unet-mini output [11, 64, 64]; their parameters are pinned', () => {
    for (const [key, params] of [
      ['fcn8s-mini', 273_713],
      ['unet-mini', 121_123],
    ] as const) {
      const s = summary(MODELS[key]());
      expect(s.rows.at(-1)!.outputShape, key).toEqual([11, 64, 64]);
      expect(s.totalParams, key).toBe(params);
    }
  });

  it('fcn8s-mini adds the scores of pool4 and pool3 at strides 16 and 8 before the 8x upsampling', () => {
    const rows = summary(MODELS['fcn8s-mini']()).rows;
    const shape = (name: string) => rows.find((r) => r.name === name)!.outputShape;
    expect(shape('score_fr')).toEqual([11, 2, 2]);
    expect(shape('fuse_pool4')).toEqual([11, 4, 4]);
    expect(shape('fuse_pool3')).toEqual([11, 8, 8]);
    expect(shape('upscore8')).toEqual([11, 64, 64]);
  });

  for (const key of ['fcn8s-mini', 'unet-mini']) {
    it(`${key}: two epochs of pixel cross-entropy on scenes lower the loss (webgpu)`, async () => {
      const source = stripes(40, 10, 28, 3);
      const scenes = segmentationScenes(source, { count: 16, seed: 4, threshold: 0.8 });
      const model = MODELS[key]().build(await gpuBackend(), { seed: 1 });
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 2e-3 }, batchSize: 8, seed: 1, loss: { kind: 'pixel-cross-entropy' } });
      const reports = await trainer.fit(scenes, { epochs: 2 });
      expect(reports[1].loss).toBeLessThan(reports[0].loss);
      trainer.dispose();
      model.dispose();
    });
  }
});
