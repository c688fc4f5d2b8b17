// imageFolder in the browser, through createImageBitmap and an OffscreenCanvas, on files
// the test makes in the page from real Fashion-MNIST images: PNG, JPEG and WebP (the
// browser's own encoders), tinted, of several sizes, and broken ones.
import { describe, expect, it } from 'vitest';
import { imageFolder } from '../../src/data/image_decode';
import { fetchIdxSplit } from '../../src/data/fashion_mnist';
import cmykUrl from '../fixtures/images/cmyk.jpg?url';

/** Image `i` of the split, its grey times `tint`, drawn at w x h and encoded as `type`. */
async function encode(images: Float32Array, i: number, tint: [number, number, number], w: number, h: number, type: string): Promise<Uint8Array> {
  const small = new OffscreenCanvas(28, 28);
  const data = new ImageData(28, 28);
  for (let p = 0; p < 784; p++) {
    const v = images[i * 784 + p] * 255;
    data.data.set([v * tint[0], v * tint[1], v * tint[2], 255], 4 * p);
  }
  small.getContext('2d')!.putImageData(data, 0, 0);
  const canvas = new OffscreenCanvas(w, h);
  canvas.getContext('2d')!.drawImage(small, 0, 0, w, h);
  return new Uint8Array(await (await canvas.convertToBlob({ type, quality: 0.9 })).arrayBuffer());
}

describe('imageFolder (browser: createImageBitmap)', () => {
  it('reads PNG, JPEG and WebP of several sizes as RGB, lists the broken files and skips them', async () => {
    const test = await fetchIdxSplit('/datasets/fashion-mnist', 'test');
    const files: { path: string; bytes: Uint8Array }[] = [];
    const types = ['image/png', 'image/jpeg', 'image/webp'];
    const sizes = [
      [40, 40],
      [48, 32],
      [28, 28],
    ];
    const taken = [0, 0];
    for (let i = 0; i < test.count && taken[0] + taken[1] < 24; i++) {
      const k = test.labels[i];
      if (k > 1 || taken[k] >= 12) continue;
      const n = taken[k]++;
      const [w, h] = sizes[n % 3];
      const tint: [number, number, number] = [[1, 0.5, 0.3][n % 3], [0.4, 1, 0.6][n % 3], [0.7, 0.3, 1][n % 3]];
      const ext = ['png', 'jpg', 'webp'][n % 3];
      files.push({ path: `${k === 0 ? 'shirts' : 'trousers'}/${n}.${ext}`, bytes: await encode(test.images, i, tint, w, h, types[n % 3]) });
    }
    const jpeg = files.find((f) => f.path.endsWith('.jpg'))!.bytes;
    const broken = {
      'shirts/truncated.jpg': jpeg.subarray(0, jpeg.length - 64),
      'shirts/notes.png': new TextEncoder().encode('not a picture\n'),
      'trousers/empty.webp': new Uint8Array(0),
      'trousers/pixel.png': await encode(test.images, 0, [1, 1, 1], 1, 1, 'image/png'),
      'trousers/cmyk.jpg': new Uint8Array(await (await fetch(cmykUrl)).arrayBuffer()),
      'shirts/readme.txt': new TextEncoder().encode('ignored by name'),
    };
    for (const [path, bytes] of Object.entries(broken)) files.push({ path, bytes });
    const seen: number[] = [];
    const f = await imageFolder(files, { size: 24, seed: 3, onProgress: (p) => seen.push(p.errors) });
    expect(f.classNames).toEqual(['shirts', 'trousers']);
    expect(f.train.shape).toEqual([3, 24, 24]);
    expect(f.train.count + f.validation.count).toBe(24);
    expect(f.bad.map((b) => b.path)).toEqual([
      'folder/shirts/notes.png',
      'folder/shirts/truncated.jpg',
      'folder/trousers/cmyk.jpg',
      'folder/trousers/empty.webp',
      'folder/trousers/pixel.png',
    ]);
    expect(f.bad.map((b) => b.reason).join('\n')).toMatch(/text file[\s\S]*truncated JPEG[\s\S]*CMYK[\s\S]*empty file[\s\S]*1x1 pixels/);
    expect(f.ignored.map((b) => b.path)).toEqual(['folder/shirts/readme.txt']);
    expect(seen.at(-1)).toBe(5);
    expect(f.decodes).toBe(24);
    // Tinted images stay coloured: the red and green planes of the first differ.
    const [r, g] = [0, 1].map((c) => f.train.images.subarray(c * 576, (c + 1) * 576));
    expect(r.some((v, p) => Math.abs(v * f.std[0] + f.mean[0] - (g[p] * f.std[1] + f.mean[1])) > 0.1)).toBe(true);
  });

  it('a PNG comes back with its exact pixels, grey expanded to RGB', async () => {
    const test = await fetchIdxSplit('/datasets/fashion-mnist', 'test');
    const grey = (i: number) => {
      const canvas = new OffscreenCanvas(28, 28);
      const data = new ImageData(28, 28);
      for (let p = 0; p < 784; p++) data.data.set([test.images[i * 784 + p] * 255, test.images[i * 784 + p] * 255, test.images[i * 784 + p] * 255, 255], 4 * p);
      canvas.getContext('2d')!.putImageData(data, 0, 0);
      return canvas.convertToBlob({ type: 'image/png' });
    };
    const files = [
      { path: 'a/a.png', bytes: new Uint8Array(await (await grey(0)).arrayBuffer()) },
      { path: 'b/b.png', bytes: new Uint8Array(await (await grey(1)).arrayBuffer()) },
    ];
    const f = await imageFolder(files, {
      size: 28,
      cropMargin: 0,
      validation: 0,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    });
    expect(f.classNames).toEqual(['a', 'b']);
    for (let i = 0; i < 2; i++)
      for (let c = 0; c < 3; c++) {
        const got = f.train.images.subarray((i * 3 + c) * 784, (i * 3 + c + 1) * 784);
        const want = test.images.subarray(i * 784, (i + 1) * 784);
        expect(Math.max(...Array.from(got, (v, p) => Math.abs(v - Math.round(want[p] * 255) / 255)))).toBeLessThan(1e-6);
      }
  });
});
