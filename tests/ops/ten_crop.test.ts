import { describe, expect, it } from 'vitest';
import { tenCrop } from '../../src/ops/ten_crop';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkParity } from '../helpers/parity';
import { tenCropTable } from './ten_crop.cases';

describe('ten_crop parity (gpu vs cpu)', () => {
  for (const c of tenCropTable.cases) it(c.name, () => checkParity(c));
});

describe('ten_crop', () => {
  // One 1x5x6 image whose value is 10 * row + column.
  const values = Array.from({ length: 30 }, (_, i) => 10 * Math.floor(i / 6) + (i % 6));
  const rows = (out: Float32Array, k: number, h: number, w: number) =>
    Array.from({ length: h }, (_, y) => [...out.subarray(k * h * w + y * w, k * h * w + (y + 1) * w)]);

  it('cuts the four corners and the centre, then their mirror images', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const out = await tenCrop(tensor(backend, values, [1, 1, 5, 6]), { height: 3, width: 3 }).read();
      expect(rows(out, 0, 3, 3)).toEqual([
        [0, 1, 2],
        [10, 11, 12],
        [20, 21, 22],
      ]);
      expect(rows(out, 1, 3, 3)[0]).toEqual([3, 4, 5]);
      expect(rows(out, 2, 3, 3)[0]).toEqual([20, 21, 22]);
      expect(rows(out, 3, 3, 3)[2]).toEqual([43, 44, 45]);
      // Centre: offsets floor(2 / 2) = 1 and floor(3 / 2) = 1.
      expect(rows(out, 4, 3, 3)[0]).toEqual([11, 12, 13]);
      expect(rows(out, 5, 3, 3)[0]).toEqual([2, 1, 0]);
      expect(rows(out, 9, 3, 3)[1]).toEqual([23, 22, 21]);
    }
  });

  it('pads with zeros: crops of the image size from the padded image are shifted copies', async () => {
    const out = await tenCrop(tensor(cpu, values, [1, 1, 5, 6]), { height: 5, width: 6, padding: 1 }).read();
    expect(rows(out, 0, 5, 6)[0]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(rows(out, 0, 5, 6)[1]).toEqual([0, 0, 1, 2, 3, 4]);
    expect(rows(out, 4, 5, 6)).toEqual(rows(Float32Array.from(values), 0, 5, 6));
  });

  it('rejects crops larger than the padded image and unknown view counts', () => {
    const x = tensor(cpu, values, [1, 1, 5, 6]);
    expect(() => tenCrop(x, { height: 6, width: 6 })).toThrow("ten_crop: height must be a whole number from 1 to the padded image's 5, got 6");
    expect(() => tenCrop(x, { height: 3, width: 3, views: 3 as 10 })).toThrow('ten_crop: views must be 1, 2, 5 or 10, got 3');
  });
});
