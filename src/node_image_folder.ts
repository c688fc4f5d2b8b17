// imageFolder in Node: the folder is read from the disk and decoded by Skia through
// @napi-rs/canvas (an optional peer the app installs), whose Image and canvas are the
// browser's API: the same centred square, resized by drawImage with high-quality smoothing.
import type { ImageDecoder, ImageFolder, ImageFolderOptions, ImageFolderSource } from './data/image_folder';
import { loadImageFolder } from './data/image_folder';
import { centredSquare, filesSource, type FolderFile } from './data/image_decode';

interface NapiCanvas {
  loadImage(src: Uint8Array): Promise<{ width: number; height: number }>;
  createCanvas(
    w: number,
    h: number,
  ): {
    getContext(kind: '2d'): {
      imageSmoothingEnabled: boolean;
      imageSmoothingQuality: string;
      clearRect(x: number, y: number, w: number, h: number): void;
      drawImage(img: unknown, sx: number, sy: number, sw: number, sh: number, dx: number, dy: number, dw: number, dh: number): void;
      getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
    };
  };
}

let napi: Promise<NapiCanvas> | undefined;

/** Skia's decoder (npm @napi-rs/canvas): JPEG, PNG, WebP, GIF (first frame), BMP, AVIF. */
export const nodeImageDecoder: ImageDecoder = async (bytes, _header, size) => {
  napi ??= import(/* @vite-ignore */ '@napi-rs/canvas').catch((e: Error) => {
    napi = undefined;
    throw new Error(`imageFolder: npm install @napi-rs/canvas (the image decoder in Node) first (${e.message})`);
  }) as Promise<NapiCanvas>;
  const { loadImage, createCanvas } = await napi;
  const image = await loadImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const ctx = createCanvas(size, size).getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  const { sx, sy, side } = centredSquare(image.width, image.height);
  ctx.drawImage(image, sx, sy, side, side, 0, 0, size, size);
  return ctx.getImageData(0, 0, size, size).data;
};

/** The files and sub-folders under `root` (relative, '/'-separated), for imageFolder. */
export async function diskSource(root: string): Promise<ImageFolderSource> {
  const { readdir, readFile, stat } = await import('node:fs/promises');
  const { join, relative, sep } = await import('node:path');
  const info = await stat(root).catch(() => null);
  if (!info) throw new Error(`imageFolder: ${root}: no such folder`);
  if (!info.isDirectory()) throw new Error(`imageFolder: ${root} is a file, not a folder of class folders`);
  const files: string[] = [];
  const folders: string[] = [];
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    const rel = relative(root, join(e.parentPath ?? e.path, e.name))
      .split(sep)
      .join('/');
    if (e.isDirectory()) folders.push(rel);
    else if (e.isFile()) files.push(rel);
  }
  return { name: root.replace(/\/+$/, ''), files, folders, read: async (path) => new Uint8Array(await readFile(join(root, path))) };
}

/**
 * An image folder (one subfolder per class, or train/ and val/ of them) as RGB data sets
 * at `options.size`: read from the disk at `source` (a path) and decoded in Node (see
 * loadImageFolder for the options, the split and the checks).
 */
export async function imageFolder(source: string | ImageFolderSource | readonly FolderFile[], options: ImageFolderOptions): Promise<ImageFolder> {
  const s =
    typeof source === 'string'
      ? await diskSource(source)
      : Array.isArray(source)
        ? filesSource(source as readonly FolderFile[])
        : (source as ImageFolderSource);
  return loadImageFolder(s, { decoder: nodeImageDecoder, ...options });
}
