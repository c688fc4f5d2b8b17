// The Transfer page: the shipped pretrained LeNet-5 learns three new classes from eight
// uploaded images each (Fashion-MNIST test images of classes it never saw, as PNG files),
// predicts ten more of each, and draws the training images' features in 2-D; and the same
// with no files at all: the built-in examples, held-out predictions, and a drawing.
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

test('Transfer page: no files needed: built-in examples train a head, the status follows each epoch, held-out examples and a drawing are predicted', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto('/demo/transfer.html');
  await page.waitForFunction(() => window.transferDemo.state !== 'loading', null, { timeout: 60_000 });
  expect(await page.evaluate(() => window.transferDemo.error)).toBeNull();
  await expect(page.locator('#status')).toContainText('Give at least two classes a few images each');
  await page.click('#examples');
  const rows = page.locator('.class-row');
  for (const [k, name] of ['sandal', 'sneaker', 'bag'].entries()) {
    await expect(rows.nth(k).locator('.class-count')).toHaveText('8 images', { timeout: 30_000 });
    await expect(rows.nth(k).locator('.class-name')).toHaveValue(name);
    await expect(rows.nth(k).locator('.class-thumbs canvas')).toHaveCount(8);
  }
  await expect(page.locator('#status')).toHaveText('Ready to train on sandal 8, sneaker 8, bag 8.');
  await page.click('#train');
  await page.waitForFunction(() => ['trained', 'error'].includes(window.transferDemo.state), null, { timeout: 180_000 });
  const trained = await page.evaluate(() => window.transferDemo);
  expect(trained.error).toBeNull();
  expect(trained.classes).toEqual(['sandal', 'sneaker', 'bag']);
  expect(trained.trainAccuracy).toBeGreaterThan(0.9);
  // The status line followed the training: a start line, one line per epoch in order, then the result.
  const log = trained.statusLog;
  expect(log[0]).toBe('Training a new head on 24 images of 3 classes (sandal, sneaker, bag): epoch 1/40…');
  const epochs = log.slice(1, -1).map((line) => Number(/^Training: epoch (\d+)\/40, loss [\d.]+, training accuracy [\d.]+, [\d.]+ s$/.exec(line)?.[1]));
  expect(epochs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  expect(log.at(-1)).toMatch(/^Trained the head on 24 images of 3 classes in [\d.]+ s: training accuracy [\d.]+\. Predict new images below\.$/);
  await expect(page.locator('#status')).toHaveText(log.at(-1)!);
  expect(await page.locator('#progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(1);
  expect(trained.pcaPoints).toBe(24);

  // Ten held-out test images of each class, never trained on.
  await page.click('#predict-held-out');
  await page.waitForFunction(() => window.transferDemo.predictions.length === 30, null, { timeout: 60_000 });
  const predictions = await page.evaluate(() => window.transferDemo.predictions);
  expect(new Set(predictions.map((p) => p.truth))).toEqual(new Set(['sandal', 'sneaker', 'bag']));
  const right = predictions.filter((p) => p.truth === p.label).length;
  expect(right, JSON.stringify(predictions.map((p) => `${p.file}: ${p.label}`))).toBeGreaterThanOrEqual(25);
  await expect(page.locator('#predict-status')).toHaveText(`${right} of 30 held-out images right (green right, red wrong).`);
  await expect(page.locator('#predictions canvas')).toHaveCount(30);

  // A drawing: predicted, then added to a class (which asks for training again).
  // The mouse works in the viewport's coordinates: bring the pad into view first.
  await page.locator('#pad canvas').scrollIntoViewIfNeeded();
  const box = (await page.locator('#pad canvas').boundingBox())!;
  await page.mouse.move(box.x + 30, box.y + 120);
  await page.mouse.down();
  await page.mouse.move(box.x + 140, box.y + 120, { steps: 8 });
  await page.mouse.move(box.x + 140, box.y + 60, { steps: 8 });
  await page.mouse.up();
  await page.click('#draw-predict');
  await page.waitForFunction(() => window.transferDemo.predictions.length === 1, null, { timeout: 30_000 });
  const drawn = (await page.evaluate(() => window.transferDemo.predictions))[0];
  expect(drawn.file).toBe('drawing 1');
  expect(['sandal', 'sneaker', 'bag']).toContain(drawn.label);
  await page.selectOption('#draw-class', { label: 'bag' });
  await page.click('#draw-add');
  await expect(rows.nth(2).locator('.class-count')).toHaveText('9 images');
  await expect(page.locator('#status')).toHaveText('The classes are sandal 8, sneaker 8, bag 9: train again to teach the head these.');
  expect(errors).toEqual([]);
});
