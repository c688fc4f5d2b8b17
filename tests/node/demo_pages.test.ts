// The demo's page list and the Explore page's arithmetic: every page of demo/pages.json
// exists, every page's nav links them all in that order, and the Explore page's toy example,
// filters, typed kernels and output-size formula are what the decks and conv2d say.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import pages from '../../demo/pages.json';
import { checkSettings, FILTERS, formatKernel, formulaText, outputSize, parseKernel, TOY } from '../../demo/ui/explore_math';
import { CpuBackend, conv2d, tensor } from '../../src/core';

const root = resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

describe('the demo pages', () => {
  it('are listed once each, Home first, and every page named there exists', () => {
    expect(pages[0].key).toBe('home');
    expect(new Set(pages.map((p) => p.key)).size).toBe(pages.length);
    for (const p of pages) expect(read(`demo/${p.path}`)).toContain('<nav>');
    expect(pages.map((p) => p.key)).toEqual(expect.arrayContaining(['explore', 'train', 'transfer', 'visualise', 'bench', 'verify']));
  });

  it("each page's nav links every page in the list's order and marks itself", () => {
    for (const p of pages) {
      const nav = read(`demo/${p.path}`).match(/<nav>(.*)<\/nav>/)![1];
      expect(
        [...nav.matchAll(/href="\.\/([\w.]+)"/g)].map((m) => m[1]),
        p.path,
      ).toEqual(pages.map((q) => q.path));
      expect(nav, p.path).toContain(`<a class="here" href="./${p.path}">${p.title}</a>`);
    }
  });

  it('npm run demo prints them from the list', () => {
    expect(read('scripts/demo.mjs')).toContain("join(root, 'demo', 'pages.json')");
  });
});

describe("the Explore page's toy example", () => {
  it("is the decks' slide: the first window sums to 4, and conv2d on the CPU reference gives all nine values", async () => {
    expect(TOY.input.flat()).toEqual([1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]);
    expect(TOY.kernel.flat()).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(TOY.output).toEqual([
      [4, 3, 4],
      [2, 4, 3],
      [2, 3, 4],
    ]);
    const cpu = new CpuBackend();
    const y = conv2d(tensor(cpu, TOY.input.flat(), [1, 1, 5, 5]), tensor(cpu, TOY.kernel.flat(), [1, 1, 3, 3]));
    expect(Array.from(await y.read())).toEqual(TOY.output.flat());
  });

  it("gives the slides' sizes: 3x3 without padding, 5x5 with padding 1, 2x2 at stride 2", () => {
    const axis = { input: 5, kernel: 3, stride: 1, padding: 0, dilation: 1 };
    expect(outputSize(axis)).toBe(3);
    expect(outputSize({ ...axis, padding: 1 })).toBe(5);
    expect(outputSize({ ...axis, stride: 2 })).toBe(2);
  });
});

describe('the output-size formula', () => {
  it('fills in the numbers and rounds down', () => {
    expect(formulaText({ input: 28, kernel: 3, stride: 1, padding: 1, dilation: 1 })).toBe('⌊(28 + 2·1 − 1·(3 − 1) − 1) / 1⌋ + 1 = ⌊27 / 1⌋ + 1 = 28');
    expect(formulaText({ input: 28, kernel: 3, stride: 2, padding: 0, dilation: 2 })).toBe('⌊(28 + 2·0 − 2·(3 − 1) − 1) / 2⌋ + 1 = ⌊23 / 2⌋ + 1 = 12');
  });

  it('agrees with the shape conv2d gives, over strides, paddings and dilations', () => {
    const cpu = new CpuBackend();
    for (const [h, k, stride, padding, dilation] of [
      [28, 3, 1, 1, 1],
      [28, 5, 2, 2, 1],
      [9, 3, 3, 0, 2],
      [7, 2, 2, 1, 3],
    ]) {
      const y = conv2d(tensor(cpu, new Float32Array(h * h), [1, 1, h, h]), tensor(cpu, new Float32Array(k * k), [1, 1, k, k]), { stride, padding, dilation });
      expect(y.shape[2], `${h} ${k} ${stride} ${padding} ${dilation}`).toBe(outputSize({ input: h, kernel: k, stride, padding, dilation }));
    }
  });

  it('refuses settings conv2d would refuse', () => {
    expect(checkSettings({ stride: 1, padding: 0, dilation: 1 })).toBeNull();
    expect(checkSettings({ stride: 0, padding: 0, dilation: 1 })).toContain('stride');
    expect(checkSettings({ stride: 1, padding: -1, dilation: 1 })).toContain('padding');
    expect(checkSettings({ stride: 1, padding: 0, dilation: 1.5 })).toContain('dilation');
  });
});

describe('kernels', () => {
  it("are the decks' filters", () => {
    expect(FILTERS.sharpen.kernel.values).toEqual([0, -1, 0, -1, 5, -1, 0, -1, 0]);
    expect(FILTERS['sobel-x'].kernel.values).toEqual([-1, 0, 1, -2, 0, 2, -1, 0, 1]);
    expect(FILTERS['sobel-y'].kernel.values).toEqual([-1, -2, -1, 0, 0, 0, 1, 2, 1]);
    expect(FILTERS.laplacian.kernel.values).toEqual([0, -1, 0, -1, 4, -1, 0, -1, 0]);
    for (const blur of ['box-blur', 'gaussian-blur']) expect(FILTERS[blur].kernel.values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('read back from the text box as written, fractions and commas allowed', () => {
    for (const { kernel } of Object.values(FILTERS))
      expect(parseKernel(formatKernel(kernel)).values).toEqual(kernel.values.map((v) => Number(v.toPrecision(6))));
    expect(parseKernel('1/9, 1/9\n1/9 1/9')).toEqual({ height: 2, width: 2, values: [1 / 9, 1 / 9, 1 / 9, 1 / 9] });
    expect(parseKernel('[1 2 3]')).toEqual({ height: 1, width: 3, values: [1, 2, 3] });
  });

  it('refuse ragged rows, words and emptiness with a message', () => {
    expect(() => parseKernel('1 2\n3')).toThrow('row 2 has 1 numbers, row 1 has 2');
    expect(() => parseKernel('1 x')).toThrow('row 1: "x" is not a number');
    expect(() => parseKernel('  ')).toThrow('type a kernel');
  });
});
