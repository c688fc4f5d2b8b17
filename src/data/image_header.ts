// What an image file says about itself before it is decoded: its format, its size, and
// what would make it a bad example (empty, not an image at all, truncated, CMYK, 16 bits
// per channel, too small). Only headers and chunk or marker structure are read; the
// pixels are the platform decoder's job (createImageBitmap in the browser, Skia through
// @napi-rs/canvas in Node). Both would decode a CMYK JPEG or a 16-bit PNG without a word,
// so these are refused here, the same way on both platforms.

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** A file that is not a usable image: the reason, in words. */
export class BadImageError extends Error {}

/** The smallest side imageFolder takes by default: a 1x1 or 4x4 file is a tracking pixel or an icon, not a photo. */
export const MIN_IMAGE_SIDE = 8;
/** Beyond this many pixels a decode would take gigabytes. */
const MAX_PIXELS = 1 << 28;

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));
const u16be = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u16le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u32be = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const u32le = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
const i32le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);

function need(b: Uint8Array, end: number, what: string): void {
  if (b.length < end) throw new BadImageError(`truncated ${what} (${b.length} bytes)`);
}

/**
 * Reads the header of a JPEG, PNG, WebP, GIF or BMP file and checks what makes it unusable
 * as a training image. Throws a BadImageError saying why (`empty file`, `a text file, not
 * an image`, `CMYK JPEG ...`, `16 bits per channel ...`, `1x1 pixels ...`, `truncated ...`).
 */
export function readImageHeader(bytes: Uint8Array, minSide = MIN_IMAGE_SIDE): ImageHeader {
  if (bytes.length === 0) throw new BadImageError('empty file (0 bytes)');
  const header = sniff(bytes);
  const { width, height } = header;
  if (width < minSide || height < minSide) throw new BadImageError(`${width}x${height} pixels: too small to be an example (at least ${minSide}x${minSide})`);
  if (width * height > MAX_PIXELS) throw new BadImageError(`${width}x${height} pixels: too large to decode`);
  return header;
}

function sniff(b: Uint8Array): ImageHeader {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpeg(b);
  if (b.length >= 8 && u32be(b, 0) === 0x89504e47 && u32be(b, 4) === 0x0d0a1a0a) return png(b);
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return webp(b);
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return gif(b);
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return bmp(b);
  const head = b.subarray(0, 64);
  // Text: printable ASCII, tabs and line ends (UTF-8 text with its bytes >= 0x80 too).
  if (head.every((c) => c === 9 || c === 10 || c === 13 || c >= 32)) throw new BadImageError('a text file, not an image');
  const hex = [...b.subarray(0, 4)].map((c) => c.toString(16).padStart(2, '0')).join(' ');
  throw new BadImageError(`not a JPEG, PNG, WebP, GIF or BMP file (it starts with ${hex})`);
}

/** JPEG: markers from SOI to the start of scan; the frame header (SOFn) gives size, precision and components. */
function jpeg(b: Uint8Array): ImageHeader {
  let at = 2;
  let frame: ImageHeader | null = null;
  while (at < b.length) {
    if (b[at] !== 0xff) throw new BadImageError(`corrupt JPEG: no marker at byte ${at}`);
    while (b[at] === 0xff) at++;
    const marker = b[at++];
    if (marker === undefined) break;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (marker === 0xd9) throw new BadImageError('corrupt JPEG: it ends before its image data');
    need(b, at + 2, 'JPEG segment');
    const length = u16be(b, at);
    if (length < 2) throw new BadImageError(`corrupt JPEG: a segment of length ${length}`);
    need(b, at + length, 'JPEG: it ends inside a header segment');
    // Start-of-frame markers: C0-CF but C4 (huffman tables), C8 (reserved) and CC (arithmetic conditioning).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const precision = b[at + 2];
      const components = b[at + 7];
      if (components === 4) throw new BadImageError('a CMYK (or YCCK) JPEG: 4 colour components; save it as RGB');
      if (components !== 1 && components !== 3) throw new BadImageError(`a JPEG of ${components} colour components (1 or 3 expected)`);
      if (precision !== 8) throw new BadImageError(`a ${precision}-bit JPEG (8 bits per channel expected)`);
      frame = { format: 'jpeg', width: u16be(b, at + 5), height: u16be(b, at + 3) };
    }
    if (marker === 0xda) {
      if (!frame) throw new BadImageError('corrupt JPEG: image data before the frame header');
      // The entropy-coded data never holds FF D9 (an FF there is followed by 00 or a restart marker), so EOI is the end.
      for (let i = b.length - 2; i >= at; i--) if (b[i] === 0xff && b[i + 1] === 0xd9) return frame;
      throw new BadImageError('truncated JPEG: no end-of-image marker');
    }
    at += length;
  }
  throw new BadImageError('truncated JPEG: it ends before its image data');
}

/** PNG: the IHDR chunk, then every chunk's length up to IEND. */
function png(b: Uint8Array): ImageHeader {
  need(b, 33, 'PNG header');
  if (ascii(b, 12, 4) !== 'IHDR') throw new BadImageError('corrupt PNG: the first chunk is not IHDR');
  const depth = b[24];
  const colourType = b[25];
  if (depth === 16) throw new BadImageError('a 16-bit PNG (16 bits per channel; save it with 8)');
  let at = 8;
  for (;;) {
    if (at + 8 > b.length) throw new BadImageError('truncated PNG: no IEND chunk');
    const length = u32be(b, at);
    const type = ascii(b, at + 4, 4);
    if (at + 12 + length > b.length) throw new BadImageError(`truncated PNG: its ${type} chunk runs past the end`);
    if (type === 'IEND') break;
    at += 12 + length;
  }
  if (![0, 2, 3, 4, 6].includes(colourType)) throw new BadImageError(`corrupt PNG: colour type ${colourType}`);
  return { format: 'png', width: u32be(b, 16), height: u32be(b, 20) };
}

/** WebP: the RIFF size, then the first chunk (lossy VP8, lossless VP8L, or extended VP8X). */
function webp(b: Uint8Array): ImageHeader {
  need(b, 30, 'WebP header');
  if (u32le(b, 4) + 8 > b.length) throw new BadImageError(`truncated WebP: ${b.length} of ${u32le(b, 4) + 8} bytes`);
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) throw new BadImageError('corrupt WebP: no VP8 start code');
    return { format: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) throw new BadImageError('corrupt WebP: no VP8L signature');
    const bits = u32le(b, 21);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    const w = b[24] | (b[25] << 8) | (b[26] << 16);
    const h = b[27] | (b[28] << 8) | (b[29] << 16);
    return { format: 'webp', width: w + 1, height: h + 1 };
  }
  throw new BadImageError(`corrupt WebP: unknown chunk '${chunk}'`);
}

/** GIF: the logical screen's size; the trailer byte 3B ends a whole file. */
function gif(b: Uint8Array): ImageHeader {
  need(b, 13, 'GIF header');
  if (b[b.length - 1] !== 0x3b) throw new BadImageError('truncated GIF: no trailer');
  return { format: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
}

/** BMP: the file size the header claims, and the info header's size and bits per pixel. */
function bmp(b: Uint8Array): ImageHeader {
  need(b, 26, 'BMP header');
  const size = u32le(b, 2);
  const dib = u32le(b, 14);
  if (size !== 0 && size > b.length) throw new BadImageError(`truncated BMP: ${b.length} of ${size} bytes`);
  if (dib === 12) return { format: 'bmp', width: u16le(b, 18), height: u16le(b, 20) };
  if (dib < 40) throw new BadImageError(`corrupt BMP: an info header of ${dib} bytes`);
  need(b, 30, 'BMP header');
  const bits = u16le(b, 28);
  if (bits === 64) throw new BadImageError('a 64-bit BMP (16 bits per channel)');
  return { format: 'bmp', width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
}
