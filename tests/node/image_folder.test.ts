// imageFolder in Node, through the real decoder (Skia, npm @napi-rs/canvas), on folders
// the test writes from real Fashion-MNIST images: JPEG, PNG and WebP, tinted, of several
// sizes, with broken files of every kind imageFolder must list and skip.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImageHeader } from '../../src/data/image_header';
import { imageFolder, nodeImageDecoder } from '../../src/node_image_folder';
import { BROKEN_FILES, fashionImages, png16, writeFashionFolder } from '../../tools/cli/fashion_folder.mjs';
import { encodePng } from '../../tools/cli/png.mjs';

const SIZES: (number | [number, number])[] = [40, [48, 36], [30, 52], 28];
let mixed: string;

beforeAll(async () => {
  mixed = mkdtempSync(join(tmpdir(), 'image-folder-'));
  await writeFashionFolder(mixed, { classes: 3, perClass: 30, size: SIZES, formats: ['jpeg', 'png', 'webp'], broken: true, seed: 4 });
});

/** A 24-bit BMP (bottom-up rows, BGR), for the decoder's BMP path. */
function bmp(w: number, h: number, rgb: (x: number, y: number) => [number, number, number]): Buffer {
  const row = Math.ceil((w * 3) / 4) * 4;
  const b = Buffer.alloc(54 + row * h);
  b.write('BM', 0);
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, bl] = rgb(x, y);
      b.set([bl, g, r], 54 + (h - 1 - y) * row + 3 * x);
    }
  return b;
}

describe('imageFolder (Node, Skia)', () => {
  it('reads JPEG, PNG and WebP of several sizes as RGB at the model size, lists every broken file by path and reason', async () => {
    const progress: number[] = [];
    const f = await imageFolder(mixed, { size: 32, seed: 1, onProgress: (p) => progress.push(p.done) });
    expect(f.classNames).toEqual(['pullover', 't-shirt', 'trouser']);
    expect(f.train.shape).toEqual([3, 32, 32]);
    expect(f.train.count + f.validation.count).toBe(90);
    // A fifth of each class held out.
    for (let k = 0; k < 3; k++) expect(f.validation.labels.filter((l) => l === k).length).toBe(6);
    expect(f.split).toBe('seeded');
    const reasons = Object.fromEntries(f.bad.map((b) => [b.path.slice(mixed.length + 1), b.reason]));
    for (const [path, what] of Object.entries(BROKEN_FILES)) expect(reasons[path], path).toContain(what);
    expect(reasons['no-images']).toMatch(/class folder with no image files/);
    expect(f.bad).toHaveLength(Object.keys(BROKEN_FILES).length + 1);
    expect(progress.at(-1)).toBe(90 + Object.keys(BROKEN_FILES).length);
    // Normalised per channel with the training images' statistics.
    for (let c = 0; c < 3; c++) {
      let s = 0;
      let n = 0;
      for (let i = 0; i < f.train.count; i++) {
        const plane = f.train.images.subarray((i * 3 + c) * 1024, (i * 3 + c + 1) * 1024);
        for (const v of plane) s += v;
        n += 1024;
      }
      expect(Math.abs(s / n)).toBeLessThan(1e-3);
    }
    expect(f.mean.every((m) => m > 0.05 && m < 0.6)).toBe(true);
    // Tinted: the channels differ (grey images would have equal planes).
    const img = f.train.images.subarray(0, 3 * 1024);
    expect(img.subarray(0, 1024).some((v, p) => Math.abs(v * f.std[0] + f.mean[0] - (img[1024 + p] * f.std[1] + f.mean[1])) > 0.05)).toBe(true);
  });

  it('decodes a PNG to its exact pixels, expands grey to RGB, and crops the centre square of the shorter side', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'image-folder-exact-'));
    const { images } = fashionImages();
    for (const [k, name] of ['a', 'b'].entries()) {
      mkdirSync(join(dir, name));
      // 28x28 grey, and 28 wide by 40 high in RGB (6 rows of red above and below the item).
      writeFileSync(join(dir, name, 'grey.png'), encodePng(images.subarray(k * 784, (k + 1) * 784), 28, 28, 1));
      const tall = Buffer.alloc(28 * 40 * 3);
      for (let y = 0; y < 40; y++)
        for (let x = 0; x < 28; x++) {
          const v = y >= 6 && y < 34 ? images[k * 784 + (y - 6) * 28 + x] : 0;
          tall.set(y >= 6 && y < 34 ? [v, v, v] : [255, 0, 0], (y * 28 + x) * 3);
        }
      writeFileSync(join(dir, name, 'tall.png'), encodePng(tall, 28, 40, 3));
    }
    const f = await imageFolder(dir, { size: 28, cropMargin: 0, validation: 0, mean: [0, 0, 0], std: [1, 1, 1] });
    expect(f.train.count).toBe(4);
    expect(f.bad).toEqual([]);
    for (let i = 0; i < 4; i++) {
      const k = Math.floor(i / 2);
      const want = images.subarray(k * 784, (k + 1) * 784);
      for (let c = 0; c < 3; c++) {
        const got = f.train.images.subarray((i * 3 + c) * 784, (i * 3 + c + 1) * 784);
        const worst = Math.max(...Array.from(got, (v, p) => Math.abs(v * 255 - want[p])));
        expect(worst, `image ${i} channel ${c}`).toBeLessThan(0.51);
      }
    }
  });

  it('decodes GIF (first frame) and BMP too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'image-folder-gif-'));
    for (const name of ['red', 'blue']) mkdirSync(join(dir, name));
    const canvas = createCanvas(20, 20);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = 'rgb(255, 0, 0)';
    ctx.fillRect(0, 0, 20, 20);
    writeFileSync(join(dir, 'red', 'a.gif'), await canvas.encode('gif'));
    writeFileSync(
      join(dir, 'blue', 'b.bmp'),
      bmp(20, 16, () => [0, 0, 255]),
    );
    const f = await imageFolder(dir, { size: 8, validation: 0, mean: [0, 0, 0], std: [1, 1, 1] });
    expect(f.bad).toEqual([]);
    expect(f.classNames).toEqual(['blue', 'red']);
    // Each example's file, in the data set's order (to name a misclassified one).
    expect(f.paths).toEqual({ train: ['blue/b.bmp', 'red/a.gif'], validation: [] });
    const at = (i: number, c: number) => f.train.images[(i * 3 + c) * 64 + 27];
    expect([at(0, 0), at(0, 1), at(0, 2)]).toEqual([0, 0, 1]);
    expect([at(1, 0), at(1, 1), at(1, 2)]).toEqual([1, 0, 0]);
  });

  it('caches the decodes: random crops each epoch come from them, seeded by the epoch; validation keeps the centre', async () => {
    let calls = 0;
    const counting = async (...args: Parameters<typeof nodeImageDecoder>) => {
      calls++;
      return nodeImageDecoder(...args);
    };
    // A margin of 2 pixels: 36x36 decodes, 32x32 crops of them.
    const f = await imageFolder(mixed, { size: 32, cropMargin: 2, decoder: counting });
    const decoded = calls;
    expect(decoded).toBe(f.decodes);
    const centre = f.train.images.slice();
    const validation = f.validation.images.slice();
    const callback = f.randomCrops();
    callback.onEpochBegin(1);
    const first = f.train.images.slice();
    callback.onEpochBegin(2);
    const second = f.train.images.slice();
    f.cropTrain(1);
    expect(f.train.images).toEqual(first);
    expect(first).not.toEqual(second);
    expect(first).not.toEqual(centre);
    expect(f.validation.images).toEqual(validation);
    expect(calls).toBe(decoded);
  });

  it('keeps the whole centred square by default: the edges survive, and training has no random crops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'image-folder-edges-'));
    for (const name of ['framed', 'plain']) mkdirSync(join(dir, name));
    // 16x16, blue with a red frame one pixel wide: at size 16 and no margin, the frame is the edge pixels.
    const canvas = createCanvas(16, 16);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = 'rgb(255, 0, 0)';
    ctx.fillRect(0, 0, 16, 16);
    ctx.fillStyle = 'rgb(0, 0, 255)';
    ctx.fillRect(1, 1, 14, 14);
    writeFileSync(join(dir, 'framed', 'a.png'), await canvas.encode('png'));
    writeFileSync(join(dir, 'plain', 'b.png'), await canvas.encode('png'));
    const options = { size: 16, validation: 0, mean: [0, 0, 0], std: [1, 1, 1] };
    const whole = await imageFolder(dir, options);
    const red = (f: typeof whole, x: number, y: number) => f.train.images[y * 16 + x];
    expect([red(whole, 0, 0), red(whole, 15, 8), red(whole, 8, 8)]).toEqual([1, 1, 0]);
    const before = whole.train.images.slice();
    whole.cropTrain(1);
    expect(whole.train.images).toEqual(before);
    // ImageNet's margin (here 1 pixel a side): 18x18 decodes, the centre 16x16 loses the frame.
    const cropped = await imageFolder(dir, { ...options, cropMargin: 1 });
    expect(red(cropped, 0, 0)).toBeLessThan(0.5);
  });

  it('takes the split from train/ and val/ when the folder has them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'image-folder-split-'));
    await writeFashionFolder(dir, { classes: 2, perClass: 10, size: 28, formats: ['png'], split: true });
    const f = await imageFolder(dir, { size: 28 });
    expect(f.split).toBe('folders');
    expect(f.classNames).toEqual(['t-shirt', 'trouser']);
    expect([f.train.count, f.validation.count]).toEqual([16, 4]);
    expect(f.paths.validation.every((p, i) => p.startsWith(`val/${f.classNames[f.validation.labels[i]]}/`))).toBe(true);
    expect(f.paths.train).toHaveLength(16);
  });

  it('--strict: a bad file is an error naming it; fewer than two classes is an error that says so', async () => {
    await expect(imageFolder(mixed, { size: 32, strict: true })).rejects.toThrow(/bad file\(s\) \(strict\): .*t-shirt\/cmyk\.jpg: a CMYK/);
    const one = mkdtempSync(join(tmpdir(), 'image-folder-one-'));
    await writeFashionFolder(one, { classes: 1, perClass: 5, size: 28, formats: ['png'] });
    await expect(imageFolder(one, { size: 28 })).rejects.toThrow(/one class folder \(t-shirt\) with usable images; a data set needs at least two classes/);
    await expect(imageFolder(join(one, 'missing'), { size: 28 })).rejects.toThrow(/no such folder/);
  });
});

describe('readImageHeader', () => {
  it('reads the size of each format and names what is wrong with a broken file', async () => {
    const canvas = createCanvas(33, 21);
    const noise = canvas.getContext('2d').createImageData(33, 21);
    for (let i = 0; i < noise.data.length; i++) noise.data[i] = (i * 7919) % 251;
    canvas.getContext('2d').putImageData(noise, 0, 0);
    for (const format of ['jpeg', 'png', 'webp', 'gif'] as const) {
      const bytes = await canvas.encode(format as 'jpeg');
      expect(readImageHeader(bytes), format).toEqual({ format, width: 33, height: 21 });
    }
    expect(readImageHeader(bmp(12, 9, () => [1, 2, 3]))).toEqual({ format: 'bmp', width: 12, height: 9 });
    expect(() => readImageHeader(new Uint8Array(0))).toThrow('empty file');
    expect(() => readImageHeader(Buffer.from('hello\n'))).toThrow('a text file, not an image');
    expect(() => readImageHeader(Buffer.from([0, 1, 2, 3, 4]))).toThrow('not a JPEG, PNG, WebP, GIF or BMP file (it starts with 00 01 02 03)');
    expect(() => readImageHeader(readFileSync('tests/fixtures/images/cmyk.jpg'))).toThrow('a CMYK (or YCCK) JPEG');
    expect(() => readImageHeader(png16(new Uint8Array(100), 10, 10))).toThrow('a 16-bit PNG');
    expect(() => readImageHeader(encodePng(Buffer.from([1, 2, 3]), 1, 1, 3))).toThrow('1x1 pixels: too small');
    const jpeg = await canvas.encode('jpeg', 90);
    expect(() => readImageHeader(jpeg.subarray(0, jpeg.length - 40))).toThrow('truncated JPEG: no end-of-image marker');
    expect(() => readImageHeader(jpeg.subarray(0, 100))).toThrow(/truncated|JPEG/);
    const png = await canvas.encode('png');
    expect(() => readImageHeader(png.subarray(0, png.length - 20))).toThrow(/truncated PNG/);
  });
});
