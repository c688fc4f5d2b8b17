import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { parseSafetensors } from '../../src/io/safetensors';
import { expect, test } from '@playwright/test';
import { collectErrors, inkedPixels } from './page_checks';

test('Train page: trains on Fashion-MNIST, loss falls, draws curves, filters, activations, samples and confusion; pause, resume, save, load, reset', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto('/demo/train.html');
  await page.selectOption('#model', 'lenet5');
  await page.fill('#limit', '1280');
  await page.fill('#test-limit', '200');
  await page.fill('#batch', '32');
  await page.fill('#epochs', '2');
  await page.click('#start');
  await page.waitForFunction(() => window.trainDemo.losses.length >= 8, null, { timeout: 240_000 });
  await page.click('#pause');
  await expect(page.locator('#resume')).toBeEnabled();
  const pausedAt = await page.evaluate(() => window.trainDemo.losses.length);
  await page.waitForTimeout(1500);
  // At most the steps already queued finish while paused, and the status line says where it stopped.
  expect(await page.evaluate(() => window.trainDemo.losses.length)).toBeLessThanOrEqual(pausedAt + 3);
  await expect(page.locator('#status')).toContainText(/^Paused at epoch 1, step \d+\/40/);
  await page.click('#resume');
  await page.waitForFunction(() => window.trainDemo.state === 'done' || window.trainDemo.state === 'error', null, { timeout: 240_000 });
  const state = await page.evaluate(() => window.trainDemo);
  expect(state.error).toBeNull();
  expect(state.epochsDone).toBe(2);
  expect(state.losses).toHaveLength(80);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  expect(mean(state.losses.slice(-10))).toBeLessThan(0.8 * mean(state.losses.slice(0, 10)));
  expect(state.testAccuracy).toBeGreaterThan(0.5);
  for (const chart of ['#loss-chart canvas', '#accuracy-chart canvas']) expect(await inkedPixels(page, chart)).toBeGreaterThan(2000);
  await expect(page.locator('#status')).toContainText('— done. Start trains 2 more epochs; Reset starts over.');
  await expect(page.locator('#filters canvas')).toHaveCount(6);
  // LeNet-5's four map layers: conv, pool, conv, pool; above them the input image and its class probabilities.
  await expect(page.locator('#activations figure')).toHaveCount(4);
  await expect(page.locator('#activations .probabilities tr')).toHaveCount(10);
  await expect(page.locator('#samples canvas')).toHaveCount(24);
  await expect(page.locator('#confusion tr')).toHaveCount(11);
  // The 9 test patches that excite filter 3 of the deepest convolution (the default) most, each its
  // 14x14 receptive field drawn large beside its source image.
  await expect(page.locator('#patch-layer')).toHaveValue('conv2d_2');
  await page.fill('#patch-channel', '3');
  await page.click('#show-patches');
  await expect(page.locator('#patches figure')).toHaveCount(9);
  await expect(page.locator('#patches canvas')).toHaveCount(18);
  await expect(page.locator('#patch-field')).toHaveText('receptive field 14x14, stride 2x2');
  await page.screenshot({ path: 'test-results/train-page.png', fullPage: true });

  const download = page.waitForEvent('download');
  await page.click('#save');
  const file = await (await download).path();
  await page.setInputFiles('#load', file);
  await expect(page.locator('#status')).toContainText('Loaded');

  await page.click('#reset');
  await expect(page.locator('#status')).toHaveText('Reset: the model, its weights and its curves are gone. Pick data and a model, then Start.');
  expect(await page.evaluate(() => window.trainDemo.losses.length)).toBe(0);
  expect(errors).toEqual([]);
});

test('Train page: Adam at lr 10 warns that the loss exploded and stops as diverged (rule loss-explosion), never "done"', async ({ page }) => {
  await page.goto('/demo/train.html');
  await page.selectOption('#model', 'lenet5');
  await page.selectOption('#optimizer', 'adam');
  await page.fill('#lr', '10');
  await page.fill('#limit', '640');
  await page.fill('#test-limit', '64');
  await page.fill('#batch', '32');
  await page.fill('#epochs', '1');
  await page.click('#start');
  await page.waitForFunction(() => window.trainDemo.state === 'done' || window.trainDemo.state === 'error', null, { timeout: 240_000 });
  expect(await page.evaluate(() => window.trainDemo.state)).toBe('error');
  await expect(page.locator('#status')).toContainText('Stopped: training diverged (rule loss-explosion). fit: the loss became');
  await expect(page.locator('#status')).toContainText('times the lowest loss so far');
  // The page's own warning, visible, and in the run's metrics.json.
  await expect(page.locator('#health .loss-explosion')).toBeVisible();
  await expect(page.locator('#health .loss-explosion')).toContainText('The loss exploded');
  expect(await page.evaluate(() => window.trainDemo.warnings)).toContain('loss-explosion');
  const download = page.waitForEvent('download');
  await page.click('#save-metrics');
  const metrics = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
  expect(metrics.warnings.map((w: { rule: string }) => w.rule)).toContain('loss-explosion');
  expect(metrics.divergence.rule).toBe('loss-explosion');
});

test('Train page: fine-tunes a PyTorch .onnx file and exports the result as ONNX (ONNX Runtime runs it) and as a PyTorch state dict', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/demo/train.html');
  await page.fill('#limit', '256');
  await page.fill('#test-limit', '64');
  await page.fill('#batch', '32');
  await page.fill('#epochs', '1');
  await page.setInputFiles('#init', 'tests/fixtures/torch/lenet5.onnx');
  await page.click('#start');
  await expect(page.locator('#run-info')).toContainText('starting from lenet5.onnx (onnx): 10 tensors loaded', { timeout: 60_000 });
  await page.waitForFunction(() => window.trainDemo.state === 'done' || window.trainDemo.state === 'error', null, { timeout: 240_000 });
  expect(await page.evaluate(() => window.trainDemo.error)).toBeNull();
  const onnxDownload = page.waitForEvent('download');
  await page.click('#export-onnx');
  const onnxFile = await onnxDownload;
  expect(onnxFile.suggestedFilename()).toBe('lenet5.onnx');
  const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(await onnxFile.path())));
  const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(784), [1, 1, 28, 28]) });
  expect(out.output.dims).toEqual([1, 10]);
  const torchDownload = page.waitForEvent('download');
  await page.click('#export-torch');
  const torchFile = await torchDownload;
  const names = parseSafetensors(new Uint8Array(readFileSync(await torchFile.path())), 'export').tensors.map((t) => t.name);
  expect(names).toContain('fc3.weight');
  expect(errors).toEqual([]);
});

test('Bench page: runs one case beside TF.js and jax-js and charts it', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/demo/bench.html');
  await page.fill('#filter', 'dense-64x400x120');
  await page.uncheck('#quick');
  await page.click('#run');
  await page.waitForFunction(() => window.benchReport !== undefined, null, { timeout: 90_000 });
  const report = await page.evaluate(() => window.benchReport!);
  expect('error' in report ? report.error : null).toBeNull();
  if ('cases' in report) {
    expect(report.cases.map((c) => c.name)).toEqual(['dense-64x400x120']);
    expect(report.cases[0].speedup.tfjsWebgpu).toBeGreaterThan(0);
  }
  await expect(page.locator('#results tr')).toHaveCount(2);
  expect(await inkedPixels(page, '#chart')).toBeGreaterThan(500);
  // The first call is timed apart, shown in its own column and left out of the medians, and the page says so.
  const first = page.locator('#results tr').nth(1).locator('td').nth(2);
  await expect(first).toHaveText(/^\d+\.\d\d$/);
  await expect(page.locator('#status')).toContainText('the first call of each case is timed apart ("first call" column) and kept out of the medians');
  // ONNX Runtime Web times inference only: its empty cell points to a note saying why.
  const ort = page.locator('#results tr').nth(1).locator('td').nth(11);
  await expect(ort).toHaveText(/^- \(\d\)$/);
  const why = /^ONNX Runtime Web( is not built for this case: ONNX Runtime Web is timed on inference|: could not start)/;
  await expect(ort).toHaveAttribute('title', why);
  await expect(page.locator('#notes li').first()).toHaveText(why);
  expect(errors).toEqual([]);
});

test('Verify page: every node of a small model passes; sorted and headlined by the error over the output scale, the rule explained', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/demo/verify.html');
  await page.selectOption('#model', 'every-layer');
  await page.fill('#batch', '2');
  await page.click('#run');
  await page.waitForFunction(() => window.verifyDemo !== undefined, null, { timeout: 90_000 });
  const result = await page.evaluate(() => window.verifyDemo!);
  expect('error' in result ? result.error : null).toBeNull();
  if (!('rows' in result)) throw new Error('no rows');
  expect(result.rows.length).toBeGreaterThan(40);
  expect(result.rows.every((r) => r.ok)).toBe(true);
  // The pass rule's measure orders the table, and every row within it passes.
  const measure = result.rows.map((r) => r.errorOverScale);
  expect(measure).toEqual([...measure].sort((a, b) => b - a));
  expect(measure[0]).toBeLessThanOrEqual(1e-4);
  // Over the scale plus 0.01, it is never above the relative error, which is over the scale alone.
  for (const r of result.rows) expect(r.errorOverScale).toBeLessThanOrEqual(r.maxRelError);
  // The headline says pass and quotes the worst node by that measure, not the relative error.
  const worst = result.rows[0];
  await expect(page.locator('#status')).toHaveText(
    new RegExp(
      `^Pass: all ${result.rows.length} nodes \\(\\d+ op kinds, [\\d.]+ s\\)\\. Worst error over scale ${worst.errorOverScale.toExponential(2).replace('+', '\\+')} \\(${worst.op} .+\\); the limit is 1e-4, and error over scale = largest \\|WebGPU − CPU\\| / \\(largest \\|CPU\\| \\+ 0\\.01\\)\\.$`,
    ),
  );
  await expect(page.locator('#status')).not.toContainText('relative');
  await expect(page.locator('#status')).toHaveClass('ok');
  await expect(page.locator('#rule')).toContainText('a node passes when its error over scale');
  await expect(page.locator('#nodes th').nth(5)).toHaveText('error over scale (pass ≤ 1e-4)');
  await expect(page.locator('#nodes tbody tr').first().locator('td').nth(5)).toHaveText(worst.errorOverScale.toExponential(2));
  expect(errors).toEqual([]);
});
