// The Home page: the engine in a paragraph, the pages as cards with pictures, the zoo as a
// table, the adapter (its GEMM against the CPU reference) with a notice on a software one.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { collectErrors, inkedPixels } from './page_checks';

// Read, not imported: Playwright's loader would need an import attribute for JSON.
const catalog = JSON.parse(readFileSync(new URL('../../src/nn/zoo_catalog.json', import.meta.url), 'utf8')) as { key: string }[];

test('Home: the pages as cards with pictures, the zoo table, the adapter and its GEMM against the CPU reference', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/demo/');
  await expect(page.locator('#status')).toContainText('matches the CPU reference', { timeout: 60_000 });
  await expect(page.locator('#adapter')).toContainText('architecture');
  // The adapter table is kept, collapsed.
  await expect(page.locator('#adapter-details')).not.toHaveAttribute('open');
  await expect(page.locator('.lead')).toContainText('trains convolutional networks on the GPU');

  const cards = page.locator('#cards a.card');
  await expect(cards).toHaveCount(6);
  expect(await cards.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([
    './explore.html',
    './train.html',
    './transfer.html',
    './visualise.html',
    './bench.html',
    './verify.html',
  ]);
  for (let i = 0; i < 6; i++) expect(await inkedPixels(page, `#cards a.card >> nth=${i} >> canvas`)).toBeGreaterThan(500);

  const rows = page.locator('#zoo tbody tr');
  await expect(rows).toHaveCount(catalog.length);
  await expect(rows.first()).toHaveText(['lenet5', '61,706', '1 x 28 x 28', 'classify', 'yes'].join(''));
  await expect(page.locator('#zoo tbody tr', { hasText: 'resnet152' })).toContainText('no');
  await expect(page.locator('#zoo-caption')).toContainText(`${catalog.length} networks`);

  // A software adapter (SwiftShader here without a GPU) is named as one, in a notice above the cards.
  const home = await page.evaluate(() => window.homeDemo);
  expect(home.error).toBeNull();
  if (home.software) await expect(page.locator('#fallback')).toContainText('is a software fallback: it runs on the CPU. Every page works, slowly');
  else await expect(page.locator('#fallback')).toBeHidden();
  if (/swiftshader/i.test(home.adapter ?? '')) expect(home.software).toBe(true);
  await page.click('#cards a.card >> nth=0');
  await expect(page).toHaveURL(/explore\.html$/);
  expect(errors).toEqual([]);
});
