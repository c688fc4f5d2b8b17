// `npm run train -- --runtime node`: the same job in Node on Dawn (npm webgpu), no browser.
// On the same adapter with the same seed and no autotuning, its weights equal the browser
// run's bit for bit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
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
      const node = train([...RUN, '--runtime', 'node', '--out', join(dir, 'node')]);
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
});
