// The files and sub-folders under an image folder, for a job that reads it (the page cannot
// list a folder; the job reads each file the command names).
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/**
 * The folder of `--dataset folder:PATH`, checked, with every file and sub-folder under it
 * (relative, '/'-separated, sorted). Throws a message naming the path when it is not a folder.
 * @param {string} path
 * @returns {{ root: string, files: string[], folders: string[] }}
 */
export function listFolder(path) {
  const root = resolve(path);
  let info;
  try {
    info = statSync(root);
  } catch {
    throw new Error(`--dataset folder:${path}: no such folder`);
  }
  if (!info.isDirectory()) throw new Error(`--dataset folder:${path} is a file, not a folder with one subfolder per class`);
  const files = [];
  const folders = [];
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const rel = relative(root, join(e.parentPath ?? e.path, e.name))
      .split(sep)
      .join('/');
    if (e.isDirectory()) folders.push(rel);
    else if (e.isFile()) files.push(rel);
  }
  return { root, files: files.sort(), folders: folders.sort() };
}
