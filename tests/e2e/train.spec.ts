// The Train page as a newcomer meets it: a quick run by default on a software adapter,
// pictures within the first minute, the form checked before Start, and the CPU fallback
// training in a worker while the page answers.
import { expect, type Page, test } from '@playwright/test';
import { collectErrors, inkedPixels } from './page_checks';

/** Every text the status line shows from now on, in the page's `statusSeen`. */
async function recordStatus(page: Page): Promise<void> {
  await page.evaluate(() => {
    const status = document.getElementById('status')!;
    const seen: string[] = [];
    (window as unknown as { statusSeen: string[] }).statusSeen = seen;
    new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
  });
}

test.describe('on a high-DPI screen', () => {
  test.use({ deviceScaleFactor: 2 });

  test('Train page: the defaults on SwiftShader are a quick run, and live test evaluations fill the pictures within the first minute', async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto('/demo/train.html');
    // Before Start: the adapter, the quick run, and what a full run would cost here.
    await expect(page.locator('#plan')).toContainText('a software adapter on the CPU', { timeout: 30_000 });
    await expect(page.locator('#plan')).toContainText(
      /A full run \(60,000 examples, 3 epochs, 10,000 test images\) would take about \d+ min on this adapter \(an estimate/,
    );
    await expect(page.locator('#limit')).toHaveValue('3200');
    await expect(page.locator('#epochs')).toHaveValue('2');
    await recordStatus(page);
    const started = Date.now();
    await page.click('#start');
    await page.waitForFunction(() => window.trainDemo.evaluations >= 1, null, { timeout: 60_000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`first live evaluation ${seconds.toFixed(1)} s after Start`);
    const demo = await page.evaluate(() => window.trainDemo);
    expect(demo.epochsDone).toBe(0);
    expect(demo.state).toBe('running');
    // The confusion matrix, the predictions and the activation maps of test image 0, during epoch 1.
    await expect(page.locator('#confusion tr')).toHaveCount(11);
    await expect(page.locator('#confusion-caption')).toContainText('the first 500 test images at step');
    await expect(page.locator('#samples .right, #samples .wrong')).toHaveCount(24);
    await expect(page.locator('#activations .activation-input')).toContainText(/test image 0: true class Ankle boot, predicted \S+/);
    await expect(page.locator('#activations .probabilities tr')).toHaveCount(10);
    expect(await page.locator('#activations figure').count()).toBeGreaterThanOrEqual(4);
    await expect(page.locator('#health')).toContainText('the next live evaluation in');
    // The status said it was evaluating, and gives the whole run's ETA.
    await page.waitForFunction(() => window.trainDemo.losses.length > 0 && !window.trainDemo.evaluating);
    await expect(page.locator('#status')).toContainText(/Epoch 1 of 2, step \d+\/50: .* (left of the whole run|measuring the speed)/);
    const seen = await page.evaluate(() => (window as unknown as { statusSeen: string[] }).statusSeen);
    expect(seen.some((s) => s.startsWith('Evaluating on the test set: the first 500 test images'))).toBe(true);
    // Charts: drawn at the screen's pixel ratio, legends outside the plot naming what each accuracy is.
    for (const id of ['#loss-chart', '#accuracy-chart']) {
      const size = await page.locator(`${id} canvas`).evaluate((c: HTMLCanvasElement) => ({ width: c.width, css: c.getBoundingClientRect().width }));
      expect(size.width).toBe(Math.round(2 * size.css));
      expect(await inkedPixels(page, `${id} canvas`)).toBeGreaterThan(2000);
    }
    await expect(page.locator('#accuracy-chart .u-legend')).toContainText('train, mean over the epoch so far');
    await expect(page.locator('#accuracy-chart .u-legend')).toContainText('test subset (first 500 images)');
    await expect(page.locator('#loss-chart .u-legend')).toContainText('batches, smoothed');
    await page.click('#reset');
    await expect(page.locator('#status')).toHaveText('Reset: the model, its weights and its curves are gone. Pick data and a model, then Start.');
    expect(errors).toEqual([]);
  });
});

test('Train page: the form refuses lr 1e9, batch 0 and fewer examples than a batch, beside each field, and Start does nothing', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/demo/train.html');
  await page.fill('#lr', '1e9');
  await page.click('#start');
  await expect(page.locator('#lr-error')).toContainText('1000000000 is above 10');
  await expect(page.locator('#lr')).toHaveClass(/invalid/);
  await expect(page.locator('#status')).toHaveText('Not started: the marked fields need another value.');
  await page.fill('#lr', '0.002');
  await page.fill('#batch', '0');
  await page.click('#start');
  await expect(page.locator('#lr-error')).toHaveText('');
  await expect(page.locator('#batch-error')).toContainText('a whole number of at least 1');
  await page.fill('#batch', '64');
  await page.fill('#limit', '32');
  await page.click('#start');
  await expect(page.locator('#limit-error')).toContainText('fewer than one batch of 64');
  await expect(page.locator('#batch-error')).toHaveText('');
  const demo = await page.evaluate(() => window.trainDemo);
  expect(demo).toMatchObject({ state: 'idle', losses: [], backend: null });
  await expect(page.locator('#start')).toBeEnabled();
  expect(errors).toEqual([]);
});

test('Train page: without WebGPU the CPU backend trains in a worker; the page answers clicks, and Pause and Reset work', async ({ page }) => {
  const errors = collectErrors(page);
  // A browser without WebGPU: navigator.gpu is gone before the page's scripts run.
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true }));
  await page.goto('/demo/train.html');
  await expect(page.locator('#webgpu-warning')).toBeVisible();
  await expect(page.locator('#backend')).toHaveValue('cpu');
  await expect(page.locator('#plan')).toContainText('CPU reference backend, in a worker');
  await expect(page.locator('#model')).toHaveValue('lenet5');
  await page.fill('#limit', '640');
  await page.fill('#test-limit', '100');
  await page.fill('#batch', '32');
  await page.fill('#epochs', '1');
  await page.click('#start');
  await page.waitForFunction(() => window.trainDemo.losses.length >= 2, null, { timeout: 120_000 });
  expect(await page.evaluate(() => window.trainDemo)).toMatchObject({ backend: 'cpu', inWorker: true, state: 'running' });
  // The page's thread stays free: timers fire on time, and a click's handler runs at once.
  const worstDelay = await page.evaluate(async () => {
    let worst = 0;
    let last = performance.now();
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const now = performance.now();
      worst = Math.max(worst, now - last - 25);
      last = now;
    }
    return worst;
  });
  expect(worstDelay).toBeLessThan(250);
  const clicked = await page.evaluate(() => {
    const t0 = performance.now();
    document.getElementById('pause')!.click();
    return { ms: performance.now() - t0, state: window.trainDemo.state };
  });
  expect(clicked.state).toBe('paused');
  expect(clicked.ms).toBeLessThan(100);
  // The worker stops after the step it is on.
  await expect(page.locator('#status')).toContainText(/^Paused at epoch 1, step \d+\/20/, { timeout: 60_000 });
  const pausedAt = await page.evaluate(() => window.trainDemo.losses.length);
  await page.waitForTimeout(2000);
  expect(await page.evaluate(() => window.trainDemo.losses.length)).toBeLessThanOrEqual(pausedAt + 1);
  await page.click('#reset');
  await expect(page.locator('#status')).toHaveText('Reset: the model, its weights and its curves are gone. Pick data and a model, then Start.');
  expect(await page.evaluate(() => window.trainDemo.losses.length)).toBe(0);
  expect(errors).toEqual([]);
});
