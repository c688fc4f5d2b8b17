// The Transfer page: the shipped pretrained LeNet-5 learns three new classes from eight
// uploaded images each (Fashion-MNIST test images of classes it never saw, as PNG files),
// predicts ten more of each, and draws the training images' features in 2-D.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { collectErrors, inkedPixels } from './page_checks';
import { greyPng } from './png';

const DATA = '/usr/share/datasets/fashion-mnist';
const images = gunzipSync(readFileSync(`${DATA}/t10k-images-idx3-ubyte.gz`)).subarray(16);
const labels = gunzipSync(readFileSync(`${DATA}/t10k-labels-idx1-ubyte.gz`)).subarray(8);
/** Sandal, sneaker and bag: none of them among the classes (0-4) the network was pretrained on. */
const CLASSES: [number, string][] = [
  [5, 'sandal'],
  [7, 'sneaker'],
  [8, 'bag'],
];

/** The first `count` test images of a class after skipping `skip`, as PNG files named after the class. */
function files(label: number, name: string, skip: number, count: number) {
  const out: { name: string; mimeType: string; buffer: Buffer }[] = [];
  let seen = 0;
  for (let i = 0; i < labels.length && out.length < count; i++) {
    if (labels[i] !== label || seen++ < skip) continue;
    out.push({ name: `${name}-${i}.png`, mimeType: 'image/png', buffer: greyPng(images.subarray(i * 784, (i + 1) * 784), 28, 28) });
  }
  return out;
}

test('Transfer page: a new head learns three unseen classes from 8 uploaded images each and predicts new ones', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/demo/transfer.html');
  await page.waitForFunction(() => window.transferDemo.state !== 'loading', null, { timeout: 60_000 });
  expect(await page.evaluate(() => window.transferDemo.error)).toBeNull();
  await expect(page.locator('#body-status')).toContainText('pretrained on classes 0,1,2,3,4');
  const rows = page.locator('.class-row');
  for (const [k, [label, name]] of CLASSES.entries()) {
    await rows.nth(k).locator('.class-name').fill(name);
    await rows
      .nth(k)
      .locator('.class-files')
      .setInputFiles(files(label, name, 0, 8));
  }
  await page.click('#train');
  await page.waitForFunction(() => ['trained', 'error'].includes(window.transferDemo.state), null, { timeout: 180_000 });
  const trained = await page.evaluate(() => window.transferDemo);
  expect(trained.error).toBeNull();
  expect(trained.classes).toEqual(['sandal', 'sneaker', 'bag']);
  expect(trained.trainAccuracy).toBeGreaterThan(0.9);
  // The PCA of the 24 training images' features is drawn.
  expect(trained.pcaPoints).toBe(24);
  expect(await inkedPixels(page, '#pca')).toBeGreaterThan(300);
  await expect(page.locator('#pca-caption')).toContainText('24 images; the two components hold');

  const queries = CLASSES.flatMap(([label, name]) => files(label, name, 8, 10));
  await page.locator('#query').setInputFiles(queries);
  await page.waitForFunction(() => window.transferDemo.predictions.length === 30, null, { timeout: 60_000 });
  const predictions = await page.evaluate(() => window.transferDemo.predictions);
  const right = predictions.filter((p) => p.file.startsWith(`${p.label}-`)).length;
  expect(right, JSON.stringify(predictions.map((p) => `${p.file}: ${p.label}`))).toBeGreaterThanOrEqual(25);
  await expect(page.locator('#predictions canvas')).toHaveCount(30);
  await page.screenshot({ path: 'test-results/transfer-page.png', fullPage: true });
  expect(errors).toEqual([]);
});
