// The folder a training run writes (--out): checked before the first step, locked for
// this run alone, cleared of the temporary files a killed run left, and read back for --resume.
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic_write.mjs';
import { pngText } from './png.mjs';
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
  const why =
    err.code === 'ENOTDIR' || err.code === 'EEXIST'
      ? 'a part of that path is a regular file, not a folder'
      : err.code === 'EACCES' || err.code === 'EROFS' || err.code === 'EPERM'
        ? 'no permission to write there'
        : err.message;
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
 * The string metadata of a safetensors header (its JSON bytes), checked as the library's
 * reader (src/io/safetensors.ts) checks it: UTF-8 JSON, an object, and __metadata__ an
 * object of strings. Throws naming `name`.
 * @param {Uint8Array} json
 * @param {string} name
 * @returns {Record<string, string>}
 */
function headerMetadata(json, name) {
  let header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    throw new Error(`${name}: the ${json.length}-byte header is not valid UTF-8 JSON (${/** @type {Error} */ (e).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new Error(`${name}: the header must be a JSON object, got ${JSON.stringify(header).slice(0, 40)}`);
  const metadata = header.__metadata__ ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw new Error(`${name}: __metadata__ must be an object of strings, got ${JSON.stringify(metadata).slice(0, 40)}`);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string')
      throw new Error(
        `${name}: metadata field '${key}' must be a string (safetensors metadata maps strings to strings), got ${JSON.stringify(value).slice(0, 40)}`,
      );
  }
  return metadata;
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
    if (readSync(fd, json, 0, length, 8) !== length) throw new Error(`${path}: could not read the ${length}-byte header (the file changed while it was read?)`);
    return headerMetadata(json, path);
  } finally {
    closeSync(fd);
  }
}

/**
 * The metadata of safetensors bytes in memory (a checkpoint the job just made).
 * @param {Uint8Array} bytes
 * @param {string} name for messages
 * @returns {Record<string, string>}
 */
export function safetensorsMetadataOf(bytes, name) {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 8) throw new Error(`${name}: ${b.length} bytes is too short for a safetensors file`);
  const length = Number(b.readBigUInt64LE(0));
  if (length > b.length - 8)
    throw new Error(`${name}: header length ${length} exceeds the file's ${b.length - 8} remaining bytes (truncated or not safetensors)`);
  return headerMetadata(b.subarray(8, 8 + length), name);
}

/** @param {Uint8Array} bytes */
export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * What metrics.json records of a file of the run: its sha256 and the step it holds.
 * @param {Uint8Array} bytes
 * @param {string} name
 */
export function fileRecord(bytes, name) {
  const m = safetensorsMetadataOf(bytes, name);
  const step = m.step ?? m.optimizer_steps;
  return { sha256: sha256(bytes), step: step === undefined ? null : Number(step) };
}

/** The run id report.html carries (`<meta name="run-id">`), or null. @param {string} path */
function reportRunId(path) {
  return /<meta name="run-id" content="([^"]*)">/.exec(readFileSync(path, 'utf8'))?.[1] ?? null;
}

/** metrics.json of `dir`: { value } parsed, { error } when it does not parse, or null when absent. @param {string} dir */
function readMetrics(dir) {
  const path = join(dir, 'metrics.json');
  if (!existsSync(path)) return null;
  try {
    return { value: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (e) {
    return { error: /** @type {Error} */ (e).message };
  }
}

/**
 * Removes the files of another run than `runId` from `dir`: weights.safetensors,
 * weights-N.safetensors (an ensemble's), report.html, metrics.json and scenes.png that
 * name another run (or none), and with `checkpoint` checkpoint.safetensors too (a run
 * that writes none: --ensemble). Called once a run's own checkpoint is in the folder (a
 * new run's first, or the one --resume continues), or an ensemble's first member, so the
 * folder never shows one run's metrics beside another's weights. Returns lines to log.
 * @param {string} dir
 * @param {string} runId
 * @param {{ checkpoint?: boolean }} [options]
 */
export function removeOtherRuns(dir, runId, { checkpoint = false } = {}) {
  const removed = [];
  const others = new Set();
  const check = (name, idOf) => {
    const path = join(dir, name);
    if (!existsSync(path) || !statSync(path).isFile()) return;
    let id = null;
    try {
      id = idOf(path);
    } catch {
      // Unreadable: not a file of this run.
    }
    if (id === runId) return;
    rmSync(path, { force: true });
    removed.push(name);
    others.add(id ?? 'without a run id');
  };
  const weightsRun = (p) => readSafetensorsMetadata(p).run_id ?? null;
  check('weights.safetensors', weightsRun);
  for (const name of existsSync(dir) ? readdirSync(dir) : []) if (/^weights-\d+\.safetensors$/.test(name)) check(name, weightsRun);
  if (checkpoint) check('checkpoint.safetensors', weightsRun);
  check('report.html', reportRunId);
  check('metrics.json', (p) => JSON.parse(readFileSync(p, 'utf8')).runId ?? null);
  check('scenes.png', (p) => pngText(readFileSync(p))['run-id'] ?? null);
  if (removed.length === 0) return [];
  return [
    `removed ${removed.join(', ')} of the previous run (${[...others].join(', ')}) from ${dir}: they are not files of run ${runId}, whose checkpoint is there now`,
  ];
}

/**
 * Checks, before --resume continues the checkpoint of `dir`, that the folder's files are
 * of one run: the checkpoint's run id against metrics.json's, and the checkpoint against
 * the one metrics.json names. The one disagreement a kill can leave (a checkpoint newer
 * than metrics.json: the checkpoint is written first) is repaired (the checkpoint wins;
 * metrics.json is rewritten at the next checkpoint). A checkpoint older than the one
 * metrics.json names (a copied-back file) is refused. Returns the run id to continue
 * (a checkpoint from before run ids gets a new one) and lines to log.
 * @param {string} dir
 * @param {Record<string, string>} metadata the checkpoint's
 * @param {Uint8Array} bytes the checkpoint's
 */
export function checkResumeFolder(dir, metadata, bytes) {
  const notes = [];
  const file = join(dir, 'checkpoint.safetensors');
  const here = fileRecord(bytes, file);
  let runId = metadata.run_id;
  if (!runId) {
    runId = randomUUID();
    notes.push(`${file} names no run (it predates run ids): continuing it as run ${runId}`);
  }
  const metrics = readMetrics(dir);
  const m = metrics?.value;
  if (metrics?.error) notes.push(`${join(dir, 'metrics.json')} does not parse (${metrics.error}); it will be rewritten from the checkpoint's run`);
  else if (m && typeof m.runId === 'string' && m.runId !== runId) {
    notes.push(
      `metrics.json is of run ${m.runId} but the checkpoint of run ${runId}: the checkpoint is written first, so it is the newer (a run killed between the two); continuing run ${runId}`,
    );
  } else if (m && m.runId === runId && m.checkpoint?.sha256 && m.checkpoint.sha256 !== here.sha256) {
    if (!(here.step > m.checkpoint.step)) {
      throw new Error(
        `train: --resume ${dir}: the folder disagrees with itself: metrics.json of run ${runId} names checkpoint.safetensors at step ${m.checkpoint.step} (sha256 ${m.checkpoint.sha256.slice(0, 12)}…), but the file holds step ${here.step} (sha256 ${here.sha256.slice(0, 12)}…), not newer than that: it was replaced by another copy. Put back the checkpoint metrics.json names, or start a new run (without --resume); nothing was changed`,
      );
    }
    notes.push(
      `checkpoint.safetensors (step ${here.step}) is newer than the one metrics.json names (step ${m.checkpoint.step}): the run was killed between the two writes; continuing from the checkpoint`,
    );
  }
  return { runId, checkpoint: here, notes };
}
