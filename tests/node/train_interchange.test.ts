// `npm run train -- --init FILE --export-onnx FILE --export-torch FILE` on the real
// Fashion-MNIST in headless Chromium: a PyTorch ONNX export fine-tunes and comes back out
// as ONNX (which ONNX Runtime runs) and as a PyTorch state dict; a PyTorch state dict
// initialises --model by name.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { parseSafetensors } from '../../src/io/safetensors';

const RUN = ['--epochs', '1', '--limit', '512', '--test-limit', '128', '--batch', '64', '--autotune', 'off'];
const LIMIT_MS = 240_000;
const train = (args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });
const fixture = (name: string) => join('tests', 'fixtures', 'torch', name);

describe('npm run train with files in and out', () => {
  it(
    '--init a .onnx fine-tunes it; --export-onnx and --export-torch write the trained network',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'train-onnx-'));
      const onnxOut = join(dir, 'tuned.onnx');
      const torchOut = join(dir, 'tuned.safetensors');
      const run = train([...RUN, '--init', fixture('lenet5.onnx'), '--out', join(dir, 'run'), '--export-onnx', onnxOut, '--export-torch', torchOut]);
      expect(run.status, run.stderr + run.stdout).toBe(0);
      expect(run.stderr + run.stdout).toMatch(/initial weights from .*lenet5\.onnx \(onnx\): 10 tensors loaded/);
      const metrics = JSON.parse(readFileSync(join(dir, 'run', 'metrics.json'), 'utf8'));
      expect(metrics.testAccuracy).toBeGreaterThan(0.3); // chance is 0.1; one short epoch
      // ONNX Runtime runs the exported network; the state dict has PyTorch's names.
      const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(onnxOut)));
      const result = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 784), [2, 1, 28, 28]) });
      expect(result.output.dims).toEqual([2, 10]);
      const names = parseSafetensors(new Uint8Array(readFileSync(torchOut)), torchOut).tensors.map((t) => t.name);
      expect(names).toEqual([
        'conv1.weight',
        'conv1.bias',
        'conv2.weight',
        'conv2.bias',
        'fc1.weight',
        'fc1.bias',
        'fc2.weight',
        'fc2.bias',
        'fc3.weight',
        'fc3.bias',
      ]);
    },
    LIMIT_MS,
  );

  it(
    '--init a PyTorch state dict loads --model by name and says what it skipped and kept fresh',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'train-torch-'));
      // The residual stage (3 input channels, one stage of 16) fits resnet20's layer1.1 only.
      const run = train([
        ...RUN,
        '--model',
        'resnet20',
        '--limit',
        '64',
        '--test-limit',
        '64',
        '--init',
        fixture('residual_stage.state.safetensors'),
        '--out',
        dir,
      ]);
      expect(run.status, run.stderr + run.stdout).toBe(0);
      expect(run.stderr + run.stdout).toMatch(
        /initial weights from .*residual_stage\.state\.safetensors \(torch state dict\): 20 tensors loaded; skipped 13: conv1\.weight \(has shape \[8,3,3,3\] but resnet20 needs \[16,1,3,3\]\), .*, and 10 more .*; kept fresh 87: conv1\.weight, bn1\.gamma/,
      );
      // Nothing of LeNet-5's PyTorch state dict fits resnet20: an error naming the file, before training.
      const none = train([...RUN, '--model', 'resnet20', '--init', fixture('lenet5.state.safetensors'), '--out', join(dir, 'none')]);
      expect(none.status).toBe(1);
      expect(none.stderr + none.stdout).toMatch(/--init .*lenet5\.state\.safetensors: no tensor of the file fits resnet20/);
      const missing = train([...RUN, '--init', 'missing.onnx']);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toMatch(/train: --init \S*missing\.onnx: no such file/);
    },
    LIMIT_MS,
  );
});
