// What every end-to-end test asks of a page: no console error or uncaught exception, and
// canvases that were really drawn on.
import type { Page } from '@playwright/test';

/** Collects the page's console errors and uncaught exceptions (a test ends expecting none). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Pixels of a canvas that are neither white nor transparent (the background): a drawn chart has thousands. */
export const inkedPixels = (page: Page, selector: string) =>
  page.locator(selector).evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 64 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) n++;
    return n;
  });
