// The Transfer page: the shipped pretrained LeNet-5 learns three new classes from eight
// uploaded images each (Fashion-MNIST test images of classes it never saw, as PNG files),
// predicts ten more of each, and draws the training images' features in 2-D; and the same
// with no files at all: the built-in examples, held-out predictions, and a drawing; and a
// whole folder of class subfolders, picked with the directory input or dropped, whose
// validation images are scored (confusion matrix, the misclassified ones).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, type Page, test } from '@playwright/test';
import { writeFashionFolder } from '../../tools/cli/fashion_folder.mjs';
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

/** A folder of sandal, sneaker and bag images (Fashion-MNIST test images as tinted PNGs, 20 each) and, with `broken`, bad files; its path. */
async function imageFolderOnDisk(broken: boolean): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'transfer-folder-')), 'shoes-and-bags');
  await writeFashionFolder(dir, { labels: [5, 7, 8], perClass: 20, size: 28, formats: ['png'], broken, seed: 5 });
  return dir;
}

/** After a folder arrived: its classes fill the rows (a dozen thumbnails each), then training scores its validation images. */
async function trainOnFolder(page: Page, bad: number) {
  await page.waitForFunction(() => window.transferDemo.folder !== null || window.transferDemo.error !== null, null, { timeout: 60_000 });
  const loaded = await page.evaluate(() => window.transferDemo);
  expect(loaded.error).toBeNull();
  expect(loaded.folder).toMatchObject({ name: 'shoes-and-bags', classes: ['bag', 'sandal', 'sneaker'], train: 48, validation: 12 });
  expect(loaded.folder!.bad).toHaveLength(bad);
  await expect(page.locator('#folder-status')).toContainText('shoes-and-bags: 3 classes (bag, sandal, sneaker), 48 training and 12 validation images');
  const rows = page.locator('.class-row');
  await expect(rows).toHaveCount(3);
  for (const [k, name] of ['bag', 'sandal', 'sneaker'].entries()) {
    await expect(rows.nth(k).locator('.class-name')).toHaveValue(name);
    await expect(rows.nth(k).locator('.class-count')).toHaveText('16 images');
    await expect(rows.nth(k).locator('.class-thumbs canvas')).toHaveCount(12);
    await expect(rows.nth(k).locator('.class-thumbs .more')).toHaveText('and 4 more');
  }
  await page.click('#train');
  await page.waitForFunction(() => ['trained', 'error'].includes(window.transferDemo.state), null, { timeout: 240_000 });
  const trained = await page.evaluate(() => window.transferDemo);
  expect(trained.error).toBeNull();
  expect(trained.classes).toEqual(['bag', 'sandal', 'sneaker']);
  const v = trained.validation!;
  expect(v.count).toBe(12);
  expect(v.confusion.flat().reduce((a, b) => a + b, 0)).toBe(12);
  expect(v.confusion.map((row, t) => row[t]).reduce((a, b) => a + b, 0)).toBe(12 - v.misclassified.length);
  // Three classes the body never saw, from 16 images each: well above chance (1/3).
  expect(v.accuracy).toBeGreaterThan(0.6);
  await expect(page.locator('#folder-results')).toBeVisible();
  await expect(page.locator('#confusion table.confusion tbody tr')).toHaveCount(3);
  await expect(page.locator('#misclassified > div')).toHaveCount(v.misclassified.length);
  for (const m of v.misclassified) {
    expect(m.label).not.toBe(m.truth);
    expect(m.file.startsWith(`${m.truth}/`), m.file).toBe(true);
  }
  await expect(page.locator('#folder-score')).toContainText(`${12 - v.misclassified.length} of 12 validation images of shoes-and-bags right`);
  return trained;
}

test('Transfer page: a folder picked with the directory input trains a head; its validation images are scored; a new image is predicted', async ({ page }) => {
  const errors = collectErrors(page);
  const dir = await imageFolderOnDisk(true);
  await page.goto('/demo/transfer.html');
  await page.waitForFunction(() => window.transferDemo.state !== 'loading', null, { timeout: 60_000 });
  await page.locator('#folder').setInputFiles(dir);
  // --broken's bad files are listed and skipped, as on the command line: six files, and the two
  // class folders they are in, which hold nothing else (a directory input lists no empty folder).
  await trainOnFolder(page, 8);
  await expect(page.locator('#folder-status')).toContainText('8 bad file(s) skipped: ');
  await expect(page.locator('#folder-status')).toContainText('shoes-and-bags/t-shirt/cmyk.jpg (a CMYK (or YCCK) JPEG');
  // A new image: a bag test image the folder does not hold.
  await page.locator('#query').setInputFiles(files(8, 'bag', 200, 1));
  await page.waitForFunction(() => window.transferDemo.predictions.length === 1, null, { timeout: 60_000 });
  expect(['bag', 'sandal', 'sneaker']).toContain((await page.evaluate(() => window.transferDemo.predictions))[0].label);
  await expect(page.locator('#predictions canvas')).toHaveCount(1);
  await page.screenshot({ path: 'test-results/transfer-folder.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('Transfer page: a dropped folder is walked through its directory entries (webkitGetAsEntry) and trains', async ({ page }) => {
  const errors = collectErrors(page);
  const dir = await imageFolderOnDisk(false);
  // Every file by its path below the folder, for entries the page walks as it walks a real drop's.
  const list = (sub: string): { path: string; bytes: number[] }[] =>
    readdirSync(join(dir, sub), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? list(join(sub, e.name)) : [{ path: join(sub, e.name), bytes: [...readFileSync(join(dir, sub, e.name))] }],
    );
  const found = list('');
  expect(found).toHaveLength(60);
  await page.goto('/demo/transfer.html');
  await page.waitForFunction(() => window.transferDemo.state !== 'loading', null, { timeout: 60_000 });
  await page.evaluate((files) => {
    // FileSystemEntry's shape: directories read in batches (readEntries until an empty one), files by file().
    type Entry = { isFile: boolean; isDirectory: boolean; name: string; fullPath: string; [k: string]: unknown };
    const directory = (fullPath: string): Entry => {
      const prefix = fullPath === '/shoes-and-bags' ? '' : `${fullPath.slice('/shoes-and-bags/'.length)}/`;
      const below = files.filter((f) => f.path.startsWith(prefix) && f.path.length > prefix.length);
      const names = [...new Set(below.map((f) => f.path.slice(prefix.length).split('/')[0]))];
      const children = names.map((n) => {
        const file = below.find((f) => f.path === prefix + n);
        const path = `${fullPath}/${n}`;
        return file
          ? {
              isFile: true,
              isDirectory: false,
              name: n,
              fullPath: path,
              file: (ok: (f: File) => void) => ok(new File([new Uint8Array(file.bytes)], n, { type: 'image/png' })),
            }
          : directory(path);
      });
      const half = Math.ceil(children.length / 2);
      return {
        isFile: false,
        isDirectory: true,
        name: fullPath.split('/').pop()!,
        fullPath,
        createReader: () => ({
          readEntries: (ok: (entries: Entry[]) => void) => {
            // Two batches, then none, as Chromium gives a large directory.
            ok(children.splice(0, half));
          },
        }),
      };
    };
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', { value: { items: [{ kind: 'file', webkitGetAsEntry: () => directory('/shoes-and-bags') }], files: [] } });
    document.getElementById('folder-drop')!.dispatchEvent(drop);
  }, found);
  // This time the body is fine-tuned at a hundredth of the head's rate.
  await page.selectOption('#body-rate', '0.01');
  await trainOnFolder(page, 0);
  expect(errors).toEqual([]);
});

test('Transfer page: the residual body (the shipped resnet20) trains a head on the built-in examples; a file of another model is refused by name', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto('/demo/transfer.html');
  await page.waitForFunction(() => window.transferDemo.state === 'ready', null, { timeout: 60_000 });
  expect(await page.evaluate(() => window.transferDemo.body)).toBe('lenet5');
  await page.selectOption('#pretrained', './pretrained/fashion-mnist-resnet20.safetensors');
  await expect(page.locator('#body-status')).toHaveText(
    'fashion-mnist-resnet20.safetensors: resnet20 (residual) pretrained on all 10 classes (the built-in examples among them) of Fashion-MNIST; the new head reads avgpool.',
    { timeout: 60_000 },
  );
  expect(await page.evaluate(() => window.transferDemo.body)).toBe('resnet20');
  await page.click('#examples');
  const rows = page.locator('.class-row');
  for (const k of [0, 1, 2]) await expect(rows.nth(k).locator('.class-count')).toHaveText('8 images', { timeout: 30_000 });
  await page.fill('#epochs', '10');
  await page.click('#train');
  await page.waitForFunction(() => ['trained', 'error'].includes(window.transferDemo.state), null, { timeout: 180_000 });
  const trained = await page.evaluate(() => window.transferDemo);
  expect(trained.error).toBeNull();
  expect(trained.trainAccuracy).toBeGreaterThan(0.9);
  // The PCA reads the body's 64 pooled channels.
  expect(trained.pcaPoints).toBe(24);
  await page.click('#predict-held-out');
  await page.waitForFunction(() => window.transferDemo.predictions.length === 30, null, { timeout: 60_000 });
  const predictions = await page.evaluate(() => window.transferDemo.predictions);
  const right = predictions.filter((p) => p.truth === p.label).length;
  // resnet20 saw these classes in pretraining (0.97 and more on each of them over the test set): its features separate them.
  expect(right, JSON.stringify(predictions.map((p) => `${p.file}: ${p.label}`))).toBeGreaterThanOrEqual(28);

  // A checkpoint of a model the page cannot take a body from: refused, naming the file and the model; the trained head stays.
  const segmenter = readFileSync('demo/pretrained/segment-unet-mini.safetensors');
  await page.locator('#own').setInputFiles({ name: 'segment-unet-mini.safetensors', mimeType: 'application/octet-stream', buffer: segmenter });
  await expect(page.locator('#status')).toHaveText(
    'The network was not changed: segment-unet-mini.safetensors: its metadata names the model unet-mini; the Transfer page takes a lenet5 or a resnet20 checkpoint',
  );
  expect(await page.evaluate(() => [window.transferDemo.state, window.transferDemo.body, window.transferDemo.predictions.length])).toEqual([
    'trained',
    'resnet20',
    30,
  ]);

  // Back to LeNet-5: the resnet20 head is gone, and so are its predictions and the controls that need it.
  await page.selectOption('#pretrained', './pretrained/fashion-mnist-0-4-lenet5.safetensors');
  await page.waitForFunction(() => window.transferDemo.body === 'lenet5', null, { timeout: 60_000 });
  const after = await page.evaluate(() => window.transferDemo);
  expect([after.state, after.predictions.length, after.trainAccuracy, after.pcaPoints]).toEqual(['ready', 0, null, 0]);
  await expect(page.locator('#predictions canvas')).toHaveCount(0);
  await expect(page.locator('#predict-held-out')).toBeDisabled();
  await expect(page.locator('#query')).toBeDisabled();
  await expect(page.locator('#status')).toHaveText('Ready to train on sandal 8, sneaker 8, bag 8.');
  expect(errors).toEqual([]);
});
