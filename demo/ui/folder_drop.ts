// A folder of images handed to a page, as the ImageFolderSource imageFolder reads: dropped
// (DataTransferItem.webkitGetAsEntry, its directories walked with createReader) or picked
// with <input type="file" webkitdirectory> (each File's webkitRelativePath). Files are read
// only when imageFolder asks for them.
import type { ImageFolderSource } from '../../src/data/image_folder';

/** A file found in the folder: its path below the drop (or the picked folder) and the File. */
interface Found {
  path: string;
  file: File;
}

/** What of FileSystemEntry the walk uses (a drop's entries; tests make their own). */
export interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath: string;
  file?(ok: (f: File) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: EntryLike[]) => void, fail: (e: unknown) => void): void };
}

/** Every file and directory below `entry` (readEntries gives a directory's entries in batches, until an empty one). */
async function walk(entry: EntryLike, files: Found[], folders: string[]): Promise<void> {
  const path = entry.fullPath.replace(/^\/+/, '');
  if (entry.isFile && entry.file) {
    files.push({ path, file: await new Promise<File>((ok, fail) => entry.file!(ok, fail)) });
  } else if (entry.isDirectory && entry.createReader) {
    folders.push(path);
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise<EntryLike[]>((ok, fail) => reader.readEntries(ok, fail));
      if (batch.length === 0) break;
      for (const e of batch) await walk(e, files, folders);
    }
  }
}

/**
 * The source of found files: when they all lie in one top folder (the folder dropped or
 * picked), paths are taken relative to it and it names the source; otherwise (several
 * class folders dropped at once) they stay as they are.
 */
function sourceOf(found: Found[], folders: string[], fallback: string): ImageFolderSource {
  if (found.length === 0) throw new Error('the folder holds no files: give a folder with one subfolder of images per class');
  const top = found[0].path.split('/')[0];
  const common = found.every((f) => f.path.startsWith(`${top}/`)) && found.some((f) => f.path.split('/').length > 2);
  const cut = (p: string) => (common ? p.slice(top.length + 1) : p);
  const byPath = new Map(found.map((f) => [cut(f.path), f.file]));
  return {
    name: common ? top : fallback,
    files: [...byPath.keys()],
    folders: folders.filter((f) => !common || f.startsWith(`${top}/`)).map(cut),
    read: async (path) => {
      const file = byPath.get(path);
      if (!file) throw new Error(`no file ${path} in the folder`);
      return new Uint8Array(await file.arrayBuffer());
    },
  };
}

/**
 * The entries of a drop's items, taken at once: a DataTransfer's items are gone once the
 * drop event returns. Items that are not files (dragged text) give none.
 */
export function dropEntries(items: ArrayLike<{ kind: string; webkitGetAsEntry(): EntryLike | null }>): EntryLike[] {
  return Array.from(items)
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry())
    .filter((e): e is EntryLike => e !== null);
}

/** A dropped folder (or several class folders dropped together) as a source. */
export async function droppedFolder(entries: readonly EntryLike[]): Promise<ImageFolderSource> {
  if (entries.length === 0) throw new Error('nothing to read in the drop: drop a folder with one subfolder of images per class');
  const files: Found[] = [];
  const folders: string[] = [];
  for (const e of entries) await walk(e, files, folders);
  return sourceOf(files, folders, 'dropped folders');
}

/** The files of a directory picker (<input type="file" webkitdirectory>) as a source. */
export function pickedFolder(files: readonly File[]): ImageFolderSource {
  return sourceOf(
    files.map((file) => ({ path: (file.webkitRelativePath || file.name).replace(/^\/+/, ''), file })),
    [],
    'picked folder',
  );
}

/**
 * Takes folders dropped on `zone` (anywhere else a drop is ignored, not opened in the tab)
 * or picked with `picker` (a webkitdirectory input), and hands each as a source to `use`.
 */
export function acceptFolders(zone: HTMLElement, picker: HTMLInputElement, use: (source: Promise<ImageFolderSource>) => void): void {
  for (const type of ['dragover', 'drop']) document.addEventListener(type, (e) => e.preventDefault());
  zone.ondragover = () => zone.classList.add('over');
  zone.ondragleave = () => zone.classList.remove('over');
  zone.ondrop = (e) => {
    zone.classList.remove('over');
    // The items are readable only while the event runs: their entries are taken now.
    use(droppedFolder(dropEntries((e.dataTransfer?.items ?? []) as unknown as Parameters<typeof dropEntries>[0])));
  };
  picker.onchange = () => {
    const files = [...(picker.files ?? [])];
    if (files.length) use(Promise.resolve().then(() => pickedFolder(files)));
  };
}
