#!/usr/bin/env node
// `node scripts/screenshots.mjs [name ...]`: the docs' screenshots of the demo pages,
// taken in headless Chromium (chromium.config.json's flags: WebGPU on SwiftShader without
// a GPU) from a Vite server this script starts. Each entry of SHOTS names a page, what to
// do on it before the picture, and the part to keep; add a page by adding an entry.
// Without names, every shot is taken. Files go to docs/images/NAME.png (kept under 200 kB).
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { writeFashionFolder } from '../tools/cli/fashion_folder.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const browserConfig = JSON.parse(readFileSync(join(root, 'chromium.config.json'), 'utf8'));
const LIMIT_BYTES = 200_000;

/**
 * name: the file's (docs/images/NAME.png); path: the page; prepare(page): what to do
 * first; area(page): the region to keep ({ x, y, width, height }, or null for the viewport).
 */
const SHOTS = [
  {
    name: 'train',
    path: '/demo/train.html',
    // During epoch 1 of the default (quick) run, paused after two live evaluations: curves, filters, the live test pictures.
    async prepare(page) {
      await page.locator('#plan button').first().waitFor({ timeout: 60_000 });
      await page.click('#start');
      const ready = () => {
        const d = window.trainDemo;
        return d.state === 'error' || d.epochsDone > 0 || (d.evaluations >= 2 && !d.evaluating);
      };
      await page.waitForFunction(ready, null, { timeout: 240_000 });
      await page.click('#pause');
      const d = await page.evaluate(() => window.trainDemo);
      if (d.state === 'error' || d.epochsDone > 0) throw new Error(`not a picture of epoch 1: ${await page.locator('#status').textContent()}`);
      await page.waitForTimeout(1000);
    },
    // From the buttons and status down to the predictions grid.
    area: (page) => between(page, '#start', '#samples'),
  },
  {
    name: 'home',
    path: '/demo/',
    // The adapter checked (and a software one named in the notice), the cards drawn.
    async prepare(page) {
      await page.locator('#status.ok, #status.bad').waitFor({ timeout: 60_000 });
    },
    // From the top (nav, notice, paragraph) through the cards and the first rows of the zoo table.
    area: async (page) => span(page, 'nav', '#zoo tbody tr:nth-child(4)'),
  },
  {
    name: 'explore',
    path: '/demo/explore.html',
    // The default: Sobel x on test image 0, padding 1; the toy example below.
    async prepare(page) {
      await page.waitForFunction(() => window.exploreDemo.state !== 'loading' && !window.exploreDemo.busy, null, { timeout: 90_000 });
      const error = await page.evaluate(() => window.exploreDemo.error);
      if (error) throw new Error(error);
    },
    // From the image and filter choices to the toy example.
    area: async (page) => span(page, 'fieldset', '#toy-status'),
  },
  {
    name: 'visualise',
    path: '/demo/visualise.html',
    // The shipped LeNet-5: the top-9 patches of a conv2d_2 unit beside their DeConvNet projections, and a saliency map.
    async prepare(page) {
      await page.waitForFunction(() => window.visualiseDemo.segmentation !== null || window.visualiseDemo.state === 'error', null, { timeout: 180_000 });
      const error = await page.evaluate(() => window.visualiseDemo.error);
      if (error) throw new Error(error);
      // Test image 1, a pullover: one of the shipped network's five classes (image 0 is an ankle boot, which it does not know).
      await page.fill('#image-index', '1');
      await page.dispatchEvent('#image-index', 'change');
      await page.waitForFunction(() => window.visualiseDemo.saliency?.image === 1, null, { timeout: 60_000 });
    },
    // The unit's panel and the saliency panel.
    area: (page) => between(page, '#show-unit', '#show-saliency'),
  },
  {
    name: 'transfer',
    path: '/demo/transfer.html',
    // A folder of four Fashion-MNIST classes the shipped LeNet-5 never saw (sandal, sneaker,
    // bag, ankle boot: 30 tinted PNGs each) picked with the directory input, a new head
    // trained on the frozen body, and the folder's 24 validation images scored. On a cold
    // Vite cache the page may reload once while Vite optimises its dependencies: then again.
    async prepare(page) {
      const dir = join(mkdtempSync(join(tmpdir(), 'screenshot-folder-')), 'shoes-and-bags');
      await writeFashionFolder(dir, { labels: [5, 7, 8, 9], perClass: 30, size: 28, formats: ['png'], seed: 5 });
      for (let attempt = 1; ; attempt++) {
        try {
          await page.waitForFunction(() => window.transferDemo?.state !== 'loading', null, { timeout: 90_000 });
          await page.locator('#folder').setInputFiles(dir);
          await page.waitForFunction(() => window.transferDemo.folder !== null || window.transferDemo.error !== null, null, { timeout: 90_000 });
          await page.click('#train');
          await page.waitForFunction(() => ['trained', 'error'].includes(window.transferDemo.state), null, { timeout: 240_000 });
          const error = await page.evaluate(() => window.transferDemo.error);
          if (error) throw new Error(error);
          await page.locator('#folder-results').waitFor({ state: 'visible' });
          return;
        } catch (e) {
          if (attempt === 2 || (await page.evaluate(() => window.transferDemo?.error ?? null).catch(() => null))) throw e;
          await page.reload();
        }
      }
    },
    // From the folder's class rows (their thumbnails) down to the scored validation images,
    // refused if the page has since reloaded (it would show an empty page).
    async area(page) {
      const area = await span(page, '#classes', '#folder-results');
      if ((await page.evaluate(() => window.transferDemo?.state)) !== 'trained') throw new Error('the page reloaded before the picture: run it again');
      return area;
    },
  },
];

/** The page's region from the top of `from` to the bottom of `to`, the main column's width. */
async function span(page, from, to) {
  const top = await page
    .locator(from)
    .first()
    .evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
  const bottom = await page
    .locator(to)
    .first()
    .evaluate((e) => e.getBoundingClientRect().bottom + window.scrollY);
  const main = await page.locator('main').boundingBox();
  return { x: 0, y: Math.max(0, Math.floor(top) - 8), width: Math.ceil(main.x + main.width), height: Math.ceil(bottom - top) + 16 };
}

/** The page's region from the top of `from`'s panel to the bottom of `to`'s, the main column's width. */
async function between(page, from, to) {
  const top = await page.locator(from).evaluate((e) => e.closest('.panel').getBoundingClientRect().top + window.scrollY);
  const bottom = await page.locator(to).evaluate((e) => e.closest('.panel').getBoundingClientRect().bottom + window.scrollY);
  const main = await page.locator('main').boundingBox();
  return { x: 0, y: Math.floor(top) - 8, width: Math.ceil(main.x + main.width), height: Math.ceil(bottom - top) + 16 };
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((n) => !SHOTS.some((s) => s.name === n));
if (unknown.length) {
  console.error(`screenshots: unknown ${unknown.join(', ')}; known: ${SHOTS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const server = await createServer({ root, logLevel: 'warn', server: { port: Number(process.env.PORT ?? 5196), host: 'localhost' } });
await server.listen();
const base = `http://localhost:${server.httpServer.address().port}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? browserConfig.path, args: browserConfig.args, headless: true });
let failed = false;
try {
  for (const shot of SHOTS.filter((s) => !wanted.length || wanted.includes(s.name))) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
    const file = join(root, 'docs', 'images', `${shot.name}.png`);
    try {
      await page.goto(base + shot.path);
      await shot.prepare(page);
      const clip = shot.area ? await shot.area(page) : undefined;
      await page.screenshot({ path: file, clip, fullPage: Boolean(clip) });
      const size = statSync(file).size;
      console.log(`${file}: ${(size / 1000).toFixed(0)} kB`);
      if (size > LIMIT_BYTES) {
        console.error(`  over ${LIMIT_BYTES / 1000} kB: keep a smaller area`);
        failed = true;
      }
    } catch (e) {
      console.error(`${shot.name}: ${e.message}`);
      failed = true;
    } finally {
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
