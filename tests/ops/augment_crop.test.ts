// The augment op's crops, zoom and colour against host computations of what each means:
// a window is an exact window, the CIFAR recipe is pad + crop + mirror, the resized
// crop's boxes follow torchvision's RandomResizedCrop, zoom scales about the centre,
// saturation keeps a pixel's grey.
import { describe, expect, it } from 'vitest';
import { cropBox, imageDraws } from '../../src/backends/cpu/kernels/augment';
import { AUGMENT_DEFAULTS, augment, type AugmentAttrs } from '../../src/ops/augment';
import { Random } from '../../src/random';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';

const attrs = (a: Partial<AugmentAttrs>): AugmentAttrs => ({ ...AUGMENT_DEFAULTS, seed: 5, ...a });
const values = (count: number, seed = 1) => new Random(seed).uniformArray(count, 0, 1);

describe('augment crops', () => {
  it('a window of a larger image is the input at the drawn offset, exactly; offsets vary', async () => {
    const gpu = await gpuBackend();
    const [n, c, h, w, oh, ow] = [8, 2, 10, 12, 7, 9];
    const x = values(n * c * h * w);
    const a = attrs({ outputHeight: oh, outputWidth: ow });
    const out = await augment(tensor(gpu, x, [n, c, h, w]), tensor(gpu, [3], [1]), a).read();
    const offsets = new Set<string>();
    for (let i = 0; i < n; i++) {
      const box = cropBox(a, 5 + 3, i, h, w, oh, ow);
      offsets.add(`${box.top},${box.left}`);
      expect(box.top >= 0 && box.top <= h - oh && box.left >= 0 && box.left <= w - ow).toBe(true);
      for (let k = 0; k < c; k++)
        for (let y = 0; y < oh; y++)
          for (let xo = 0; xo < ow; xo++) {
            expect(out[((i * c + k) * oh + y) * ow + xo]).toBe(x[((i * c + k) * h + box.top + y) * w + box.left + xo]);
          }
    }
    expect(offsets.size).toBeGreaterThan(4);
  });

  it('the CIFAR recipe (padding 4, flip-h 0.5) is pad with zeros, crop at the drawn offset, mirror', async () => {
    const gpu = await gpuBackend();
    const [n, c, s, p] = [16, 3, 8, 4];
    const x = values(n * c * s * s, 2);
    const a = attrs({ padding: p, flipHorizontal: 0.5 });
    const out = await augment(tensor(gpu, x, [n, c, s, s]), tensor(gpu, [0], [1]), a).read();
    const padded = (i: number, k: number, y: number, xx: number) => (y >= 0 && y < s && xx >= 0 && xx < s ? x[((i * c + k) * s + y) * s + xx] : 0);
    let flipped = 0;
    for (let i = 0; i < n; i++) {
      const box = cropBox(a, 5, i, s, s, s, s);
      expect(box.top >= -p && box.top <= p && box.left >= -p && box.left <= p).toBe(true);
      const { flipH } = imageDraws(a, 5, i);
      if (flipH) flipped++;
      for (let k = 0; k < c; k++)
        for (let y = 0; y < s; y++)
          for (let xo = 0; xo < s; xo++) {
            const want = padded(i, k, box.top + y, box.left + (flipH ? s - 1 - xo : xo));
            expect(out[((i * c + k) * s + y) * s + xo]).toBe(want);
          }
    }
    expect(flipped).toBeGreaterThan(0);
    expect(flipped).toBeLessThan(n);
  });

  it('resized-crop boxes follow torchvision: area share in the scale range, ratio in range (to rounding), inside the image; the fallback is the centre', () => {
    const a = attrs({ cropScale: [0.08, 1], cropRatio: [3 / 4, 4 / 3] });
    const [h, w] = [40, 30];
    let small = 0;
    for (let i = 0; i < 2000; i++) {
      const b = cropBox(a, 11, i, h, w, 24, 24);
      expect(b.top >= 0 && b.left >= 0 && b.top + b.height <= h && b.left + b.width <= w).toBe(true);
      // Rounding each side to whole pixels moves the area and ratio a little.
      const share = (b.height * b.width) / (h * w);
      expect(share).toBeGreaterThan(0.08 * (1 - 1 / Math.min(b.height, b.width)) ** 2 - 1e-9);
      expect(share).toBeLessThanOrEqual(1);
      expect(b.width / b.height).toBeGreaterThan((3 / 4) * (1 - 1.2 / b.width));
      expect(b.width / b.height).toBeLessThan((4 / 3) * (1 + 1.2 / b.height));
      if (share < 0.3) small++;
    }
    expect(small).toBeGreaterThan(400);
    // No box of ratio 3-4 and 90% of a square's area fits: torchvision's fallback, the centre with the ratio clamped.
    expect(cropBox(attrs({ cropScale: [0.9, 1], cropRatio: [3, 4] }), 1, 0, 10, 10, 10, 10)).toEqual({ top: 3, left: 0, height: 3, width: 10 });
  });

  it('resized crop: scale 1 and ratio 1 of a square is the identity; a 6x6 box to 6x6 is that window; to 12x12 is bilinear as torch', async () => {
    const gpu = await gpuBackend();
    const x = values(2 * 3 * 10 * 10, 3);
    const step = tensor(gpu, [0], [1]);
    const same = await augment(tensor(gpu, x, [2, 3, 10, 10]), step, { cropScale: [1, 1], cropRatio: [1, 1] }).read();
    for (let i = 0; i < x.length; i++) expect(same[i]).toBeCloseTo(x[i], 6);
    const a = attrs({ seed: 0, cropScale: [0.36, 0.36], cropRatio: [1, 1] });
    const window = await augment(tensor(gpu, x, [2, 3, 10, 10]), step, { ...a, outputHeight: 6, outputWidth: 6 }).read();
    const box = cropBox(a, 0, 1, 10, 10, 6, 6);
    expect([box.height, box.width]).toEqual([6, 6]);
    const at = (k: number, y: number, xx: number) => x[((3 + k) * 10 + box.top + y) * 10 + box.left + xx];
    for (let k = 0; k < 3; k++) {
      for (let y = 0; y < 6; y++) {
        for (let xo = 0; xo < 6; xo++) expect(window[((3 + k) * 6 + y) * 6 + xo]).toBeCloseTo(at(k, y, xo), 6);
      }
    }
    const up = await augment(tensor(gpu, x, [2, 3, 10, 10]), step, { ...a, outputHeight: 12, outputWidth: 12 }).read();
    for (let k = 0; k < 3; k++) {
      for (let y = 0; y < 12; y++) {
        for (let xo = 0; xo < 12; xo++) {
          // torch.nn.functional.interpolate(box, size=12, mode='bilinear'): source (o + 0.5) / 2 - 0.5, clamped at 0 and at 5.
          const sy = Math.max((y + 0.5) / 2 - 0.5, 0);
          const sx = Math.max((xo + 0.5) / 2 - 0.5, 0);
          const [y0, x0] = [Math.floor(sy), Math.floor(sx)];
          const [y1, x1] = [Math.min(y0 + 1, 5), Math.min(x0 + 1, 5)];
          const [fy, fx] = [sy - y0, sx - x0];
          const want = (1 - fy) * ((1 - fx) * at(k, y0, x0) + fx * at(k, y0, x1)) + fy * ((1 - fx) * at(k, y1, x0) + fx * at(k, y1, x1));
          expect(up[((3 + k) * 12 + y) * 12 + xo]).toBeCloseTo(want, 5);
        }
      }
    }
  });

  it('rejects crops that cannot be made, naming the option', () => {
    const x = tensor(cpu, values(2 * 3 * 6 * 6), [2, 3, 6, 6]);
    const step = tensor(cpu, [0], [1]);
    expect(() => augment(x, step, { outputHeight: 8 })).toThrow('augment: the output 8x6 is larger than the input 6x6; a random window cannot grow it');
    expect(() => augment(x, step, { cropScale: [0.5, 1.5] })).toThrow('augment: cropScale must be [min, max] with 0 < min <= max <= 1');
    expect(() => augment(x, step, { cropScale: [0.5, 1], cropRatio: [2, 1] })).toThrow('augment: cropRatio must be [min, max] with 0 < min <= max');
    expect(() => augment(x, step, { cropScale: [0.5, 1], padding: 2 })).toThrow('augment: padding goes with the random window, not the resized crop');
    expect(() => augment(x, step, { zoom: 1 })).toThrow('augment: zoom must be in [0, 1), got 1');
  });
});

describe('augment zoom and colour', () => {
  it('zoom scales about the centre: a horizontal ramp keeps its centre and gets a slope 1/z, z in [1 - zoom, 1 + zoom]', async () => {
    const gpu = await gpuBackend();
    const [n, s] = [8, 9];
    const ramp = Float32Array.from({ length: n * s * s }, (_, i) => i % s);
    const out = await augment(tensor(gpu, ramp, [n, 1, s, s]), tensor(gpu, [0], [1]), { seed: 2, zoom: 0.25 }).read();
    const slopes = new Set<string>();
    for (let i = 0; i < n; i++) {
      const row = out.subarray(i * s * s + 4 * s, i * s * s + 5 * s);
      expect(row[4]).toBeCloseTo(4, 5);
      const slope = row[5] - row[4];
      expect(slope).toBeGreaterThanOrEqual(1 / 1.25 - 1e-5);
      expect(slope).toBeLessThanOrEqual(1 / 0.75 + 1e-5);
      expect(row[3]).toBeCloseTo(4 - slope, 4);
      slopes.add(slope.toFixed(4));
    }
    expect(slopes.size).toBe(n);
  });

  it('per-channel brightness gives each channel of an image its own shift; without it the channels move together', async () => {
    const x = new Float32Array(4 * 3 * 2 * 2).fill(0.5);
    const step = tensor(cpu, [0], [1]);
    const per = await augment(tensor(cpu, x, [4, 3, 2, 2]), step, { brightness: 0.3, perChannel: true }).read();
    const shared = await augment(tensor(cpu, x, [4, 3, 2, 2]), step, { brightness: 0.3 }).read();
    for (let i = 0; i < 4; i++) {
      const channel = (v: Float32Array, k: number) => v[(i * 3 + k) * 4];
      expect(new Set([0, 1, 2].map((k) => channel(per, k))).size).toBe(3);
      expect(new Set([0, 1, 2].map((k) => channel(shared, k))).size).toBe(1);
    }
  });

  it("saturation keeps a pixel's grey (0.299 R + 0.587 G + 0.114 B), leaves grey pixels alone, and needs 3 channels", async () => {
    const gpu = await gpuBackend();
    const x = values(6 * 3 * 4 * 4, 4);
    for (let p = 0; p < 4 * 4; p++) x[(5 * 3 + 1) * 16 + p] = x[(5 * 3 + 2) * 16 + p] = x[5 * 3 * 16 + p]; // image 5 is grey
    const out = await augment(tensor(gpu, x, [6, 3, 4, 4]), tensor(gpu, [1], [1]), { saturation: 0.9 }).read();
    const grey = (v: ArrayLike<number>, i: number, p: number) => 0.299 * v[i * 3 * 16 + p] + 0.587 * v[(i * 3 + 1) * 16 + p] + 0.114 * v[(i * 3 + 2) * 16 + p];
    let changed = 0;
    for (let i = 0; i < 6; i++) {
      for (let p = 0; p < 16; p++) {
        expect(grey(out, i, p)).toBeCloseTo(grey(x, i, p), 5);
        if (Math.abs(out[i * 3 * 16 + p] - x[i * 3 * 16 + p]) > 1e-3) changed++;
      }
    }
    for (let k = 0; k < 3 * 16; k++) expect(out[5 * 48 + k]).toBeCloseTo(x[5 * 48 + k], 5);
    expect(changed).toBeGreaterThan(40);
    expect(() => augment(tensor(cpu, values(16), [1, 1, 4, 4]), tensor(cpu, [0], [1]), { saturation: 0.5 })).toThrow(
      'augment: saturation needs RGB images (3 channels), got 1 channel',
    );
  });
});
