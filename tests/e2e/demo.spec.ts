import { expect, test } from '@playwright/test';

test('the demo finds the WebGPU adapter and its GEMM matches the CPU reference', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/demo/');
  await expect(page.locator('#status')).toContainText('matches the CPU reference', { timeout: 60_000 });
  await expect(page.locator('#adapter')).toContainText('architecture');
  expect(errors).toEqual([]);
});
