// `npm run train -- --init FILE` with --freeze-body, --body-lr-scale X and --unfreeze-every
// EPOCHS, in Node: a LeNet-5 is pretrained on an image folder of four Fashion-MNIST classes
// (written by the test), then fine-tuned on a folder of three others, so its head (4
// outputs) is replaced and its body comes from the file. With one step per epoch (a batch
// of every training image) and plain SGD, one step's updates can be compared exactly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../src/io/safetensors';
import { writeFashionFolder } from '../../tools/cli/fashion_folder.mjs';

const LIMIT_MS = 240_000;
const train = (args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });
const BODY = ['conv2d_1', 'conv2d_2', 'dense_1', 'dense_2'];
let dir: string;
let pretrained: string;
/** The fine-tuning runs' common options: 24 training images (8 of each class) in one batch, SGD at a constant rate. */
let run: (out: string, ...args: string[]) => ReturnType<typeof train>;

/** A file's tensors by name. */
const tensors = (file: string) =>
  new Map(parseSafetensors(new Uint8Array(readFileSync(file)), file).tensors.map((t) => [t.name, Float32Array.from(t.data as ArrayLike<number>)]));
const diff = (a: Float32Array, b: Float32Array) => a.map((v, i) => v - b[i]);
const bodyNames = (w: Map<string, Float32Array>) => [...w.keys()].filter((k) => BODY.includes(k.slice(0, k.lastIndexOf('.'))));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'train-fine-tune-'));
  await writeFashionFolder(join(dir, 'source'), { labels: [0, 1, 2, 3], perClass: 20, size: 28, formats: ['png'], seed: 3 });
  await writeFashionFolder(join(dir, 'target'), { labels: [5, 8, 9], perClass: 10, size: 28, formats: ['png', 'jpeg'], seed: 4 });
  const common = ['--model', 'lenet5', '--image-size', '24', '--runtime', 'node', '--autotune', 'off'];
  const pre = train([...common, '--dataset', `folder:${join(dir, 'source')}`, '--epochs', '1', '--batch', '16', '--out', join(dir, 'pre')]);
  expect(pre.status, pre.stdout + pre.stderr).toBe(0);
  pretrained = join(dir, 'pre', 'weights.safetensors');
  run = (out, ...args) =>
    train([
      ...common,
      '--dataset',
      `folder:${join(dir, 'target')}`,
      '--batch',
      '24',
      '--optimizer',
      'sgd',
      '--schedule',
      'constant',
      '--lr',
      '0.05',
      '--init',
      pretrained,
      '--out',
      join(dir, out),
      ...args,
    ]);
}, LIMIT_MS);

describe('npm run train -- --init FILE, fine-tuning', () => {
  it(
    '--freeze-body trains the head alone; --body-lr-scale 0.1 moves the body a tenth as far in a step',
    () => {
      const outs = { full: [], frozen: ['--freeze-body'], scaled: ['--body-lr-scale', '0.1'] } as Record<string, string[]>;
      const w: Record<string, Map<string, Float32Array>> = {};
      for (const [name, args] of Object.entries(outs)) {
        const r = run(name, '--epochs', '1', ...args);
        const text = r.stdout + r.stderr;
        expect(r.status, text).toBe(0);
        // The head's 4 classes became 3: it starts fresh, the body from the file.
        expect(text).toMatch(/8 tensors loaded; skipped 2: dense_3\.weight .*; kept fresh 2: dense_3\.weight, dense_3\.bias/);
        if (name === 'frozen')
          expect(text).toContain('fine-tuning: only the head dense_3 trains; the body (4 layers with weights, conv2d_1 to dense_2) is frozen');
        if (name === 'scaled')
          expect(text).toContain("fine-tuning: head dense_3 at the learning rate; the body (4 layers with weights) at 0.1 times the head's learning rate");
        w[name] = tensors(join(dir, name, 'weights.safetensors'));
      }
      const init = tensors(pretrained);
      const body = bodyNames(init);
      expect(body).toHaveLength(8);
      for (const k of body) {
        // Frozen: the body's weights exactly as loaded.
        expect(w.frozen.get(k), k).toEqual(init.get(k));
        // Scaled: one SGD step of a tenth the length (the gradient is the same: the same weights and batch).
        const full = diff(w.full.get(k)!, init.get(k)!);
        const scaled = diff(w.scaled.get(k)!, init.get(k)!);
        expect(
          full.some((d) => Math.abs(d) > 1e-5),
          `${k} moved`,
        ).toBe(true);
        for (let i = 0; i < full.length; i++) expect(Math.abs(scaled[i] - 0.1 * full[i]), `${k}[${i}]`).toBeLessThan(2e-7);
      }
      // The head's first step reads the same features in all three runs: the same update.
      for (const k of ['dense_3.weight', 'dense_3.bias']) {
        for (const name of ['frozen', 'scaled']) {
          const [a, b] = [w[name].get(k)!, w.full.get(k)!];
          for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `${name} ${k}[${i}]`).toBeLessThan(1e-6);
        }
      }
      const metrics = JSON.parse(readFileSync(join(dir, 'scaled', 'metrics.json'), 'utf8'));
      expect(metrics.fineTune).toMatchObject({ head: 'dense_3', body: BODY, freezeBody: false, bodyLrScale: 0.1, unfreezeEvery: null, unfrozen: [] });
    },
    4 * LIMIT_MS,
  );

  it(
    '--unfreeze-every 1 unfreezes the body from the top, one layer an epoch; a resumed run picks the schedule up',
    () => {
      const args = ['--optimizer', 'momentum', '--unfreeze-every', '1', '--body-lr-scale', '0.5'];
      const whole = run('gradual', ...args, '--epochs', '3');
      const text = whole.stdout + whole.stderr;
      expect(whole.status, text).toBe(0);
      expect(text).toContain(
        'the body (4 layers with weights) starts frozen, and from epoch 2 one more of its 4 layer groups unfreezes every 1 epoch(s), top first',
      );
      expect(text).toMatch(/epoch 2: unfreezing dense_2\n(.|\n)*epoch 3: unfreezing dense_1\n/);
      const init = tensors(pretrained);
      const w = tensors(join(dir, 'gradual', 'weights.safetensors'));
      for (const k of ['conv2d_1.weight', 'conv2d_1.bias', 'conv2d_2.weight', 'conv2d_2.bias']) expect(w.get(k), `${k} still frozen`).toEqual(init.get(k));
      for (const k of ['dense_1.weight', 'dense_2.weight']) expect(w.get(k), `${k} unfrozen`).not.toEqual(init.get(k));
      const metrics = JSON.parse(readFileSync(join(dir, 'gradual', 'metrics.json'), 'utf8'));
      expect(metrics.fineTune.unfrozen).toEqual([
        { epoch: 2, layers: ['dense_2'] },
        { epoch: 3, layers: ['dense_1'] },
      ]);
      // Two epochs, then --resume to three: dense_2 (and its momentum) trains again from the checkpoint, dense_1 joins.
      const first = run('resumed', ...args, '--epochs', '2');
      expect(first.status, first.stdout + first.stderr).toBe(0);
      const resumed = train(['--resume', join(dir, 'resumed'), '--epochs', '3', '--runtime', 'node']);
      expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.stdout + resumed.stderr).toContain('epoch 3: unfreezing dense_1');
      const again = tensors(join(dir, 'resumed', 'weights.safetensors'));
      for (const [k, v] of w) expect(again.get(k), k).toEqual(v);
    },
    3 * LIMIT_MS,
  );

  it('refuses fine-tuning flags without --init, and --freeze-body with --body-lr-scale, naming the flags (exit 2)', () => {
    const folder = `folder:${join(dir, 'target')}`;
    for (const [args, message] of [
      [['--freeze-body'], 'train: --freeze-body fine-tunes a pretrained network: give it with --init FILE'],
      [['--body-lr-scale', '0.1'], 'train: --body-lr-scale fine-tunes a pretrained network: give it with --init FILE'],
      [['--unfreeze-every', '2'], 'train: --unfreeze-every fine-tunes a pretrained network: give it with --init FILE'],
      [
        ['--init', pretrained, '--freeze-body', '--body-lr-scale', '0.1'],
        'train: --body-lr-scale sets the rate of a body that trains, and --freeze-body keeps it fixed; give one (or add --unfreeze-every EPOCHS)',
      ],
      [['--init', pretrained, '--body-lr-scale', '0'], "train: --body-lr-scale must be a positive number, got '0'"],
      [['--init', pretrained, '--unfreeze-every', '0'], "train: --unfreeze-every must be a positive integer, got '0'"],
      [['--init', pretrained, '--freeze-body', '--ensemble', '2'], 'train: --freeze-body does not apply to --ensemble'],
    ] as const) {
      const r = train(['--model', 'lenet5', '--dataset', folder, ...args, '--out', join(dir, 'never')]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });

  it('refuses to freeze a body whose weights --init did not hold, naming them', () => {
    // LeNet-5 with batch norm from LeNet-5's checkpoint: the convolutions and dense layers load, the batch norms stay fresh.
    const r = run('partial', '--epochs', '1', '--freeze-body', '--model', 'lenet5-bn');
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(
      /train: --freeze-body: --init \S+ holds no weights for batch_norm_1\.gamma, .* of the body, which frozen would stay random/,
    );
  });
});
