// The Visualise page: the shipped LeNet-5's top-9 test patches of a unit beside their
// DeConvNet projections, a saliency map with the predicted class, segmentation scenes as
// image | truth | prediction; wrong files named on the status line; and the hand-over of
// a model trained on the Train page.
import { expect, type Page, test } from '@playwright/test';
import { serializeSafetensors } from '../../src/io/safetensors';
import { collectErrors, inkedPixels } from './page_checks';

const settled = (page: Page) => page.waitForFunction(() => ['ready', 'error'].includes(window.visualiseDemo.state), null, { timeout: 120_000 });

/** What each canvas of `selector` holds, as a PNG data URL: equal strings, equal pictures. */
const pictures = (page: Page, selector: string) => page.locator(selector).evaluateAll((cs: HTMLCanvasElement[]) => cs.map((c) => c.toDataURL()));

test('Visualise page: top-9 patches beside their DeConvNet projections, saliency, segmentation scenes; wrong files named', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/demo/visualise.html');
  // On opening it loads the shipped LeNet-5 and shows every section once.
  await page.waitForFunction(() => window.visualiseDemo.segmentation !== null || window.visualiseDemo.state === 'error', null, { timeout: 180_000 });
  await settled(page);
  let state = await page.evaluate(() => window.visualiseDemo);
  expect(state.error).toBeNull();
  expect(state.model).toBe('lenet5');
  await expect(page.locator('#model-status')).toContainText('5 classes (T-shirt/top, Trouser, Pullover, Dress, Coat)');
  // Only the layers DeConvNet can go back down from: LeNet-5's convolutions and pools, not its dense layers.
  expect(state.layers).toEqual(['conv2d_1', 'maxpool2d_1', 'conv2d_2', 'maxpool2d_2']);
  await expect(page.locator('#layer option')).toHaveCount(4);

  await page.selectOption('#layer', 'conv2d_2');
  await page.fill('#channel', '5');
  await page.click('#show-unit');
  await page.waitForFunction(() => window.visualiseDemo.unit?.channel === 5, null, { timeout: 120_000 });
  await settled(page);
  state = await page.evaluate(() => window.visualiseDemo);
  expect(state.error).toBeNull();
  expect(state.unit).toMatchObject({ layer: 'conv2d_2', channel: 5, patches: 9, projections: 9 });
  expect(state.unit!.values).toEqual([...state.unit!.values].sort((a, b) => b - a));
  expect(state.unit!.values[8]).toBeGreaterThan(0);
  // Each projection lies within the receptive field it is drawn cropped to: the crop and the projection agree on where the unit looks.
  expect(state.unit!.inside).toBeGreaterThan(0.999);
  await expect(page.locator('#patches canvas')).toHaveCount(9);
  await expect(page.locator('#projections canvas')).toHaveCount(9);
  await expect(page.locator('#unit-caption')).toContainText('receptive field 14x14, stride 2x2');
  for (let i = 0; i < 9; i++) {
    // A patch is grey pixels of a test image; a projection is white where it is zero, so ink means a non-zero projection.
    expect(await inkedPixels(page, `#patches canvas >> nth=${i}`), `patch ${i}`).toBeGreaterThan(20);
    expect(await inkedPixels(page, `#projections canvas >> nth=${i}`), `projection ${i}`).toBeGreaterThan(10);
  }
  // Nine images, nine different projections (and none of them a copy of its patch).
  const projections = await pictures(page, '#projections canvas');
  expect(new Set(projections).size).toBeGreaterThanOrEqual(8);
  const patches = await pictures(page, '#patches canvas');
  expect(projections.filter((p, i) => p === patches[i])).toEqual([]);
  // Zeiler and Fergus's figure: cells large enough to see, not smoothed.
  const box = await page.locator('#projections canvas').first().boundingBox();
  expect(box!.width).toBeGreaterThanOrEqual(60);
  await page.locator('.panel', { hasText: 'What one unit responds to' }).screenshot({ path: 'test-results/visualise-top9.png' });

  // Saliency of test image 1 (a pullover): predicted with a probability, and a map with ink.
  await page.fill('#image-index', '1');
  await page.dispatchEvent('#image-index', 'change');
  await page.waitForFunction(() => window.visualiseDemo.saliency?.image === 1, null, { timeout: 60_000 });
  await settled(page);
  state = await page.evaluate(() => window.visualiseDemo);
  expect(state.error).toBeNull();
  expect(state.saliency!.predicted).toBe('Pullover');
  expect(state.saliency!.probability).toBeGreaterThan(0.2);
  expect(state.saliency!.probability).toBeLessThanOrEqual(1);
  await expect(page.locator('#prediction')).toContainText('Test image 1 (Pullover): predicted Pullover with probability');
  expect(await inkedPixels(page, '#saliency-map canvas')).toBeGreaterThan(50);
  const predictedMap = await pictures(page, '#saliency-map canvas');
  // Another class's score has another gradient.
  await page.selectOption('#class', '1');
  await page.waitForFunction(() => window.visualiseDemo.saliency?.classIndex === 1, null, { timeout: 60_000 });
  await settled(page);
  expect(await pictures(page, '#saliency-map canvas')).not.toEqual(predictedMap);
  // A thumbnail click shows that image.
  await page.locator('#thumbs canvas').nth(3).click();
  await page.waitForFunction(() => window.visualiseDemo.saliency?.image === 3, null, { timeout: 60_000 });

  // Segmentation at first: the shipped unet-mini of the recorded run, which labels most pixels right, with the 11 labels' legend.
  state = await page.evaluate(() => window.visualiseDemo);
  expect(state.segmentation).toEqual({ model: 'unet-mini', trained: true, scenes: 4, pixelAccuracy: expect.any(Number) });
  expect(state.segmentation!.pixelAccuracy).toBeGreaterThan(0.85);
  await expect(page.locator('#scenes figure')).toHaveCount(4);
  await expect(page.locator('#scenes canvas')).toHaveCount(12);
  await expect(page.locator('#seg-note')).toContainText('segment-unet-mini.safetensors (shipped with the demo');
  await expect(page.locator('#legend span')).toHaveCount(11);
  await expect(page.locator('#legend')).toContainText('0: background');
  for (let i = 0; i < 12; i++) expect(await inkedPixels(page, `#scenes canvas >> nth=${i}`), `scene canvas ${i}`).toBeGreaterThan(100);
  // Another model without a file: untrained, and said so.
  await page.selectOption('#seg-model', 'fcn8s-mini');
  await expect(page.locator('#seg-note')).toContainText('Untrained: fcn8s-mini');
  await page.selectOption('#seg-model', 'unet-mini');
  await expect(page.locator('#seg-note')).toContainText('Untrained: unet-mini');

  // A run's weights file (made here: every weight zero, so every pixel's logits tie and it says background).
  const shapes = await page.evaluate(async () => {
    const url = '/src/nn/zoo.ts';
    const zoo = await import(/* @vite-ignore */ url);
    const model = zoo.MODELS['unet-mini']();
    return model.nodes.flatMap((n: { layer: { name: string; params(s: unknown[]): { name: string; shape: number[] }[] }; inputs: { shape: number[] }[] }) =>
      n.layer.params(n.inputs.map((i) => i.shape)).map((p) => ({ name: `${n.layer.name}.${p.name}`, shape: p.shape })),
    ) as { name: string; shape: number[] }[];
  });
  const arrays = shapes.map(({ name, shape }) => ({
    name,
    shape,
    data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(name.endsWith('running_var') ? 1 : 0),
  }));
  const weights = Buffer.from(serializeSafetensors(arrays, { format: 'webgpu-cnn checkpoint 1', model: 'unet-mini' }));
  await page.setInputFiles('#seg-weights', { name: 'weights.safetensors', mimeType: 'application/octet-stream', buffer: weights });
  await page.waitForFunction(() => window.visualiseDemo.segmentation?.trained === true || window.visualiseDemo.state === 'error', null, { timeout: 120_000 });
  state = await page.evaluate(() => window.visualiseDemo);
  expect(state.error).toBeNull();
  expect(state.segmentation!.pixelAccuracy).toBeGreaterThan(0.5);
  await expect(page.locator('#seg-note')).toContainText('weights.safetensors: unet-mini');
  await page.screenshot({ path: 'test-results/visualise-page.png', fullPage: true });

  // Wrong files: the status line names the file and says why.
  await page.setInputFiles('#weights', { name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a safetensors file') });
  await expect(page.locator('#status')).toContainText('not loaded: broken.safetensors');
  await expect(page.locator('#status')).toHaveClass('error');
  await page.setInputFiles('#seg-weights', 'demo/pretrained/fashion-mnist-0-4-lenet5.safetensors');
  await expect(page.locator('#status')).toContainText(
    "not loaded: fashion-mnist-0-4-lenet5.safetensors: its metadata names model 'lenet5', which this section does not take (not a segmentation model: load it in section 1)",
  );
  // The model shown before stays.
  expect(await page.evaluate(() => window.visualiseDemo.model)).toBe('lenet5');

  // The shipped residual network: resnet20 of the recorded run, all ten classes.
  await page.click('#shipped-resnet20');
  await expect(page.locator('#model-status')).toContainText('fashion-mnist-resnet20.safetensors (shipped with the demo): resnet20', { timeout: 60_000 });
  await expect(page.locator('#model-status')).toContainText(
    '10 classes (T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot)',
  );
  await page.waitForFunction(() => window.visualiseDemo.state !== 'busy', null, { timeout: 120_000 });
  state = await page.evaluate(() => window.visualiseDemo);
  expect(state.state).toBe('ready');
  expect(state.model).toBe('resnet20');
  expect(errors).toEqual([]);
});

test('Train page: Visualise opens the Visualise page with the model just trained', async ({ page, context }) => {
  const errors = collectErrors(page);
  await page.goto('/demo/train.html');
  await page.selectOption('#model', 'lenet5');
  await page.fill('#limit', '256');
  await page.fill('#test-limit', '64');
  await page.fill('#batch', '32');
  await page.fill('#epochs', '1');
  await page.click('#start');
  await page.waitForFunction(() => window.trainDemo.state === 'done' || window.trainDemo.state === 'error', null, { timeout: 240_000 });
  expect(await page.evaluate(() => window.trainDemo.error)).toBeNull();
  const opened = context.waitForEvent('page');
  await page.click('#visualise');
  const visualise = await opened;
  const visualiseErrors = collectErrors(visualise);
  await visualise.waitForFunction(
    () => window.visualiseDemo !== undefined && (window.visualiseDemo.unit !== null || window.visualiseDemo.state === 'error'),
    null,
    {
      timeout: 180_000,
    },
  );
  const state = await visualise.evaluate(() => window.visualiseDemo);
  expect(state.error).toBeNull();
  expect(state).toMatchObject({ model: 'lenet5', source: 'trained on the Train page' });
  await expect(visualise.locator('#model-status')).toContainText('10 classes');
  await expect(visualise.locator('#projections canvas')).toHaveCount(9);
  expect(errors).toEqual([]);
  expect(visualiseErrors).toEqual([]);
});
