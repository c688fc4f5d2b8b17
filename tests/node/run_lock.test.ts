// One writer per run folder (tools/cli/run_lock.mjs): a second `npm run train` into a folder
// another run holds exits 2 at once naming the holder and changes nothing; a stale lock
// (its process is gone) is taken over; the lock goes when the run ends.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module of the command line
import { acquireLock, lockRunFolder } from '../../tools/cli/run_lock.mjs';

const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
const listing = (dir: string) =>
  readdirSync(dir)
    .sort()
    .map((f) => `${f} ${statSync(join(dir, f)).mtimeMs} ${statSync(join(dir, f)).size}`);
const TINY = ['--model', 'lenet5', '--epochs', '1', '--limit', '256', '--test-limit', '128', '--autotune', 'off'];

describe('the run folder lock', () => {
  it('names pid, host and start time, refuses a second holder, is removed on release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const lock = lockRunFolder(dir, { command: 'npm run train' });
    const held = JSON.parse(readFileSync(join(dir, 'run.lock'), 'utf8'));
    expect(held).toMatchObject({ pid: process.pid, host: hostname(), command: 'npm run train' });
    expect(Date.now() - Date.parse(held.started)).toBeLessThan(60_000);
    expect(() => lockRunFolder(dir)).toThrow(
      `${dir} is in use by another run: pid ${process.pid} on host ${hostname()}, started ${held.started} (npm run train)`,
    );
    expect(readdirSync(dir)).toEqual(['run.lock']);
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes over a stale lock (a dead pid on this host) with a message; refuses one of another host', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const pid = deadPid();
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid, host: hostname(), started: '2024-01-01T00:00:00.000Z' }));
    const lines: string[] = [];
    const lock = acquireLock(join(dir, 'run.lock'), { log: (l: string) => lines.push(l) });
    expect(lines).toEqual([
      `took over the stale lock ${join(dir, 'run.lock')} of pid ${pid} on host ${hostname()}, started 2024-01-01T00:00:00.000Z: that process no longer runs`,
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'run.lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid, host: 'elsewhere', started: '2024-01-01T00:00:00.000Z' }));
    expect(() => lockRunFolder(dir)).toThrow(
      `pid ${pid} on host elsewhere, started 2024-01-01T00:00:00.000Z; this is host ${hostname()}, so whether it still runs cannot be told: if it does not, remove ${join(dir, 'run.lock')}`,
    );
    writeFileSync(join(dir, 'run.lock'), 'garbage');
    expect(() => lockRunFolder(dir)).toThrow('names no holder');
    expect(readdirSync(dir)).toEqual(['run.lock']);
  });

  it('npm run train (and --resume) into a folder a live run holds exits 2 at once, naming the holder, and changes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    writeFileSync(join(dir, 'metrics.json'), '{"runId":"other"}\n');
    const holder = { pid: process.pid, host: hostname(), started: '2024-05-06T07:08:09.000Z', command: 'npm run train' };
    writeFileSync(join(dir, 'run.lock'), JSON.stringify(holder));
    const before = listing(dir);
    for (const args of [
      [...TINY, '--out', dir],
      ['--resume', dir],
    ]) {
      const started = Date.now();
      const r = spawnSync(process.execPath, ['scripts/train.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(r.stderr).toContain(
        `train: ${dir} is in use by another run: pid ${process.pid} on host ${hostname()}, started 2024-05-06T07:08:09.000Z (npm run train). Nothing was changed`,
      );
      expect(r.stderr).not.toContain('[setup]');
      expect(listing(dir)).toEqual(before);
    }
  }, 60_000);

  it('two real runs into one folder: the second exits 2 naming the first; the first takes over a stale lock, finishes and removes its lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const dead = deadPid();
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: dead, host: hostname(), started: '2024-01-01T00:00:00.000Z' }));
    const first = spawn(process.execPath, ['scripts/train.mjs', ...TINY, '--out', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    first.stderr!.on('data', (d) => (log += d));
    const done = new Promise<number | null>((r) => first.once('exit', r));
    const end = Date.now() + 60_000;
    while (!existsSync(join(dir, 'run.lock')) || JSON.parse(readFileSync(join(dir, 'run.lock'), 'utf8') || '{}').pid !== first.pid) {
      if (Date.now() > end || first.exitCode !== null) throw new Error(`the first run never took the lock: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const second = spawnSync(process.execPath, ['scripts/train.mjs', ...TINY, '--epochs', '2', '--out', dir], { encoding: 'utf8', timeout: 60_000 });
    expect(second.status, second.stderr).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`is in use by another run: pid ${first.pid} on host ${hostname()}, started \\d{4}-\\d\\d-\\d\\dT`));
    expect(await done, log).toBe(0);
    expect(log).toContain(`took over the stale lock ${join(dir, 'run.lock')} of pid ${dead}`);
    expect(existsSync(join(dir, 'run.lock'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')).config.epochs).toBe(1);
  }, 120_000);
});
