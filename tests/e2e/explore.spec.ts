// The Explore page: a Fashion-MNIST test image through Sobel x on WebGPU, checked value by
// value against a host computation of the same cross-correlation (float64), as are its
// pooling and activations; the output-size formula with its numbers; the decks' toy 5x5
// example; drawn and uploaded images; a malformed kernel named.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { expect, type Page, test } from '@playwright/test';
import { collectErrors, inkedPixels } from './page_checks';
import { greyPng } from './png';

const DATA = '/usr/share/datasets/fashion-mnist';
const testImages = gunzipSync(readFileSync(`${DATA}/t10k-images-idx3-ubyte.gz`)).subarray(16);

interface ValueMap {
  height: number;
  width: number;
  data: number[];
}

/** conv2d's definition on the host: cross-correlation with zero padding, stride and dilation. */
function conv(x: ValueMap, k: ValueMap, s: { stride: number; padding: number; dilation: number }): ValueMap {
  const size = (n: number, kn: number) => Math.floor((n + 2 * s.padding - s.dilation * (kn - 1) - 1) / s.stride) + 1;
  const [height, width] = [size(x.height, k.height), size(x.width, k.width)];
  const data: number[] = [];
  for (let oy = 0; oy < height; oy++)
    for (let ox = 0; ox < width; ox++) {
      let sum = 0;
      for (let ky = 0; ky < k.height; ky++)
        for (let kx = 0; kx < k.width; kx++) {
          const y = oy * s.stride - s.padding + ky * s.dilation;
          const xx = ox * s.stride - s.padding + kx * s.dilation;
          if (y >= 0 && y < x.height && xx >= 0 && xx < x.width) sum += x.data[y * x.width + xx] * k.data[ky * k.width + kx];
        }
      data.push(sum);
    }
  return { height, width, data };
}

/** Non-overlapping pooling (window = stride = k, no padding), max or mean. */
function pool(m: ValueMap, k: number, kind: 'max' | 'avg'): ValueMap {
  const [height, width] = [Math.floor(m.height / k), Math.floor(m.width / k)];
  const data: number[] = [];
  for (let oy = 0; oy < height; oy++)
    for (let ox = 0; ox < width; ox++) {
      const window: number[] = [];
      for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) window.push(m.data[(oy * k + dy) * m.width + ox * k + dx]);
      data.push(kind === 'max' ? Math.max(...window) : window.reduce((a, b) => a + b, 0) / window.length);
    }
  return { height, width, data };
}

/** The largest |a - b| over two maps of one shape (Infinity when the shapes differ). */
function maxDiff(a: ValueMap | null, b: ValueMap): number {
  if (!a || a.height !== b.height || a.width !== b.width) return Infinity;
  return a.data.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b.data[i])), 0);
}

const state = (page: Page) => page.evaluate(() => window.exploreDemo);

/** Runs `action`, then waits for the page to finish computing what it changed. */
async function andWait(page: Page, action: () => Promise<unknown>): Promise<void> {
  const runs = await page.evaluate(() => window.exploreDemo.runs);
  await action();
  await page.waitForFunction((n) => window.exploreDemo.runs > n && !window.exploreDemo.busy, runs, { timeout: 30_000 });
}

test('Explore page: Sobel x of a Fashion-MNIST test image on WebGPU equals the host computation; formula, pooling, activations', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/demo/explore.html');
  await page.waitForFunction(() => window.exploreDemo.state !== 'loading' && !window.exploreDemo.busy, null, { timeout: 90_000 });
  let s = await state(page);
  expect(s.error).toBeNull();
  expect(s.backend).toBe('webgpu');
  // The default: test image 0 (an ankle boot), Sobel x, stride 1, padding 1, dilation 1.
  expect(s.input!.data).toEqual(Array.from(testImages.subarray(0, 784), (v) => Math.fround(v / 255)));
  await expect(page.locator('#index-label')).toContainText('Ankle boot (image 0 of 10000)');
  expect(s.kernel).toEqual({ height: 3, width: 3, data: [-1, 0, 1, -2, 0, 2, -1, 0, 1] });
  const want = conv(s.input!, s.kernel!, s.settings);
  expect(s.output!.height).toBe(28);
  expect(maxDiff(s.output, want)).toBeLessThan(1e-5);
  // A real edge map: strong responses of both signs.
  expect(Math.max(...want.data)).toBeGreaterThan(1);
  expect(Math.min(...want.data)).toBeLessThan(-1);
  await expect(page.locator('#formula-h')).toHaveText('⌊(28 + 2·1 − 1·(3 − 1) − 1) / 1⌋ + 1 = ⌊27 / 1⌋ + 1 = 28');
  await expect(page.locator('#formula-w')).toHaveText('⌊(28 + 2·1 − 1·(3 − 1) − 1) / 1⌋ + 1 = ⌊27 / 1⌋ + 1 = 28');
  expect(maxDiff(s.maxPool, pool(s.output!, 2, 'max'))).toBe(0);
  expect(maxDiff(s.avgPool, pool(s.output!, 2, 'avg'))).toBeLessThan(1e-5);
  const apply = (f: (v: number) => number) => ({ ...s.output!, data: s.output!.data.map(f) });
  expect(
    maxDiff(
      s.activations!.relu,
      apply((v) => Math.max(0, v)),
    ),
  ).toBe(0);
  expect(maxDiff(s.activations!.tanh, apply(Math.tanh))).toBeLessThan(1e-5);
  expect(
    maxDiff(
      s.activations!.sigmoid,
      apply((v) => 1 / (1 + Math.exp(-v))),
    ),
  ).toBeLessThan(1e-5);
  expect(await inkedPixels(page, '#output-map canvas')).toBeGreaterThan(1000);
  await expect(page.locator('#pools canvas')).toHaveCount(2);
  await expect(page.locator('#activations canvas')).toHaveCount(3);

  // Stride 2, no padding, dilation 2 on another image: a 12x12 map, still the host's values.
  await andWait(page, () => page.fill('#index', '7'));
  await andWait(page, () => page.fill('#stride', '2'));
  await andWait(page, () => page.fill('#padding', '0'));
  await andWait(page, () => page.fill('#dilation', '2'));
  s = await state(page);
  expect(s.settings).toEqual({ stride: 2, padding: 0, dilation: 2 });
  expect(s.output!.height).toBe(12);
  expect(maxDiff(s.output, conv(s.input!, s.kernel!, s.settings))).toBeLessThan(1e-5);
  await expect(page.locator('#formula-h')).toHaveText('⌊(28 + 2·0 − 2·(3 − 1) − 1) / 2⌋ + 1 = ⌊23 / 2⌋ + 1 = 12');

  // Every built-in filter runs; a typed kernel is read as typed; a ragged one is named.
  for (const filter of ['sharpen', 'sobel-y', 'box-blur', 'gaussian-blur', 'laplacian']) {
    await andWait(page, () => page.selectOption('#filter', filter));
    s = await state(page);
    expect(maxDiff(s.output, conv(s.input!, s.kernel!, s.settings)), filter).toBeLessThan(1e-5);
  }
  await andWait(page, () => page.fill('#kernel', '1 0\n0 -1'));
  await expect(page.locator('#filter')).toHaveValue('custom');
  s = await state(page);
  expect(s.kernel).toEqual({ height: 2, width: 2, data: [1, 0, 0, -1] });
  expect(maxDiff(s.output, conv(s.input!, s.kernel!, s.settings))).toBeLessThan(1e-5);
  await page.fill('#kernel', '1 2\n3');
  await expect(page.locator('#status')).toHaveText('Kernel: row 2 has 1 numbers, row 1 has 2: every row needs the same count');
  await page.screenshot({ path: 'test-results/explore-page.png', fullPage: true });
  expect(errors).toEqual([]);
});

test("Explore page: the decks' toy 5x5 example by conv2d, with padding and stride; drawn and uploaded images", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/demo/explore.html');
  await page.waitForFunction(() => window.exploreDemo.state !== 'loading' && !window.exploreDemo.busy, null, { timeout: 90_000 });
  // The slide's image, kernel and 3x3 convolved feature, computed by conv2d on WebGPU.
  let s = await state(page);
  expect(s.toy).toEqual({ output: [4, 3, 4, 2, 4, 3, 2, 3, 4], matches: true });
  await expect(page.locator('#toy table')).toHaveCount(3);
  await expect(page.locator('#toy table').nth(2)).toHaveText('434243234');
  await expect(page.locator('#toy-status')).toContainText('conv2d gives [[4,3,4],[2,4,3],[2,3,4]]');

  // As the explorer's input it comes with its kernel and no padding: the same 3x3, then 5x5 with padding 1, 2x2 at stride 2.
  await andWait(page, () => page.check('input[name=source][value=toy]'));
  s = await state(page);
  expect(s.output!.data).toEqual([4, 3, 4, 2, 4, 3, 2, 3, 4]);
  await expect(page.locator('#formula-h')).toHaveText('⌊(5 + 2·0 − 1·(3 − 1) − 1) / 1⌋ + 1 = ⌊2 / 1⌋ + 1 = 3');
  await expect(page.locator('#output-map table')).toHaveText('434243234');
  await andWait(page, () => page.fill('#padding', '1'));
  s = await state(page);
  expect([s.output!.height, s.output!.width]).toEqual([5, 5]);
  expect(s.output!.data).toEqual(conv(s.input!, s.kernel!, s.settings).data);
  await andWait(page, () => page.fill('#stride', '2'));
  s = await state(page);
  expect(s.output).toEqual({ height: 3, width: 3, data: conv(s.input!, s.kernel!, s.settings).data });
  await andWait(page, () => page.fill('#padding', '0'));
  expect((await state(page)).output).toEqual({ height: 2, width: 2, data: [4, 4, 2, 4] });

  // A drawing: a stroke with the mouse becomes the 28x28 input.
  await page.check('input[name=source][value=draw]');
  // The mouse works in the viewport's coordinates: bring the pad into view first.
  await page.locator('#pad canvas').scrollIntoViewIfNeeded();
  const box = (await page.locator('#pad canvas').boundingBox())!;
  await andWait(page, async () => {
    await page.mouse.move(box.x + 40, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + 180, box.y + 180, { steps: 10 });
    await page.mouse.up();
  });
  s = await state(page);
  expect([s.input!.height, s.input!.width]).toEqual([28, 28]);
  expect(s.input!.data.reduce((a, b) => a + b, 0)).toBeGreaterThan(20);

  // An uploaded 40x20 image keeps its shape.
  const pixels = new Uint8Array(40 * 20).map((_, i) => (i % 40 < 20 ? 0 : 255));
  await andWait(page, () => page.locator('#upload').setInputFiles({ name: 'half.png', mimeType: 'image/png', buffer: greyPng(pixels, 40, 20) }));
  s = await state(page);
  expect(s.source).toBe('upload');
  expect([s.input!.height, s.input!.width]).toEqual([20, 40]);
  expect(maxDiff(s.output, conv(s.input!, s.kernel!, s.settings))).toBeLessThan(1e-5);
  expect(errors).toEqual([]);
});
