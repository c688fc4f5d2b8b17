// The seed's comparisons (issue 32): He et al.'s plain baseline beside resnet20, and
// ZFNet beside AlexNet, at full size and at 28x28. Counts are derived from the structure.
import { describe, expect, it } from 'vitest';
import { fetchIdxSplit, MODELS, meanStd, normalize, summary, take, Trainer, TRAINABLE_HERE, torchStateDictLayout } from '../../src/index';
import type { Dataset } from '../../src/data/dataset';
import type { MaxPool2d } from '../../src/nn/pool_layers';
import { gpuBackend } from '../helpers/backends';

const shapes = (key: string, kinds: readonly string[]) =>
  summary(MODELS[key]())
    .rows.filter((r) => kinds.includes(r.kind))
    .map((r) => r.outputShape);

describe('plain20: resnet20 without its shortcuts', () => {
  it('269,434 parameters: resnet20 (272,186) less its two 1x1 projections with their batch norms (2,752)', () => {
    // layer2.0.downsample: 1x1 conv 16 -> 32 (512) + BN of 32 (gamma, beta: 64) = 576;
    // layer3.0.downsample: 1x1 conv 32 -> 64 (2,048) + BN of 64 (128) = 2,176. 576 + 2,176 = 2,752.
    // The identity shortcuts have no parameters; everything else is the same layer.
    expect(summary(MODELS.resnet20()).totalParams).toBe(272_186);
    expect(summary(MODELS.plain20()).totalParams).toBe(272_186 - 576 - 2_176);
    expect(summary(MODELS.plain20()).totalParams).toBe(269_434);
  });

  it("has resnet20's layers and state-dict names, less the shortcuts: no add, no downsample", () => {
    const plain = MODELS.plain20();
    const residual = MODELS.resnet20();
    expect(plain.layers.some((l) => l.kind === 'add' || l.name.includes('downsample'))).toBe(false);
    expect(plain.layers.filter((l) => l.kind === 'conv2d')).toHaveLength(19);
    const names = (m: typeof plain) => torchStateDictLayout(m).map((t) => `${t.torch} [${t.shape.join(',')}]`);
    expect(names(plain)).toEqual(names(residual).filter((n) => !n.includes('downsample')));
    expect(names(plain)).toContain('layer2.0.conv1.weight [32,16,3,3]');
    expect(summary(plain).rows.at(-1)!.outputShape).toEqual([10]);
    expect(TRAINABLE_HERE).toContain('plain20');
    expect(MODELS.plain20([3, 32, 32], 10).output.shape).toEqual([10]);
  });
});

describe('zfnet: Zeiler and Fergus 2013', () => {
  it('62,357,608 parameters from its rows: 14,208 / 614,656 / 885,120 / 1,327,488 / 884,992 / 37,752,832 / 16,781,312 / 4,097,000', () => {
    // conv1 96 x (3 x 7 x 7) + 96; conv2 256 x (96 x 5 x 5) + 256; conv3 384 x (256 x 9) + 384;
    // conv4 384 x (384 x 9) + 384; conv5 256 x (384 x 9) + 256; fc6 (6 x 6 x 256) x 4096 + 4096;
    // fc7 4096 x 4096 + 4096; fc8 4096 x 1000 + 1000. The decks give no total (their ZFNet
    // slide: 8 layers, 224x224 input, conv-pool-conv-pool-conv-conv-conv-full-full-full); it is
    // the seed AlexNet's 62,378,344 less 20,736 in conv1 (11x11 of 3 -> 7x7 of 3, 96 filters).
    const s = summary(MODELS.zfnet());
    expect(s.rows.filter((r) => r.params > 0).map((r) => r.params)).toEqual([14_208, 614_656, 885_120, 1_327_488, 884_992, 37_752_832, 16_781_312, 4_097_000]);
    expect(s.totalParams).toBe(62_357_608);
    expect(summary(MODELS.alexnet()).totalParams - s.totalParams).toBe(121 * 3 * 96 - 49 * 3 * 96);
    expect(s.rows.at(-1)!.outputShape).toEqual([1000]);
  });

  it("the paper's maps: 224 -> 110 (7x7/2) -> 55 (3x3/2) -> 26 (5x5/2) -> 13 -> 13, 13, 13 -> 6", () => {
    expect(shapes('zfnet', ['conv2d', 'maxpool2d', 'lrn'])).toEqual([
      [96, 110, 110],
      [96, 55, 55],
      [96, 55, 55],
      [256, 26, 26],
      [256, 13, 13],
      [256, 13, 13],
      [384, 13, 13],
      [384, 13, 13],
      [256, 13, 13],
      [256, 6, 6],
    ]);
    // Pool before the contrast normalisation, as the paper's figure 3 orders them; no groups.
    const kinds = MODELS.zfnet().layers.map((l) => l.kind);
    expect(kinds.indexOf('maxpool2d')).toBeLessThan(kinds.indexOf('lrn'));
    const pools = MODELS.zfnet().layers.filter((l) => l.kind === 'maxpool2d') as MaxPool2d[];
    expect(pools.map((p) => [p.options.kernel, p.options.stride])).toEqual([
      [3, 2],
      [3, 2],
      [3, 2],
    ]);
  });
});

describe('zfnet-mini: ZFNet at 28x28', () => {
  it("461,962 parameters: alexnet-mini's widths ending on the same 64x3x3, pools halving 28 to 14, 7 and 3", () => {
    // conv 32 x 25 + 32 = 832; 64 x 32 x 25 + 64 = 51,264; 96 x 64 x 9 + 96 = 55,392; 96 x 96 x 9 + 96 = 83,040;
    // 64 x 96 x 9 + 64 = 55,360; FC 576 x 256 + 256 = 147,712; 256 x 256 + 256 = 65,792; 256 x 10 + 10 = 2,570.
    const s = summary(MODELS['zfnet-mini']());
    expect(s.totalParams).toBe(832 + 51_264 + 55_392 + 83_040 + 55_360 + 147_712 + 65_792 + 2_570);
    expect(s.totalParams).toBe(461_962);
    expect(shapes('zfnet-mini', ['conv2d', 'maxpool2d'])).toEqual([
      [32, 28, 28],
      [32, 14, 14],
      [64, 14, 14],
      [64, 7, 7],
      [96, 7, 7],
      [96, 7, 7],
      [64, 7, 7],
      [64, 3, 3],
    ]);
    const kinds = MODELS['zfnet-mini']().layers.map((l) => l.kind);
    for (const kind of ['lrn', 'maxpool2d', 'dropout']) expect(kinds).toContain(kind);
    expect(kinds.indexOf('maxpool2d')).toBeLessThan(kinds.indexOf('lrn'));
    expect(TRAINABLE_HERE).toContain('zfnet-mini');
    expect(MODELS['zfnet-mini']([3, 32, 32], 10).output.shape).toEqual([10]);
  });
});

describe('the trainable-here newcomers learn Fashion-MNIST on WebGPU', () => {
  /** The first `n` training images of the real Fashion-MNIST, normalised. */
  async function subset(n: number): Promise<Dataset> {
    const train = take(await fetchIdxSplit('/datasets/fashion-mnist', 'train'), n);
    const images = Float32Array.from(train.images);
    const { mean, std } = meanStd(images);
    return { ...train, images: normalize(images, mean, std) };
  }

  for (const key of ['zfnet-mini', 'plain20'])
    it(`${key}: two epochs of 256 images lower the loss`, async () => {
      const model = MODELS[key]().build(await gpuBackend(), { seed: 1 });
      const trainer = new Trainer(model, { optimizer: { kind: 'adam', lr: 1e-3 }, batchSize: 32, seed: 1 });
      const reports = await trainer.fit(await subset(256), { epochs: 2 });
      expect(reports[0].loss).toBeLessThan(Math.log(10) * 1.1);
      expect(reports[1].loss).toBeLessThan(reports[0].loss);
      trainer.dispose();
      model.dispose();
    }, 600_000);
});
