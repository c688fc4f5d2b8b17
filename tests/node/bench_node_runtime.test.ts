// `npm run bench -- --runtime node`: the benchmark harness in Node on Dawn, every peer
// (TF.js WebGPU and CPU, jax-js) given Dawn's GPU; and the file store the Node runs keep
// tuned choices in.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileTuneStore } from '../../src/node_tune_store';

const LIMIT_MS = 240_000;
const bench = (args: string[]) => spawnSync(process.execPath, ['scripts/bench.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });

describe('npm run bench -- --runtime node', () => {
  it(
    'times a case on ours and on every peer in Node, and writes the report',
    () => {
      const json = join(mkdtempSync(join(tmpdir(), 'bench-node-')), 'report.json');
      const run = bench(['--runtime', 'node', '--filter', 'dense-64x400x120', '--json', json]);
      expect(run.status, run.stderr + run.stdout).toBe(0);
      expect(run.stdout).toContain('Node on Dawn');
      const report = JSON.parse(readFileSync(json, 'utf8'));
      expect(report.peers).toEqual({ tfjsWebgpu: 'TF.js 4.22.0 webgpu', tfjsCpu: 'TF.js 4.22.0 cpu', jax: 'jax-js webgpu' });
      const [c] = report.cases;
      expect(c.name).toBe('dense-64x400x120');
      for (const key of ['ours', 'tfjsWebgpu', 'tfjsCpu', 'jax']) expect(c[key].medianMs, key).toBeGreaterThan(0);
    },
    LIMIT_MS,
  );

  it('refuses a runtime it does not have', () => {
    const run = bench(['--runtime', 'deno']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("bench: --runtime must be one of browser, node, got 'deno'");
  });
});

describe('fileTuneStore', () => {
  it('saves whole files (no temporary left), loads them back, and reads a missing or broken file as empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tune-store-'));
    const path = join(dir, 'cache', 'autotune.json');
    const store = fileTuneStore(path);
    expect(await store.load()).toEqual({});
    await store.save({ 'gpu|matmul|m4|a,b': 1 });
    expect(await store.load()).toEqual({ 'gpu|matmul|m4|a,b': 1 });
    expect(readdirSync(join(dir, 'cache'))).toEqual(['autotune.json']);
    writeFileSync(path, '{ not json');
    expect(await store.load()).toEqual({});
    expect(existsSync(path)).toBe(true);
  });
});
