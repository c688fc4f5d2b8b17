// `npm run train -- --runtime node`: the same job in Node on Dawn (npm webgpu), no browser.
// On the same adapter with the same seed and no autotuning, its weights equal the browser
// run's bit for bit.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensorBytes } from '../helpers/weights_bytes';

const RUN = ['--model', 'lenet5', '--epochs', '1', '--limit', '320', '--test-limit', '100', '--autotune', 'off', '--seed', '3'];
const LIMIT_MS = 240_000;
const train = (args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });

describe('npm run train -- --runtime node', () => {
  it(
    "trains in Node without Chromium, to the browser run's weights bit for bit",
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'train-runtime-'));
      // SwiftShader in both: the browser's adapter (auto may take lavapipe in Node).
      const node = train([...RUN, '--runtime', 'node', '--adapter', 'swiftshader', '--out', join(dir, 'node')]);
      expect(node.status, node.stderr + node.stdout).toBe(0);
      expect(node.stdout + node.stderr).toContain(', in Node');
      const browser = train([...RUN, '--out', join(dir, 'browser')]);
      expect(browser.status, browser.stderr + browser.stdout).toBe(0);
      // Tensors bit for bit; the metadata names each run's own id.
      expect(tensorBytes(join(dir, 'node', 'weights.safetensors')).equals(tensorBytes(join(dir, 'browser', 'weights.safetensors')))).toBe(true);
      const metrics = JSON.parse(readFileSync(join(dir, 'node', 'metrics.json'), 'utf8'));
      expect(metrics.epochsDone).toBe(1);
    },
    2 * LIMIT_MS,
  );

  it(
    "--adapter lavapipe trains in Node on Mesa's lavapipe and records it; without Mesa 25 it says what to install",
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'train-lavapipe-'));
      const run = train([...RUN, '--adapter', 'lavapipe', '--out', join(dir, 'run')]);
      const text = run.stdout + run.stderr;
      const installed = ['lvp_icd.json', 'lvp_icd.x86_64.json'].some((f) => existsSync(`/usr/share/vulkan/icd.d/${f}`));
      if (!installed || run.status !== 0) {
        // Not installed, or Mesa older than 25 (which Dawn does not take): refused, naming what to install.
        expect(text).toMatch(/adapter lavapipe: .*(not installed|found no WebGPU adapter).*Mesa 25/);
        return;
      }
      expect(text).toContain(', in Node');
      const metrics = JSON.parse(readFileSync(join(dir, 'run', 'metrics.json'), 'utf8'));
      expect(metrics.adapter.vendor).toBe('mesa');
    },
    LIMIT_MS,
  );

  it('refuses --adapter lavapipe with --runtime browser', () => {
    const run = train(['--adapter', 'lavapipe', '--runtime', 'browser', '--out', join(tmpdir(), 'never')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('train: --adapter lavapipe runs in Node (Chromium uses its own SwiftShader); leave out --runtime browser');
  });
});
