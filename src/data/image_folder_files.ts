// Which file of an image folder is an example of which class, and of which side of the
// split: `CLASS/.../FILE` (split later by a seed), or `train/CLASS/...` and `val/CLASS/...`
// (`validation/` too) when the folder has both. Hidden files and folders (`.DS_Store`,
// `__MACOSX`) are passed over; files without an image extension, and files outside a
// class folder, are listed as ignored; class folders without an image file as empty.
import type { ImageFolderSource } from './image_folder';

/** The extensions taken as images (any case): JPEG, PNG, WebP, GIF, BMP. */
export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'jpe', 'jfif', 'png', 'webp', 'gif', 'bmp', 'dib'];

export interface FolderEntry {
  /** Relative to the folder. */
  path: string;
  className: string;
  /** With train/ and val/ folders: the side the file is on. */
  split?: 'train' | 'val';
}

export interface OrganisedFolder {
  /** Files with an image extension, class by class (names sorted), then by path. */
  entries: FolderEntry[];
  /** Classes with at least one image file, sorted. */
  classNames: string[];
  split: 'folders' | 'seeded';
  /** Class folders with no image file (relative paths). */
  empty: string[];
  ignored: { path: string; reason: string }[];
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const hidden = (part: string) => part.startsWith('.') || part === '__MACOSX';
const isImageName = (name: string) => IMAGE_EXTENSIONS.includes(name.split('.').pop()!.toLowerCase()) && name.includes('.');
const VAL_NAMES = ['val', 'validation'];

/** Sorts the folder's files into classes and split sides (no file is read). */
export function organiseFolder(source: Pick<ImageFolderSource, 'files' | 'folders'>): OrganisedFolder {
  const files = source.files
    .map((f) => f.replace(/\\/g, '/').replace(/^\.?\/+/, ''))
    .filter((f) => f !== '' && !f.split('/').some(hidden))
    .sort(byCodePoint);
  const folders = (source.folders ?? []).map((f) => f.replace(/\\/g, '/').replace(/^\.?\/+|\/+$/g, '')).filter((f) => f && !f.split('/').some(hidden));
  const top = new Set([...files.filter((f) => f.includes('/')).map((f) => f.split('/')[0]), ...folders.map((f) => f.split('/')[0])]);
  const val = [...top].find((t) => VAL_NAMES.includes(t.toLowerCase()));
  const trainTop = [...top].find((t) => t.toLowerCase() === 'train');
  const split = val !== undefined && trainTop !== undefined ? 'folders' : 'seeded';
  const entries: FolderEntry[] = [];
  const ignored: { path: string; reason: string }[] = [];
  // The class folders (relative paths) and whether each holds an image.
  const classFolders = new Map<string, boolean>();
  const depth = split === 'folders' ? 1 : 0;
  for (const f of folders) {
    const parts = f.split('/');
    if (split === 'folders' && parts[0] !== trainTop && parts[0] !== val) continue;
    if (parts.length === depth + 1) classFolders.set(f, classFolders.get(f) ?? false);
  }
  for (const path of files) {
    const parts = path.split('/');
    if (split === 'folders' && parts[0] !== trainTop && parts[0] !== val) {
      ignored.push({ path, reason: `outside ${trainTop}/ and ${val}/` });
      continue;
    }
    if (parts.length < depth + 2) {
      ignored.push({ path, reason: split === 'folders' ? `not in a class folder of ${parts[0]}/` : 'not in a class folder' });
      continue;
    }
    const folder = parts.slice(0, depth + 1).join('/');
    if (!classFolders.has(folder)) classFolders.set(folder, false);
    if (!isImageName(parts.at(-1)!)) {
      ignored.push({ path, reason: `not an image file name (${IMAGE_EXTENSIONS.map((e) => `.${e}`).join(', ')})` });
      continue;
    }
    classFolders.set(folder, true);
    entries.push({ path, className: parts[depth], ...(split === 'folders' ? { split: parts[0] === trainTop ? 'train' : 'val' } : {}) });
  }
  const classNames = [...new Set(entries.map((e) => e.className))].sort(byCodePoint);
  const rank = new Map(classNames.map((c, i) => [c, i]));
  entries.sort((a, b) => rank.get(a.className)! - rank.get(b.className)! || byCodePoint(a.path, b.path));
  const empty = [...classFolders]
    .filter(([folder, images]) => !images && !rank.has(folder.split('/')[depth]))
    .map(([folder]) => folder)
    .sort(byCodePoint);
  return { entries, classNames, split, empty, ignored };
}
