// The browser's image decoder for imageFolder: createImageBitmap decodes whatever the
// browser does (JPEG, PNG, WebP, GIF's first frame, BMP, AVIF), an OffscreenCanvas resizes.
import type { ImageDecoder, ImageFolderOptions, ImageFolderSource } from './image_folder';
import { loadImageFolder, type ImageFolder } from './image_folder';

/** The square of side min(width, height) at the image's centre: what is resized to the model's size. */
export function centredSquare(width: number, height: number): { sx: number; sy: number; side: number } {
  const side = Math.min(width, height);
  return { sx: (width - side) / 2, sy: (height - side) / 2, side };
}

/**
 * Decodes with createImageBitmap (no colour-space conversion, alpha not premultiplied)
 * and draws the centred square at `size` x `size` with high-quality smoothing on an
 * OffscreenCanvas; transparent pixels come out black. Browsers and workers.
 */
export const browserImageDecoder: ImageDecoder = async (bytes, _header, size) => {
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function')
    throw new Error('imageFolder: this platform has no createImageBitmap and OffscreenCanvas; in Node, import imageFolder from webgpu-cnn-engine/node');
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(size, size);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('imageFolder: OffscreenCanvas has no 2d context');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    const { sx, sy, side } = centredSquare(bitmap.width, bitmap.height);
    ctx.drawImage(bitmap, sx, sy, side, side, 0, 0, size, size);
    return ctx.getImageData(0, 0, size, size).data;
  } finally {
    bitmap.close();
  }
};

/** A picked file: its path in the folder (a File's webkitRelativePath) and bytes, or a File itself. */
export type FolderFile = { path: string; bytes: Uint8Array } | File;

/**
 * A source of files already in hand (a directory picker's or a drop's Files, or bytes with
 * their paths). A common first folder (the picked folder's own name) is taken off the paths.
 */
export function filesSource(files: readonly FolderFile[], name?: string): ImageFolderSource {
  const isFile = (f: FolderFile): f is File => typeof Blob !== 'undefined' && f instanceof Blob;
  const pathOf = (f: FolderFile) => (isFile(f) ? f.webkitRelativePath || f.name : f.path).replace(/\\/g, '/').replace(/^\/+/, '');
  const paths = files.map(pathOf);
  const first = paths[0]?.split('/')[0];
  const common = first !== undefined && paths.every((p) => p.includes('/') && p.split('/')[0] === first) && paths.some((p) => p.split('/').length > 2);
  const relative = common ? paths.map((p) => p.slice(first.length + 1)) : paths;
  const byPath = new Map(relative.map((p, i) => [p, files[i]]));
  return {
    name: name ?? (common ? first : 'folder'),
    files: relative,
    read: async (path) => {
      const f = byPath.get(path);
      if (!f) throw new Error(`imageFolder: no file ${path}`);
      return isFile(f) ? new Uint8Array(await f.arrayBuffer()) : f.bytes;
    },
  };
}

/**
 * An image folder (one subfolder per class, or train/ and val/ of them) as RGB data sets at
 * `options.size`, decoded by the browser: see loadImageFolder. `source` is the folder's
 * files (a directory picker's Files, or paths with bytes) or an ImageFolderSource.
 */
export function imageFolder(source: ImageFolderSource | readonly FolderFile[], options: ImageFolderOptions): Promise<ImageFolder> {
  const s = Array.isArray(source) ? filesSource(source as readonly FolderFile[]) : (source as ImageFolderSource);
  return loadImageFolder(s, { decoder: browserImageDecoder, ...options });
}
