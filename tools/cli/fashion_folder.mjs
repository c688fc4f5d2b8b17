#!/usr/bin/env node
// Writes an image folder made of real Fashion-MNIST images, one subfolder per class, for
// the tests and for trying `npm run train -- --dataset folder:PATH`: JPEG, PNG and WebP
// files (encoded by @napi-rs/canvas, PNG by ./png.mjs), tinted with a random colour per
// image, at a given size or several, and optionally a few broken files of every kind
// imageFolder must skip.
//
//   node tools/cli/fashion_folder.mjs --out /tmp/fm5 [--classes 5 | --labels 0,1,5,8,9] [--per-class 600]
//        [--size 40] [--formats jpeg|jpeg,png,webp] [--split] [--broken] [--no-tint] [--seed 1]
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crc32, deflateSync, gunzipSync } from 'node:zlib';
import { encodePng } from './png.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FASHION_NAMES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];

/** The broken files `broken: true` adds, by name: what imageFolder must list and skip. */
export const BROKEN_FILES = {
  't-shirt/truncated.jpg': 'truncated JPEG',
  't-shirt/notes.png': 'a text file, not an image',
  'trouser/empty.webp': 'empty file',
  'trouser/pixel.png': '1x1 pixels',
  't-shirt/cmyk.jpg': 'CMYK',
  'trouser/deep.png': '16-bit PNG',
};

/** Fashion-MNIST's test split (10,000 images of 28x28 grey bytes, and labels). */
export function fashionImages(dir = join(process.env.DATASETS_DIR ?? '/usr/share/datasets', 'fashion-mnist')) {
  const images = gunzipSync(readFileSync(join(dir, 't10k-images-idx3-ubyte.gz'))).subarray(16);
  const labels = gunzipSync(readFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'))).subarray(8);
  return { images, labels, count: labels.length };
}

/** mulberry32 */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 16-bit grey PNG (what imageFolder refuses): `pixels` are bytes, widened to 16 bits. */
export function png16(pixels, width, height) {
  const raw = Buffer.alloc((2 * width + 1) * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.writeUInt16BE(pixels[y * width + x] * 257, y * (2 * width + 1) + 1 + 2 * x);
  // The 8-bit writer's file, with its IHDR depth and IDAT replaced.
  const eight = encodePng(Buffer.alloc(width * height), width, height, 1);
  const idat = deflateSync(raw);
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.from(eight.subarray(16, 29));
  ihdr[8] = 16;
  return Buffer.concat([eight.subarray(0, 8), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * Writes the folder: the Fashion-MNIST classes `labels` (default the first `classes`,
 * 0..classes-1; named FASHION_NAMES), `perClass` images each from the test split, every
 * one tinted (its grey times a random colour; `tint: false`, grey) and drawn at `size` (a number, or a list drawn from per image) in one of
 * `formats` (in turn). With `split`, a fifth of each class goes to val/CLASS and the
 * rest to train/CLASS. With `broken`, BROKEN_FILES are added and an empty class folder.
 * Returns the files written, by format.
 */
export async function writeFashionFolder(
  out,
  { classes = 5, perClass = 600, size = 40, formats = ['jpeg'], split = false, broken = false, seed = 1, tint = true, labels } = {},
) {
  const { createCanvas } = await import('@napi-rs/canvas');
  const data = fashionImages();
  const rng = random(seed);
  const sizes = [size].flat();
  const written = { jpeg: 0, png: 0, webp: 0 };
  // Which Fashion-MNIST classes: `labels`, or the first `classes`.
  const wanted = labels ?? [...Array(classes).keys()];
  const taken = new Array(10).fill(0);
  const extension = { jpeg: 'jpg', png: 'png', webp: 'webp' };
  for (let i = 0; i < data.count; i++) {
    const k = data.labels[i];
    if (!wanted.includes(k) || taken[k] >= perClass) continue;
    const n = taken[k]++;
    const draws = [rng(), rng(), rng()];
    const [r, g, b] = tint ? draws.map((d) => 0.35 + 0.65 * d) : [1, 1, 1];
    const grey = data.images.subarray(i * 784, (i + 1) * 784);
    const small = createCanvas(28, 28);
    const sctx = small.getContext('2d');
    const pixels = sctx.createImageData(28, 28);
    for (let p = 0; p < 784; p++) pixels.data.set([grey[p] * r, grey[p] * g, grey[p] * b, 255], 4 * p);
    sctx.putImageData(pixels, 0, 0);
    const side = sizes[Math.floor(rng() * sizes.length)];
    const [w, h] = Array.isArray(side) ? side : [side, side];
    const canvas = createCanvas(w, h);
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(small, 0, 0, w, h);
    const format = formats[n % formats.length];
    let bytes;
    if (format === 'png') {
      const rgba = ctx.getImageData(0, 0, w, h).data;
      const rgb = Buffer.alloc(w * h * 3);
      for (let p = 0; p < w * h; p++) rgb.set(rgba.subarray(4 * p, 4 * p + 3), 3 * p);
      bytes = encodePng(rgb, w, h, 3);
    } else bytes = await canvas.encode(format, 90);
    const side_ = split ? (n % 5 === 0 ? 'val/' : 'train/') : '';
    const dir = join(out, `${side_}${FASHION_NAMES[k]}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${String(n).padStart(4, '0')}.${extension[format]}`), bytes);
    written[format]++;
  }
  if (broken) {
    const at = (name) => {
      const path = join(out, split ? 'train' : '', name);
      mkdirSync(dirname(path), { recursive: true });
      return path;
    };
    const jpeg = await createCanvas(40, 40).encode('jpeg', 90);
    writeFileSync(at('t-shirt/truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    writeFileSync(at('t-shirt/notes.png'), 'These are my notes, not a picture.\n');
    writeFileSync(at('trouser/empty.webp'), Buffer.alloc(0));
    writeFileSync(at('trouser/pixel.png'), encodePng(Buffer.from([200, 30, 30]), 1, 1, 3));
    copyFileSync(join(root, 'tests/fixtures/images/cmyk.jpg'), at('t-shirt/cmyk.jpg'));
    writeFileSync(at('trouser/deep.png'), png16(data.images.subarray(0, 784), 28, 28));
    mkdirSync(at('no-images'), { recursive: true });
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values: o } = parseArgs({
    options: {
      out: { type: 'string' },
      classes: { type: 'string', default: '5' },
      labels: { type: 'string' },
      'no-tint': { type: 'boolean', default: false },
      'per-class': { type: 'string', default: '600' },
      size: { type: 'string', default: '40' },
      formats: { type: 'string', default: 'jpeg' },
      split: { type: 'boolean', default: false },
      broken: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
    },
  });
  if (!o.out) {
    console.error('fashion_folder: --out DIR is needed');
    process.exit(2);
  }
  const written = await writeFashionFolder(o.out, {
    classes: Number(o.classes),
    labels: o.labels?.split(',').map(Number),
    tint: !o['no-tint'],
    perClass: Number(o['per-class']),
    size: Number(o.size),
    formats: o.formats.split(','),
    split: o.split,
    broken: o.broken,
    seed: Number(o.seed),
  });
  console.log(
    `wrote ${o.out}: ${Object.entries(written)
      .filter(([, n]) => n > 0)
      .map(([f, n]) => `${n} ${f}`)
      .join(', ')}${o.broken ? `, and ${Object.keys(BROKEN_FILES).length} broken files and an empty class folder` : ''}`,
  );
}
