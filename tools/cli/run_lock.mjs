// One writer per folder: a run (npm run train, transfer) holds `<dir>/run.lock` while it
// writes there, and a second run into the same folder is refused at once instead of
// interleaving its files with the first one's. The lock is a JSON file (pid, host, start
// time, command) made whole in a temporary file and linked into place, so it appears
// atomically and complete (link, like open 'wx', fails when the name exists). A lock
// whose process no longer runs on this host is stale and is taken over. The holder
// removes it when it exits: normally, on an error, and on SIGINT/SIGTERM/SIGHUP (the
// callers turn those into process.exit).
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

export const LOCK_NAME = 'run.lock';

/** The tokens of the locks this process holds: a lock naming our pid but none of them is a dead process's (pids are reused, in containers often). */
const held = new Set();

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return /** @type {NodeJS.ErrnoException} */ (e).code === 'EPERM';
  }
}

/** The holder a lock file names, or null when it cannot be read as one. @param {string} path */
function readHolder(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (/** @type {NodeJS.ErrnoException} */ (e).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const h = JSON.parse(text);
    return Number.isInteger(h?.pid) && typeof h.host === 'string' && typeof h.started === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** "pid 123 on host x, started 2024-...": how messages name a holder. */
export function describeHolder(h) {
  return `pid ${h.pid} on host ${h.host}, started ${h.started}${h.command ? ` (${h.command})` : ''}`;
}

/** A temporary name the run folder's clean-up knows (`.<name>.<pid>.<time>.tmp`); `kind` keeps two apart. */
const tempName = (path, kind) => join(dirname(path), `.${basename(path)}.${kind}.${process.pid}.${Date.now()}.tmp`);

/**
 * Takes the lock `path` (a file) for this process, or throws an Error with `code`
 * 'ELOCKED' naming the holder. `log` receives the take-over of a stale lock.
 * Returns { path, holder, release }: release() removes the lock if it is still ours
 * (it is also called on process exit).
 * @param {string} path
 * @param {{ command?: string, log?: (line: string) => void, what?: string }} [options]
 */
export function acquireLock(path, { command, log = (l) => console.error(l), what = path } = {}) {
  const holder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command, token: randomUUID() };
  const temp = tempName(path, 'new');
  const fd = openSync(temp, 'wx');
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temp, path);
        break;
      } catch (e) {
        if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'EEXIST' || attempt >= 5) throw e;
      }
      const other = readHolder(path);
      if (other === undefined) continue; // released while we looked
      if (other === null) {
        throw Object.assign(new Error(`${what} is locked: ${path} exists but names no holder (pid, host, start time); if no run writes there, remove it`), {
          code: 'ELOCKED',
          holder: null,
        });
      }
      const stale = other.host === holder.host && (other.pid === process.pid ? !held.has(other.token) : !alive(other.pid));
      if (!stale) {
        const where =
          other.host === holder.host ? '' : `; this is host ${holder.host}, so whether it still runs cannot be told: if it does not, remove ${path}`;
        throw Object.assign(new Error(`${what} is in use by another run: ${describeHolder(other)}${where}`), { code: 'ELOCKED', holder: other });
      }
      // Stale: move it aside (one taker wins the rename), and put it back if what moved was not the stale lock.
      const aside = tempName(path, 'stale');
      try {
        renameSync(path, aside);
      } catch (e) {
        if (/** @type {NodeJS.ErrnoException} */ (e).code === 'ENOENT') continue;
        throw e;
      }
      const moved = readHolder(aside);
      if (moved?.token !== other.token || moved?.pid !== other.pid || moved?.started !== other.started) {
        try {
          linkSync(aside, path);
        } catch {
          // Someone else took it meanwhile: they hold it now.
        }
        rmSync(aside, { force: true });
        continue;
      }
      rmSync(aside, { force: true });
      log(`took over the stale lock ${path} of ${describeHolder(other)}: that process no longer runs`);
    }
  } finally {
    rmSync(temp, { force: true });
  }
  held.add(holder.token);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    held.delete(holder.token);
    process.off('exit', release);
    try {
      if (readHolder(path)?.token === holder.token) rmSync(path, { force: true });
    } catch {
      // Nothing more can be done on the way out.
    }
  };
  process.on('exit', release);
  return { path, holder, release };
}

/**
 * Takes the lock of a run folder (`<dir>/run.lock`); the folder must exist. See acquireLock.
 * @param {string} dir
 * @param {{ command?: string, log?: (line: string) => void }} [options]
 */
export function lockRunFolder(dir, options = {}) {
  return acquireLock(join(dir, LOCK_NAME), { ...options, what: dir });
}

/**
 * Turns SIGINT, SIGTERM and SIGHUP into process.exit (128 + the signal's number), so the
 * 'exit' handlers (the lock's release) run; Node's default would end the process without
 * them. `unless()` true leaves the signal to another handler (a browser session's, which
 * closes the browser first and then exits the same way).
 * @param {{ onSignal?: (signal: string) => void, unless?: () => boolean }} [options]
 */
export function exitOnSignals({ onSignal, unless = () => false } = {}) {
  const numbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
  for (const [signal, n] of Object.entries(numbers)) {
    process.on(signal, () => {
      if (unless()) return;
      onSignal?.(signal);
      process.exit(128 + n);
    });
  }
}
