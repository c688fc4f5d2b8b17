// A minimal PNG writer (8-bit grey or RGB, no filtering, one IDAT chunk): enough for the
// pictures a report embeds and the image files the tests make, with Node's own zlib.
import { crc32, deflateSync } from 'node:zlib';

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * PNG bytes of `pixels`: width x height values row by row, `channels` per pixel (1: grey,
 * 3: red, green, blue), each 0..255. `text`: tEXt chunks (keyword: Latin-1 text), e.g.
 * the run a picture belongs to.
 */
export function encodePng(pixels, width, height, channels = 1, text = {}) {
  if (channels !== 1 && channels !== 3) throw new Error(`encodePng: channels must be 1 (grey) or 3 (RGB), got ${channels}`);
  if (pixels.length !== width * height * channels)
    throw new Error(`encodePng: ${pixels.length} values for ${width}x${height} pixels of ${channels} channel(s) (need ${width * height * channels})`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  // 8 bits, colour type (0 grey, 2 RGB), deflate, no filter method, no interlace.
  ihdr.set([8, channels === 3 ? 2 : 0, 0, 0, 0], 8);
  // Each row starts with its filter type (0: none).
  const row = width * channels;
  const raw = Buffer.alloc((row + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const texts = Object.entries(text).map(([k, v]) => chunk('tEXt', Buffer.from(`${k}\0${v}`, 'latin1')));
  return Buffer.concat([signature, chunk('IHDR', ihdr), ...texts, chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** The tEXt chunks of PNG bytes, keyword to text. */
export function pngText(bytes) {
  const out = {};
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('ascii', at + 4, at + 8);
    if (type === 'tEXt') {
      const body = bytes.subarray(at + 8, at + 8 + length);
      const zero = body.indexOf(0);
      if (zero > 0) out[body.toString('latin1', 0, zero)] = body.toString('latin1', zero + 1);
    }
    if (type === 'IEND') break;
    at += 12 + length;
  }
  return out;
}
