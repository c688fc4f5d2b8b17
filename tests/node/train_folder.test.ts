// `npm run train -- --dataset folder:PATH` on a folder written from real Fashion-MNIST
// images (JPEG, PNG, WebP, tinted, several sizes, broken files): in the page, whose
// decoder is createImageBitmap, and in Node, whose decoder is Skia (@napi-rs/canvas).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BROKEN_FILES, writeFashionFolder } from '../../tools/cli/fashion_folder.mjs';

const LIMIT_MS = 240_000;
const train = (args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });
const RUN = ['--model', 'lenet5', '--epochs', '2', '--batch', '16', '--autotune', 'off', '--image-size', '24'];
let dir: string;
let folder: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'train-folder-'));
  folder = join(dir, 'images');
  await writeFashionFolder(folder, { classes: 3, perClass: 60, size: [40, [48, 36], 32], formats: ['jpeg', 'png', 'webp'], broken: true, seed: 2 });
});

describe('npm run train -- --dataset folder:PATH', () => {
  it(
    'trains in the page (createImageBitmap) and in Node (Skia) alike, listing each bad file; metrics name the classes',
    () => {
      const runs = ['browser', 'node'].map((runtime) => {
        const run = train([...RUN, '--dataset', `folder:${folder}`, '--runtime', runtime, '--out', join(dir, runtime)]);
        const text = run.stdout + run.stderr;
        expect(run.status, text).toBe(0);
        for (const [path, what] of Object.entries(BROKEN_FILES)) expect(text).toMatch(new RegExp(`skipped ${folder}/${path}: .*${what}`));
        expect(text).toContain(`skipped ${folder}/no-images: a class folder with no image files`);
        expect(text).toMatch(/3 classes \(pullover, t-shirt, trouser\), 144 training and 36 validation images/);
        expect(text).toMatch(/reading .*: 186\/186 files, 180 decoded, \d+ files\/s, 7 error\(s\) so far/);
        expect(text).toMatch(/validation accuracy [01]\.\d+ \(36 images\)/);
        return JSON.parse(readFileSync(join(dir, runtime, 'metrics.json'), 'utf8'));
      });
      const [browser, node] = runs;
      expect(browser.classes).toEqual(['pullover', 't-shirt', 'trouser']);
      expect(browser.imageFolder.badFiles).toHaveLength(7);
      expect(browser.config.imageSize).toBe(24);
      expect(browser.normalization.mean).toHaveLength(3);
      // Three classes learnt from 144 images in two epochs: well above chance (1/3).
      expect(browser.testAccuracy).toBeGreaterThan(0.6);
      // The two decoders agree closely: the same statistics to 1%.
      for (let c = 0; c < 3; c++) expect(node.normalization.mean[c]).toBeCloseTo(browser.normalization.mean[c], 2);
    },
    2 * LIMIT_MS,
  );

  it('--strict stops at the bad files, naming them; a one-class folder is refused saying why', () => {
    const strict = train([...RUN, '--dataset', `folder:${folder}`, '--strict', '--runtime', 'node', '--out', join(dir, 'strict')]);
    expect(strict.status).toBe(1);
    expect(strict.stdout + strict.stderr).toMatch(/train failed: imageFolder: .*7 bad file\(s\) \(strict\): .*no-images.*cmyk\.jpg/);
    const one = train([...RUN, '--dataset', `folder:${join(folder, 'trouser')}`, '--runtime', 'node', '--out', join(dir, 'one')]);
    expect(one.status).toBe(1);
    expect(one.stdout + one.stderr).toMatch(/no class folder with usable images; a data set needs at least two classes: one subfolder per class/);
  });

  it('checks --dataset and the folder options before anything starts (exit 2)', () => {
    for (const [args, message] of [
      [['--dataset', 'cifar'], "train: --dataset must be fashion-mnist, mnist or folder:PATH, got 'cifar'"],
      [['--dataset', 'folder:/no/such/folder'], 'train: --dataset folder:/no/such/folder: no such folder'],
      [['--image-size', '24'], 'train: --image-size applies to --dataset folder:PATH only'],
      [['--dataset', `folder:${folder}`, '--pad', '2'], 'train: --pad does not apply to --dataset folder:PATH'],
    ] as const) {
      const run = train([...args, '--out', join(dir, 'never')]);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });
});
