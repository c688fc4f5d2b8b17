import { expect, test } from '@playwright/test';
import { collectErrors } from './page_checks';

test('the demo finds the WebGPU adapter and its GEMM matches the CPU reference', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/demo/');
  await expect(page.locator('#status')).toContainText('matches the CPU reference', { timeout: 60_000 });
  await expect(page.locator('#adapter')).toContainText('architecture');
  expect(errors).toEqual([]);
});
