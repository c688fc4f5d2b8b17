import { formatShape, sizeOf, type Shape } from '../shape';

/** One named float32 tensor of a safetensors file. */
export interface NamedArray {
  readonly name: string;
  readonly shape: Shape;
  readonly data: Float32Array;
}

export interface SafetensorsFile {
  readonly tensors: NamedArray[];
  readonly metadata: Record<string, string>;
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
    if (seen.has(t.name)) throw new Error(`safetensors: tensor '${t.name}' appears twice`);
    seen.add(t.name);
    if (t.data.length !== sizeOf(t.shape)) throw new Error(`safetensors: '${t.name}' has ${t.data.length} values for shape ${formatShape(t.shape)}`);
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
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
    for (let i = 0; i < t.data.length; i++) view.setFloat32(at + i * 4, t.data[i], true);
    at += t.data.length * 4;
  }
  return out;
}

/**
 * Reads a safetensors file, checking everything before returning anything: header
 * length, JSON, dtypes (F32 only), shapes against byte ranges, ranges inside the
 * buffer, no overlaps or gaps. Errors name the file, the tensor and the bytes.
 */
export function parseSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  if (bytes.length < 8) throw new Error(`${file}: ${bytes.length} bytes is too short for a safetensors file (8-byte header length missing)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) throw new Error(`${file}: header length ${headerLength} exceeds the file's remaining ${bytes.length - 8} bytes (truncated or not safetensors)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new Error(`${file}: the ${headerLength}-byte header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error(`${file}: the header must be a JSON object`);
  const dataStart = 8 + headerLength;
  const dataBytes = bytes.length - dataStart;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new Error(`${file}: __metadata__ must be an object of strings, got ${JSON.stringify(metadata)}`);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new Error(`${file}: metadata field '${key}' must be a string (safetensors metadata maps strings to strings), got ${JSON.stringify(value)}`);
  }
  const entries = Object.entries(header).filter(([k]) => k !== '__metadata__');
  const ranges: [number, number, string][] = [];
  const tensors: NamedArray[] = [];
  for (const [name, raw] of entries) {
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32') throw new Error(`${file}: tensor '${name}' has dtype ${JSON.stringify(e.dtype)}; only F32 is supported`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`${file}: tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isInteger(o) || o < 0) || offsets[1] < offsets[0]) {
      throw new Error(`${file}: tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const shape = e.shape as number[];
    if (end - begin !== sizeOf(shape) * 4) throw new Error(`${file}: tensor '${name}' of shape ${formatShape(shape)} needs ${sizeOf(shape) * 4} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    if (end > dataBytes) throw new Error(`${file}: tensor '${name}' ends at byte ${end} of the data but the file has only ${dataBytes} data bytes (truncated)`);
    ranges.push([begin, end, name]);
    const data = new Float32Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(dataStart + begin + i * 4, true);
    tensors.push({ name, shape, data });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let expected = 0;
  for (const [begin, end, name] of ranges) {
    if (begin !== expected) throw new Error(`${file}: tensor '${name}' starts at byte ${begin}, expected ${expected} (overlapping or gapped data)`);
    expected = end;
  }
  if (expected !== dataBytes) throw new Error(`${file}: ${dataBytes - expected} data bytes after the last tensor`);
  return { tensors, metadata };
}
