// The folder a training run writes (--out): checked before the first step, locked for
// this run alone, cleared of the temporary files a killed run left, and read back for --resume.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic_write.mjs';
import { lockRunFolder } from './run_lock.mjs';

/** Temporary files of writeFileAtomic: `.<name>.<pid>.<time>.tmp`. */
const TEMP = /^\..+\.(\d+)\.\d+\.tmp$/;

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return /** @type {NodeJS.ErrnoException} */ (e).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that writers which are no longer running left in `dir`
 * (a run killed mid-write). Files of live writers stay. Returns the names removed.
 * @param {string} dir
 */
export function removeStaleTemps(dir) {
  const removed = [];
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const m = TEMP.exec(name);
    if (m && !alive(Number(m[1]))) {
      rmSync(join(dir, name), { force: true });
      removed.push(name);
    }
  }
  return removed;
}

/**
 * Makes sure a run can write into `dir` before it trains: creates it, writes and
 * removes a probe file, and clears stale temporary files. Throws a message naming the
 * folder and the reason (a part of the path is a regular file, no permission, ...).
 * @param {string} dir
 */
export function prepareRunFolder(dir) {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('it is a file'), { code: 'ENOTDIR' });
    const probe = join(dir, `.write-check.${process.pid}`);
    writeFileAtomic(probe, '');
    rmSync(probe);
  } catch (e) {
    throw cannotWrite(dir, e, 'train');
  }
  return removeStaleTemps(dir);
}

/** @param {string} dir @param {unknown} e @param {string} command */
function cannotWrite(dir, e, command) {
  const err = /** @type {NodeJS.ErrnoException} */ (e);
  const why = err.code === 'ENOTDIR' || err.code === 'EEXIST' ? 'a part of that path is a regular file, not a folder' : err.code === 'EACCES' || err.code === 'EROFS' || err.code === 'EPERM' ? 'no permission to write there' : err.message;
  return new Error(`${command}: cannot write the run to ${dir}: ${why} (nothing was ${command === 'train' ? 'trained' : 'run'}; pick another --out)`);
}

/**
 * prepareRunFolder with this run's lock (run_lock.mjs): creates `dir`, takes its lock
 * (the lock file is the write check, so a folder in use is not written at all), then
 * clears stale temporary files. Throws a message for the command line: the folder
 * cannot be written, or another run holds it (`code` 'ELOCKED', naming the holder's pid,
 * host and start time). Returns the lock and the temporary files removed.
 * @param {string} dir
 * @param {{ command: string, log?: (line: string) => void }} options command: 'train', 'transfer'
 */
export function openRunFolder(dir, { command, log }) {
  let lock;
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('it is a file'), { code: 'ENOTDIR' });
    lock = lockRunFolder(dir, { command: `npm run ${command}`, log });
  } catch (e) {
    if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'ELOCKED') throw cannotWrite(dir, e, command);
    const err = new Error(`${command}: ${/** @type {Error} */ (e).message}. Nothing was changed; wait for that run, stop it, or pick another --out`);
    throw Object.assign(err, { code: 'ELOCKED' });
  }
  return { lock, removed: removeStaleTemps(dir) };
}

/**
 * The metadata of a safetensors file (its JSON header's __metadata__), read without the
 * tensor data. Throws naming the file when it is missing or not safetensors.
 * @param {string} path
 * @returns {Record<string, string>}
 */
export function readSafetensorsMetadata(path) {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const head = Buffer.alloc(8);
    if (size < 8 || readSync(fd, head, 0, 8, 0) !== 8) throw new Error(`${path}: ${size} bytes is too short for a safetensors file`);
    const length = Number(head.readBigUInt64LE(0));
    if (length > size - 8) throw new Error(`${path}: header length ${length} exceeds the file's ${size - 8} remaining bytes (truncated or not safetensors)`);
    const json = Buffer.alloc(length);
    readSync(fd, json, 0, length, 8);
    let header;
    try {
      header = JSON.parse(json.toString('utf8'));
    } catch (e) {
      throw new Error(`${path}: the header is not JSON (${/** @type {Error} */ (e).message})`);
    }
    return header.__metadata__ ?? {};
  } finally {
    closeSync(fd);
  }
}
