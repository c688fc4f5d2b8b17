// Atomic file writes: the bytes go to a temporary file in the same folder, are
// flushed to disk, and the temporary file is renamed over the target. A reader (or a
// crash) sees either the old file or the whole new one, never a partial write.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` (Uint8Array or string) to `path` atomically.
 * @param {string} path
 * @param {Uint8Array | string} data
 */
export function writeFileAtomic(path, data) {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd = -1;
  try {
    fd = openSync(temp, 'wx');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(temp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    rmSync(temp, { force: true });
    throw new Error(`writing ${path} failed (the previous file, if any, is untouched): ${e.message}`);
  }
}
