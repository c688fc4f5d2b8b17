import type { Dataset } from './dataset';

/**
 * IDX files (MNIST, Fashion-MNIST): big-endian magic 0x00 0x00 type ndim, then ndim
 * u32 sizes, then the data. Images are type 0x08 (u8) with ndim 3, labels u8 ndim 1.
 */
export interface IdxArray {
  readonly dims: number[];
  readonly data: Uint8Array;
}

/** True when the bytes start with gzip's magic 1f 8b. */
export const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Gunzips with the platform's DecompressionStream (browsers, Node 18+). */
export async function gunzip(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`${file}: not a valid gzip stream (${(e as Error).message}); the file may be truncated or corrupt`);
  }
}

/** Parses an IDX file (gunzipped first when it is gzip), checking magic, sizes and length. */
export async function parseIdx(raw: Uint8Array, file: string): Promise<IdxArray> {
  const bytes = isGzip(raw) ? await gunzip(raw, file) : raw;
  if (bytes.length < 4) throw new Error(`${file}: ${bytes.length} bytes is too short for an IDX header`);
  const hex = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${file}: bad IDX magic ${hex} (expected 00 00 08 0n)`);
  if (bytes[2] !== 0x08) throw new Error(`${file}: IDX element type 0x${bytes[2].toString(16)} is not unsigned bytes (0x08); magic ${hex}`);
  const ndim = bytes[3];
  if (ndim < 1 || ndim > 4) throw new Error(`${file}: IDX rank ${ndim} not supported (magic ${hex})`);
  const header = 4 + 4 * ndim;
  if (bytes.length < header) throw new Error(`${file}: truncated IDX header (${bytes.length} bytes, header needs ${header})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - header !== count) {
    throw new Error(
      `${file}: IDX dims [${dims.join(', ')}] need ${count} data bytes, the file has ${bytes.length - header}${bytes.length - header < count ? ' (truncated)' : ' (trailing bytes)'}`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/**
 * An image file and a label file as a dataset of [1, rows, cols] images scaled to
 * [0, 1]. Counts must agree and labels must be classes in [0, classes).
 */
export function idxDataset(images: IdxArray, labels: IdxArray, files: [string, string], classes = 10): Dataset {
  if (images.dims.length !== 3) throw new Error(`${files[0]}: an image file has 3 dims [count, rows, cols], got [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1) throw new Error(`${files[1]}: a label file has 1 dim [count], got [${labels.dims.join(', ')}]`);
  const [count, rows, cols] = images.dims;
  if (count === 0 || rows === 0 || cols === 0)
    throw new Error(`${files[0]}: IDX dims [${images.dims.join(', ')}] hold no images (${count} images of ${rows}x${cols})`);
  if (labels.dims[0] !== count) throw new Error(`${files[0]} has ${count} images but ${files[1]} has ${labels.dims[0]} labels`);
  const bad = labels.data.findIndex((l) => l >= classes);
  if (bad >= 0) throw new Error(`${files[1]}: label ${labels.data[bad]} at index ${bad} is not a class in [0, ${classes})`);
  const values = new Float32Array(images.data.length);
  for (let i = 0; i < values.length; i++) values[i] = images.data[i] / 255;
  return { images: values, labels: labels.data, shape: [1, rows, cols], classes, count };
}
