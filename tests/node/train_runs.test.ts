// `npm run train` as a user runs it, on the real Fashion-MNIST in headless Chromium: a run
// killed with SIGKILL and resumed gives the uninterrupted run's weights bit for bit; a
// diverging run writes no NaN weights and says what happened; SIGTERM closes the browser.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../src/io/safetensors';

// Small enough to run in about 20 s a run here; the limits below allow four times that.
const RUN = ['--model', 'lenet5', '--epochs', '2', '--limit', '640', '--test-limit', '200', '--batch', '64', '--autotune', 'off', '--checkpoint-every', '3'];
const LIMIT_MS = 240_000;

const train = (args: string[]) => spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8', timeout: LIMIT_MS });
const start = (args: string[]) => spawn(process.execPath, ['scripts/train.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

/** Every process below `pid` (the browser Playwright started runs in a process group of its own). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

const running = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

async function until(what: string, ok: () => boolean, ms = LIMIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => (child.exitCode !== null || child.signalCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));

/** The tensors of a safetensors file, by name, as raw float bytes. */
function tensors(file: string): Map<string, Uint8Array> {
  const parsed = parseSafetensors(new Uint8Array(readFileSync(file)), file);
  return new Map(parsed.tensors.map((t) => [t.name, new Uint8Array(t.data.buffer)]));
}

describe('npm run train: runs that never lose work', () => {
  it(
    "a run killed with SIGKILL after a mid-epoch checkpoint resumes (--resume) to the uninterrupted run's weights, bit for bit",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'train-runs-'));
      const whole = train([...RUN, '--out', join(dir, 'whole')]);
      expect(whole.status, whole.stderr).toBe(0);

      const out = join(dir, 'killed');
      const child = start([...RUN, '--out', out]);
      await until('the first checkpoint', () => existsSync(join(out, 'checkpoint.safetensors')) && existsSync(join(out, 'metrics.json')));
      const tree = [child.pid!, ...descendants(child.pid!)];
      for (const pid of tree) process.kill(pid, 'SIGKILL');
      await exited(child);
      expect(existsSync(join(out, 'weights.safetensors'))).toBe(false);
      const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
      expect(metrics.complete).toBe(false);

      const resumed = train(['--resume', out]);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/resuming .* at epoch \d, step \d+/);
      // The killed run's lock names a dead pid: the resume takes it over, and removes it when done.
      expect(resumed.stderr).toContain(`took over the stale lock ${join(out, 'run.lock')} of pid ${child.pid}`);
      expect(existsSync(join(out, 'run.lock'))).toBe(false);
      const a = tensors(join(dir, 'whole', 'weights.safetensors'));
      const b = tensors(join(out, 'weights.safetensors'));
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [name, bytes] of a) expect(Buffer.compare(Buffer.from(b.get(name)!), Buffer.from(bytes)), name).toBe(0);
      const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
      const w = JSON.parse(readFileSync(join(dir, 'whole', 'metrics.json'), 'utf8'));
      expect(m.complete).toBe(true);
      expect(m.loss).toEqual(w.loss);
      expect(m.testAccuracyPerEpoch).toEqual(w.testAccuracyPerEpoch);
      // The training-loss curve too: its open window travels in the checkpoint.
      expect(w.lossCurve.length).toBeGreaterThan(10);
      expect(m.lossCurve).toEqual(w.lossCurve);
      expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
    4 * LIMIT_MS,
  );

  it(
    'a diverging run (sgd lr 1e6) stops naming the step and the rate, writes no weights, and says what happened in metrics.json and the report',
    () => {
      const out = mkdtempSync(join(tmpdir(), 'train-diverge-'));
      // The explosion rule (tests/node/train_divergence.test.ts) would stop it first; off, a rate high enough for the loss to overflow stops on NaN.
      const r = train([
        '--model',
        'lenet5',
        '--optimizer',
        'sgd',
        '--lr',
        '1e6',
        '--epochs',
        '1',
        '--limit',
        '512',
        '--test-limit',
        '100',
        '--divergence-factor',
        'off',
        '--out',
        out,
      ]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /train: diverged \(rule non-finite\): fit: the loss became (NaN|Infinity|-Infinity) at step \d+ \(epoch 1, batch \d+\) with learning rate [\d.]+; training stopped/,
      );
      expect(r.stderr).toContain('no epoch finished, so no weights were written');
      expect(existsSync(join(out, 'weights.safetensors'))).toBe(false);
      const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
      expect(m.complete).toBe(false);
      expect(m.diverged.epoch).toBe(1);
      expect(m.diverged.rule).toBe('non-finite');
      expect(m.loss).toEqual([]);
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Training diverged and stopped.');
    },
    LIMIT_MS,
  );

  it(
    'SIGTERM mid-run closes the browser and the server, and exits 143',
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'train-term-'));
      const child = start([...RUN, '--epochs', '3', '--out', out]);
      let log = '';
      child.stderr!.on('data', (d) => (log += d));
      await until('training to start', () => log.includes('training lenet5'));
      const tree = descendants(child.pid!);
      expect(tree.length).toBeGreaterThan(0);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(143);
      await until('every process of the run to end', () => tree.every((pid) => !running(pid)), 20_000);
      expect(log).toContain('SIGTERM: closing the browser and the server');
      // The folder's lock goes with the run, so --resume (or another run) may write there.
      expect(existsSync(join(out, 'run.lock'))).toBe(false);
    },
    LIMIT_MS,
  );
});
