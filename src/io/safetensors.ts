import { formatShape, sizeOf, type Shape } from '../shape';

/** The safetensors dtypes this engine reads (values arrive as float32) and writes (F32, and I64 for counters). */
export const SAFETENSORS_DTYPES = ['F32', 'F16', 'BF16', 'F64', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Whether a dtype holds integers (or booleans): a weight of such a dtype is a wrong file, not a rounding. */
export function isIntegerDtype(dtype: SafetensorsDtype): boolean {
  return !dtype.startsWith('F') && dtype !== 'BF16';
}

/** One named tensor of a safetensors file, its values as float32. */
export interface NamedArray {
  readonly name: string;
  readonly shape: Shape;
  readonly data: Float32Array;
  /** The dtype in the file (default F32). Written: F32 or I64 (integers, as PyTorch's num_batches_tracked). */
  readonly dtype?: SafetensorsDtype;
}

export interface SafetensorsFile {
  readonly tensors: NamedArray[];
  readonly metadata: Record<string, string>;
}

/** IEEE half precision to float (exact: every half is a float). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Decodes `count` values of `dtype` starting at byte `at` into float32 (F64 and large integers round). */
function decode(view: DataView, at: number, count: number, dtype: SafetensorsDtype): Float32Array {
  const out = new Float32Array(count);
  const word = new Uint32Array(1);
  const asFloat = new Float32Array(word.buffer);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'F32':
        out[i] = view.getFloat32(at + i * 4, true);
        break;
      case 'F64':
        out[i] = view.getFloat64(at + i * 8, true);
        break;
      case 'F16':
        out[i] = halfToFloat(view.getUint16(at + i * 2, true));
        break;
      // NOTE: bfloat16 is the top half of a float32.
      case 'BF16':
        word[0] = view.getUint16(at + i * 2, true) << 16;
        out[i] = asFloat[0];
        break;
      case 'I64':
        out[i] = Number(view.getBigInt64(at + i * 8, true));
        break;
      case 'I32':
        out[i] = view.getInt32(at + i * 4, true);
        break;
      case 'I16':
        out[i] = view.getInt16(at + i * 2, true);
        break;
      case 'I8':
        out[i] = view.getInt8(at + i);
        break;
      case 'U8':
      case 'BOOL':
        out[i] = view.getUint8(at + i);
        break;
    }
  }
  return out;
}

/**
 * Writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * (dtype, shape and byte offsets of each tensor, plus string metadata) padded with
 * spaces to 8 bytes, then the tensors' little-endian bytes back to back.
 */
export function serializeSafetensors(tensors: readonly NamedArray[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    const dtype = t.dtype ?? 'F32';
    if (dtype !== 'F32' && dtype !== 'I64') throw new Error(`safetensors: '${t.name}' asks for dtype ${dtype}; only F32 and I64 are written`);
    if (seen.has(t.name)) throw new Error(`safetensors: tensor '${t.name}' appears twice`);
    seen.add(t.name);
    if (t.data.length !== sizeOf(t.shape)) throw new Error(`safetensors: '${t.name}' has ${t.data.length} values for shape ${formatShape(t.shape)}`);
    header[t.name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + t.data.length * BYTES[dtype]] };
    offset += t.data.length * BYTES[dtype];
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    if ((t.dtype ?? 'F32') === 'I64') {
      for (let i = 0; i < t.data.length; i++) view.setBigInt64(at + i * 8, BigInt(Math.round(t.data[i])), true);
      at += t.data.length * 8;
    } else {
      for (let i = 0; i < t.data.length; i++) view.setFloat32(at + i * 4, t.data[i], true);
      at += t.data.length * 4;
    }
  }
  return out;
}

/** The JSON header of a safetensors file and its string metadata, checked; the tensors' bytes are not read. */
function readHeader(bytes: Uint8Array, file: string): { header: Record<string, unknown>; metadata: Record<string, string>; headerLength: number } {
  if (bytes.length < 8) throw new Error(`${file}: ${bytes.length} bytes is too short for a safetensors file (8-byte header length missing)`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  if (headerLength > bytes.length - 8)
    throw new Error(`${file}: header length ${headerLength} exceeds the file's remaining ${bytes.length - 8} bytes (truncated or not safetensors)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new Error(`${file}: the ${headerLength}-byte header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error(`${file}: the header must be a JSON object`);
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw new Error(`${file}: __metadata__ must be an object of strings, got ${JSON.stringify(metadata)}`);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string')
      throw new Error(`${file}: metadata field '${key}' must be a string (safetensors metadata maps strings to strings), got ${JSON.stringify(value)}`);
  }
  return { header, metadata, headerLength };
}

/** The string metadata of a safetensors file (its header alone is read and checked). */
export function safetensorsMetadata(bytes: Uint8Array, file: string): Record<string, string> {
  return readHeader(bytes, file).metadata;
}

/**
 * Reads a safetensors file, checking everything before returning anything: header
 * length, JSON, dtypes, shapes against byte ranges, ranges inside the buffer, no
 * overlaps or gaps. Values come back as float32 with the file's dtype beside them.
 * Errors name the file, the tensor and the bytes.
 */
export function parseSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  const { header, metadata, headerLength } = readHeader(bytes, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataStart = 8 + headerLength;
  const dataBytes = bytes.length - dataStart;
  const entries = Object.entries(header).filter(([k]) => k !== '__metadata__');
  const ranges: [number, number, string][] = [];
  const checked: { name: string; shape: number[]; begin: number; dtype: SafetensorsDtype }[] = [];
  for (const [name, raw] of entries) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new Error(`${file}: tensor '${name}' has header entry ${JSON.stringify(raw).slice(0, 80)}; expected an object { dtype, shape, data_offsets }`);
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!SAFETENSORS_DTYPES.includes(e.dtype as SafetensorsDtype))
      throw new Error(`${file}: tensor '${name}' has dtype ${JSON.stringify(e.dtype)}; supported: ${SAFETENSORS_DTYPES.join(', ')}`);
    const dtype = e.dtype as SafetensorsDtype;
    // Dims and offsets are u64 in the format; past 2^53 a JSON number no longer says which integer it is.
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw new Error(`${file}: tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)} (dims must be integers from 0 to 2^53 - 1)`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0) || offsets[1] < offsets[0]) {
      throw new Error(`${file}: tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const shape = e.shape as number[];
    const need = sizeOf(shape) * BYTES[dtype];
    if (end - begin !== need)
      throw new Error(
        `${file}: tensor '${name}' (${dtype}) of shape ${formatShape(shape)} needs ${need} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    if (end > dataBytes) throw new Error(`${file}: tensor '${name}' ends at byte ${end} of the data but the file has only ${dataBytes} data bytes (truncated)`);
    ranges.push([begin, end, name]);
    checked.push({ name, shape, begin, dtype });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let expected = 0;
  for (const [begin, end, name] of ranges) {
    if (begin !== expected) throw new Error(`${file}: tensor '${name}' starts at byte ${begin}, expected ${expected} (overlapping or gapped data)`);
    expected = end;
  }
  if (expected !== dataBytes) throw new Error(`${file}: ${dataBytes - expected} data bytes after the last tensor`);
  const tensors = checked.map(({ name, shape, begin, dtype }) => ({ name, shape, dtype, data: decode(view, dataStart + begin, sizeOf(shape), dtype) }));
  return { tensors, metadata };
}
