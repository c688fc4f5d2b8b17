// The patches that excite a filter most: the strongest positions of a channel over a set of
// images, each cropped to its receptive field (size, stride and offset from summary()).
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset';
import { Conv2d } from '../../src/nn/conv_layers';
import { sequential } from '../../src/nn/model';
import { MaxPool2d } from '../../src/nn/pool_layers';
import { summary } from '../../src/nn/summary';
import { topPatches } from '../../src/nn/top_patches';
import { gpuBackend } from '../helpers/backends';

/** 6 images of 8x8, each black but one bright pixel (brightness 1..6) at a known place. */
const SPOTS: [number, number][] = [
  [0, 0],
  [3, 4],
  [7, 7],
  [5, 1],
  [2, 6],
  [6, 3],
];
function spots(): Dataset {
  const images = new Float32Array(6 * 64);
  SPOTS.forEach(([y, x], i) => (images[i * 64 + y * 8 + x] = i + 1));
  return { images, labels: new Uint8Array(6), shape: [1, 8, 8], classes: 1, count: 6 };
}

describe('topPatches', () => {
  it('finds the brightest spots through an identity filter and crops their receptive fields', async () => {
    const model = sequential(
      [1, 8, 8],
      [new Conv2d({ filters: 2, kernel: 3, padding: 1, bias: false, name: 'conv' }), new MaxPool2d({ kernel: 2, name: 'pool' })],
      'spots',
    ).build(await gpuBackend());
    // Filter 0 passes its centre pixel through; filter 1 sees nothing.
    const weights = new Float32Array(18);
    weights[4] = 1;
    model
      .params()
      .find((p) => p.name === 'conv.weight')!
      .tensor.write(weights);
    const rows = summary(model).rows;
    expect(rows.map((r) => [r.name, r.receptiveField[0], r.stride[0], r.fieldOffset[0]])).toEqual([
      ['input', 1, 1, 0],
      ['conv', 3, 1, -1],
      ['pool', 4, 2, -1],
    ]);

    const conv = await topPatches(model, spots(), 'conv', 0, 3);
    // Brightest first: images 5, 4, 3 (brightness 6, 5, 4), at their spots.
    expect(conv.map((p) => [p.image, p.y, p.x, p.value])).toEqual([
      [5, 6, 3, 6],
      [4, 2, 6, 5],
      [3, 5, 1, 4],
    ]);
    // 3x3 around the spot; the spot is the crop's centre pixel.
    expect(conv.map((p) => [p.top, p.left, p.height, p.width])).toEqual([
      [5, 2, 3, 3],
      [1, 5, 3, 3],
      [4, 0, 3, 3],
    ]);
    expect(conv[0].pixels[4]).toBe(6);

    const pool = await topPatches(model, spots(), 'pool', 0, 6);
    // A pooled value at (py, px) sees input rows 2py - 1 .. 2py + 2: clipped at the borders.
    const corner = pool.find((p) => p.image === 0)!;
    expect([corner.y, corner.x, corner.top, corner.left, corner.height, corner.width]).toEqual([0, 0, 0, 0, 3, 3]);
    const far = pool.find((p) => p.image === 2)!;
    expect([far.y, far.x, far.top, far.left, far.height, far.width]).toEqual([3, 3, 5, 5, 3, 3]);
    for (const p of pool) expect(Math.max(...p.pixels)).toBe(p.image + 1);
    await expect(topPatches(model, spots(), 'conv', 2)).rejects.toThrow('topPatches: conv has channels 0..1, not 2');
    model.dispose();
  });
});
