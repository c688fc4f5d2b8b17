import { describe, expect, it } from 'vitest';
import { alexnet, cifarCnn, convBn, convBnWide, convBnX2, lenet5, lenet5Bn, resnet20, summary, vgg16 } from '../../src/index';

describe('summary(): receptive fields and strides', () => {
  it('VGG-16 sees 212x212 pixels at pool5 with a stride of 32; AlexNet 195 with 32', () => {
    const rf = (rows: ReturnType<typeof summary>['rows'], kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.receptiveField[0]);
    const vgg = summary(vgg16()).rows;
    // Each 3x3 conv adds 2 jumps, each 2x2/2 pool 1 jump and doubles the jump.
    expect(rf(vgg, 'conv2d')).toEqual([3, 5, 10, 14, 24, 32, 40, 60, 76, 92, 132, 164, 196]);
    expect(rf(vgg, 'maxpool2d')).toEqual([6, 16, 44, 100, 212]);
    expect(vgg.filter((r) => r.kind === 'maxpool2d').map((r) => r.stride[0])).toEqual([2, 4, 8, 16, 32]);
    // After the first dense layer every value has seen the whole 224x224 image.
    expect(vgg.find((r) => r.kind === 'dense')!.receptiveField).toEqual([224, 224]);
    const alex = summary(alexnet()).rows;
    expect(rf(alex, 'conv2d')).toEqual([11, 51, 99, 131, 163]);
    expect(rf(alex, 'maxpool2d')).toEqual([19, 67, 195]);
    expect(alex.filter((r) => r.kind === 'maxpool2d').at(-1)!.stride).toEqual([32, 32]);
    expect(summary(alexnet()).text).toMatch(/features.14 +maxpool2d +\[256,6,6\].* 195 +32/);
  });

  it('a residual network takes the wider branch where paths join; LeNet-5 is whole after flatten', () => {
    const lenet = summary(lenet5()).rows;
    expect(lenet.map((r) => r.receptiveField[0])).toEqual([1, 5, 6, 14, 16, 28, 28, 28, 28]);
    const res = summary(resnet20()).rows;
    // The last block's add sees the main path's field (the 1x1 shortcut's is smaller).
    const adds = res.filter((r) => r.kind === 'add');
    expect(adds.at(-1)!.receptiveField[0]).toBeGreaterThan(adds[0].receptiveField[0]);
    expect(adds.at(-1)!.stride).toEqual([4, 4]);
  });
});

describe('summary()', () => {
  it('VGG-16 at 224x224x3 matches the lecture table: 138,357,544 parameters, per-layer activations', () => {
    const s = summary(vgg16());
    expect(s.totalParams).toBe(138_357_544);
    // The seed's rows (cs231n): parameters without biases and activation values per layer.
    const convs = s.rows.filter((r) => r.kind === 'conv2d');
    expect(convs.map((r) => r.activations)).toEqual([
      3_211_264, 3_211_264, 1_605_632, 1_605_632, 802_816, 802_816, 802_816, 401_408, 401_408, 401_408, 100_352, 100_352, 100_352,
    ]);
    expect(convs.map((r) => r.params - r.outputShape[0])).toEqual([
      1_728, 36_864, 73_728, 147_456, 294_912, 589_824, 589_824, 1_179_648, 2_359_296, 2_359_296, 2_359_296, 2_359_296, 2_359_296,
    ]);
    expect(s.rows.filter((r) => r.kind === 'maxpool2d').map((r) => r.activations)).toEqual([802_816, 401_408, 200_704, 100_352, 25_088]);
    const fcs = s.rows.filter((r) => r.kind === 'dense');
    expect(fcs.map((r) => r.params - r.outputShape[0])).toEqual([102_760_448, 16_777_216, 4_096_000]);
    expect(s.rows[0]).toMatchObject({ kind: 'input', activations: 150_528 });
    // The rows sum to 15.2M values (61 MB) per image; the slide's "24M, ~96MB" total does
    // not follow from its own rows. The activation count here is the sum of the rows.
    expect(s.totalActivations).toBe(15_237_608);
    expect(s.activationBytes).toBe(60_950_432);
    // ~15.5 GFLOPs (2 x 7.7G multiply-adds) per image forward.
    expect(s.totalFlops / 1e9).toBeGreaterThan(30);
    expect(s.totalFlops / 1e9).toBeLessThan(31.5);
    expect(s.text).toContain('total params 138,357,544');
  });

  it('LeNet-5 has 61,706 parameters; the 2-conv BN model counts gamma/beta but not running statistics', () => {
    expect(summary(lenet5()).totalParams).toBe(61_706);
    // Conv biases (6 + 16) give way to batch norm's gamma and beta (2 x (6 + 16)).
    expect(summary(lenet5Bn()).totalParams).toBe(61_728);
    expect(lenet5Bn().countParams(true)).toBe(61_728 + 44);
    const bn = convBn();
    const s = summary(bn);
    expect(s.totalParams).toBe(bn.countParams());
    expect(bn.countParams(true) - bn.countParams()).toBe(2 * (16 + 32));
    expect(s.rows.find((r) => r.kind === 'flatten')!.outputShape).toEqual([32 * 7 * 7]);
  });

  it('the wider 2-conv BN models: 24/48 channels 313,202 parameters, 32/64 channels 421,738', () => {
    // 3x3 convolutions without bias, gamma and beta per channel, dense 128 on the 7x7 maps, dense 10.
    const params = (a: number, b: number) => 9 * a + 2 * a + 9 * a * b + 2 * b + (b * 49 * 128 + 128) + (128 * 10 + 10);
    expect(summary(convBnWide()).totalParams).toBe(313_202);
    expect(params(24, 48)).toBe(313_202);
    expect(summary(convBnX2()).totalParams).toBe(421_738);
    expect(params(32, 64)).toBe(421_738);
  });

  it('the benchmark CIFAR CNN has 122,570 parameters and flattens 4x4x64', () => {
    const s = summary(cifarCnn());
    expect(s.totalParams).toBe(122_570);
    expect(s.rows.find((r) => r.kind === 'flatten')!.outputShape).toEqual([1024]);
  });
});
