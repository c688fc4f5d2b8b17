import { describe, expect, it } from 'vitest';
import { cifarCnn, convBn, convBnWide, convBnX2, lenet5, lenet5Bn, summary, vgg16 } from '../../src/index';

describe('summary()', () => {
  it('VGG-16 at 224x224x3 matches the lecture table: 138,357,544 parameters, per-layer activations', () => {
    const s = summary(vgg16());
    expect(s.totalParams).toBe(138_357_544);
    // The seed's rows (cs231n): parameters without biases and activation values per layer.
    const convs = s.rows.filter((r) => r.kind === 'conv2d');
    expect(convs.map((r) => r.activations)).toEqual([
      3_211_264, 3_211_264, 1_605_632, 1_605_632, 802_816, 802_816, 802_816, 401_408, 401_408, 401_408, 100_352, 100_352, 100_352,
    ]);
    expect(convs.map((r) => r.params - r.outputShape[0])).toEqual([1_728, 36_864, 73_728, 147_456, 294_912, 589_824, 589_824, 1_179_648, 2_359_296, 2_359_296, 2_359_296, 2_359_296, 2_359_296]);
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
