// `npm run transfer -- --dataset folder:PATH --body-lr-scale X --unfreeze-every EPOCHS` in
// Node: pretrained on Fashion-MNIST's classes 0-4 (one epoch, drawn as RGB at 24x24), then
// a folder of three other classes written by the test learnt four ways, the fourth with
// the body unfrozen layer by layer.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFashionFolder } from '../../tools/cli/fashion_folder.mjs';

const LIMIT_MS = 300_000;
const transfer = (args: string[]) => spawnSync(process.execPath, ['scripts/transfer.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });

describe('npm run transfer with fine-tuning options', () => {
  it(
    '--unfreeze-every adds the gradual way; --body-lr-scale names the fine-tuned way',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'transfer-fine-tune-'));
      const folder = join(dir, 'images');
      await writeFashionFolder(folder, { labels: [5, 8, 9], perClass: 10, size: 28, formats: ['png'], seed: 4 });
      const out = join(dir, 'out');
      const args = ['--dataset', `folder:${folder}`, '--image-size', '24', '--pretrain-epochs', '1', '--steps', '20'];
      const run = transfer([...args, '--body-lr-scale', '0.5', '--unfreeze-every', '2', '--out', out]);
      const text = run.stdout + run.stderr;
      expect(run.status, text).toBe(0);
      expect(text).toMatch(/8 images per class, unfrozen every 2 epoch\(s\) +test accuracy [01]\.\d{4} \(20 epochs/);
      const table = readFileSync(join(out, 'table.md'), 'utf8');
      expect(table).toContain(
        '| images per class | from scratch | frozen body + new head | fine-tuned (body at 0.5x) | unfrozen every 2 epoch(s) |\n| ---: | ---: | ---: | ---: | ---: |',
      );
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      expect(results.rows.map((r: { method: string }) => r.method)).toEqual(['scratch', 'frozen', 'finetune', 'gradual']);
      expect(results.config).toMatchObject({ bodyScale: 0.5, unfreezeEvery: 2 });
      expect(readFileSync(join(out, 'plot.svg'), 'utf8')).toContain('unfrozen every 2 epoch(s)');
    },
    LIMIT_MS,
  );

  it('refuses bad values, naming the flag (exit 2)', () => {
    for (const [args, message] of [
      [['--body-lr-scale', '0'], "transfer: --body-lr-scale must be a positive number, got '0'"],
      [['--unfreeze-every', 'x'], "transfer: --unfreeze-every must be a positive integer, got 'x'"],
    ] as const) {
      const r = transfer([...args, '--out', join(tmpdir(), 'never')]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});
