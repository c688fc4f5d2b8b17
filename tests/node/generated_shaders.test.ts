import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain Node script without type declarations
import { conv2dRowsTallPath, conv2dRowsTallSource } from '../../shaders/conv2d/conv2d_rows_tall.gen.mjs';

describe('generated shaders', () => {
  it('conv2d_rows_tall.wgsl is what conv2d_rows_tall.gen.mjs writes (run `node shaders/conv2d/conv2d_rows_tall.gen.mjs` after editing the generator)', () => {
    expect(readFileSync(conv2dRowsTallPath, 'utf8')).toBe(conv2dRowsTallSource());
  });
});
