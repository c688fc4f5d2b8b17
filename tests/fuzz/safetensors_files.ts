// Safetensors files for the fuzzer, written and read here independently of
// src/io/safetensors.ts: a writer for every dtype (to make valid files of F16, BF16,
// I8, ...), the mutations of such a file (tensor-level, header JSON, header length,
// bytes), and a reference reader the readers' results are compared with.
import fc from 'fast-check';
import {
  applyByteMutations,
  applyJsonMutation,
  byteMutations,
  INTERESTING_JSON,
  INTERESTING_KEYS,
  jsonMutation,
  lyingUint,
  type ByteMutation,
  type JsonMutation,
} from './mutate';

export const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
export const DTYPES = Object.keys(DTYPE_BYTES);

export interface StTensor {
  name: string;
  dtype: string;
  shape: number[];
  values: number[];
}

export interface StFile {
  tensors: StTensor[];
  metadata: Record<string, string> | null;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function floatToHalf(v: number): number {
  f32[0] = v;
  const u = u32[0];
  const sign = (u >>> 16) & 0x8000;
  const e = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (e === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const exp = e - 127 + 15;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) return exp < -10 ? sign : sign | ((mant | 0x800000) >> (14 - exp));
  return sign | (exp << 10) | (mant >> 13);
}

const int = (v: number, lo: number, hi: number) => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.trunc(v))) : 0);

function put(view: DataView, at: number, dtype: string, v: number): void {
  switch (dtype) {
    case 'F32':
      view.setFloat32(at, v, true);
      break;
    case 'F64':
      view.setFloat64(at, v, true);
      break;
    case 'F16':
      view.setUint16(at, floatToHalf(v), true);
      break;
    case 'BF16':
      f32[0] = v;
      view.setUint16(at, u32[0] >>> 16, true);
      break;
    case 'I64':
      view.setBigInt64(at, BigInt(int(v, -(2 ** 53), 2 ** 53)), true);
      break;
    case 'I32':
      view.setInt32(at, int(v, -(2 ** 31), 2 ** 31 - 1), true);
      break;
    case 'I16':
      view.setInt16(at, int(v, -32768, 32767), true);
      break;
    case 'I8':
      view.setInt8(at, int(v, -128, 127));
      break;
    case 'U8':
      view.setUint8(at, int(v, 0, 255));
      break;
    case 'BOOL':
      view.setUint8(at, v ? 1 : 0);
      break;
  }
}

export type TensorEdit =
  | { k: 'redtype'; t: number; dtype: string }
  | { k: 'poke'; t: number; i: number; v: number }
  | { k: 'drop'; t: number }
  | { k: 'swap'; a: number; b: number };

export type HeaderLengthLie = null | { k: 'delta'; by: number } | { k: 'value'; v: bigint };

/** A metadata field set to a string (a checkpoint's optimizer_steps "-5", say). */
export type MetaEdit = { key: string; value: string };

/** One mutated file: edits of its tensors and metadata, its header JSON, its header length, then its bytes. */
export interface StCase {
  tensors: TensorEdit[];
  meta: MetaEdit[];
  json: JsonMutation[];
  headerLength: HeaderLengthLie;
  bytes: ByteMutation[];
}

const POKES = [NaN, Infinity, -Infinity, -1, -0, 0, 1e38, 1e39, 65504, 65520, 1e-45, 2 ** 31, -(2 ** 63), 0.5];

export const tensorEdit: fc.Arbitrary<TensorEdit> = fc.oneof(
  fc.record({ k: fc.constant('redtype' as const), t: fc.nat(), dtype: fc.constantFrom(...DTYPES) }),
  fc.record({ k: fc.constant('poke' as const), t: fc.nat(), i: fc.nat(), v: fc.constantFrom(...POKES) }),
  fc.record({ k: fc.constant('drop' as const), t: fc.nat() }),
  fc.record({ k: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
);

const metaValue = fc.oneof(
  fc.constantFrom(...INTERESTING_JSON.filter((v): v is string => typeof v === 'string')),
  fc.nat({ max: 20 }).map(String),
  fc.string({ maxLength: 4 }),
);

export const stCase: fc.Arbitrary<StCase> = fc.record({
  tensors: fc.array(tensorEdit, { maxLength: 3 }),
  meta: fc.array(fc.record({ key: fc.constantFrom(...INTERESTING_KEYS), value: metaValue }), { maxLength: 2 }),
  json: fc.oneof({ weight: 1, arbitrary: fc.constant([] as JsonMutation[]) }, { weight: 2, arbitrary: fc.array(jsonMutation, { minLength: 1, maxLength: 3 }) }),
  headerLength: fc.oneof(
    { weight: 10, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('delta' as const), by: fc.constantFrom(-9, -8, -1, 1, 8, 64) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('value' as const), v: lyingUint }) },
  ),
  // Mostly none: a flipped byte usually breaks the header, and the checks behind it need a readable one.
  bytes: byteMutations(3, 5),
});

/** Applies the tensor-level edits: still a consistent file, with other dtypes, values, tensors or order. */
export function editTensors(file: StFile, edits: readonly TensorEdit[], meta: readonly MetaEdit[] = []): StFile {
  const tensors = file.tensors.map((t) => ({ ...t, values: [...t.values] }));
  for (const e of edits) {
    if (tensors.length === 0) break;
    if (e.k === 'redtype') tensors[e.t % tensors.length].dtype = e.dtype;
    else if (e.k === 'poke') {
      const t = tensors[e.t % tensors.length];
      if (t.values.length > 0) t.values[e.i % t.values.length] = e.v;
    } else if (e.k === 'drop') tensors.splice(e.t % tensors.length, 1);
    else {
      const a = e.a % tensors.length;
      const b = e.b % tensors.length;
      [tensors[a], tensors[b]] = [tensors[b], tensors[a]];
    }
  }
  let metadata = file.metadata;
  if (meta.length > 0) {
    metadata = { ...metadata };
    for (const m of meta) Object.defineProperty(metadata, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return { tensors, metadata };
}

/** The header object of a file (data_offsets in the tensors' order). */
export function headerOf(file: StFile): Record<string, unknown> {
  const header: Record<string, unknown> = {};
  if (file.metadata) header.__metadata__ = { ...file.metadata };
  let offset = 0;
  for (const t of file.tensors) {
    const n = t.values.length * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + n] };
    offset += n;
  }
  return header;
}

/** The file's bytes with `header` (possibly a lie about the data) as its JSON header. */
export function writeSafetensors(file: StFile, header: unknown = headerOf(file), headerLength: HeaderLengthLie = null): Uint8Array {
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  json += ' '.repeat((8 - (encoder.encode(json).length % 8)) % 8);
  const head = encoder.encode(json);
  const dataLength = file.tensors.reduce((s, t) => s + t.values.length * DTYPE_BYTES[t.dtype], 0);
  const out = new Uint8Array(8 + head.length + dataLength);
  const view = new DataView(out.buffer);
  let length = BigInt(head.length);
  if (headerLength?.k === 'delta') length = BigInt(Math.max(0, head.length + headerLength.by));
  if (headerLength?.k === 'value') length = headerLength.v;
  view.setBigUint64(0, BigInt.asUintN(64, length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of file.tensors) {
    const size = DTYPE_BYTES[t.dtype];
    for (const v of t.values) {
      put(view, at, t.dtype, v);
      at += size;
    }
  }
  return out;
}

/** A valid file's bytes after a case's mutations. */
export function mutatedSafetensors(file: StFile, c: StCase): Uint8Array {
  const edited = editTensors(file, c.tensors, c.meta);
  const header = headerOf(edited);
  for (const m of c.json) applyJsonMutation(header, m);
  return applyByteMutations(writeSafetensors(edited, header, c.headerLength), c.bytes);
}

// --- the reference reader ---

function refHalf(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 31;
  const f = h & 1023;
  if (e === 0) return (s * f) / 2 ** 24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function refValue(view: DataView, at: number, dtype: string): number {
  switch (dtype) {
    case 'F32':
      return view.getFloat32(at, true);
    case 'F64':
      return view.getFloat64(at, true);
    case 'F16':
      return refHalf(view.getUint16(at, true));
    case 'BF16':
      u32[0] = view.getUint16(at, true) * 65536;
      return f32[0];
    case 'I64':
      return Number(view.getBigInt64(at, true));
    case 'I32':
      return view.getInt32(at, true);
    case 'I16':
      return view.getInt16(at, true);
    case 'I8':
      return view.getInt8(at);
    default:
      return view.getUint8(at);
  }
}

export interface RefTensor {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** What a safetensors file says, read without trusting it: header length, header JSON and its entries, or why not. */
export function refHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } | string {
  if (bytes.length < 8) return 'shorter than 8 bytes';
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (length > BigInt(bytes.length - 8)) return 'header length past the end';
  const n = Number(length);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    return 'header not UTF-8 JSON';
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) return 'header not an object';
  return { header: header as Record<string, unknown>, dataStart: 8 + n };
}

/** The values of a tensor as float32, decoded here. */
export function refValues(bytes: Uint8Array, dataStart: number, t: { dtype: string; begin: number; end: number }): Float32Array {
  const size = DTYPE_BYTES[t.dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart + t.begin, t.end - t.begin);
  const out = new Float32Array((t.end - t.begin) / size);
  for (let i = 0; i < out.length; i++) out[i] = refValue(view, i * size, t.dtype);
  return out;
}

/** The entry of `name` in a header, if it is a well-formed one (dtype known, dims and offsets integers that agree). */
export function refEntry(header: Record<string, unknown>, name: string, dataBytes: number): RefTensor | string {
  if (!Object.hasOwn(header, name)) return `no header entry '${name}'`;
  const e = header[name] as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  if (!e || typeof e !== 'object') return `entry '${name}' is not an object`;
  if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) return `entry '${name}' has dtype ${JSON.stringify(e.dtype)}`;
  if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `entry '${name}' has shape ${JSON.stringify(e.shape)}`;
  const o = e.data_offsets;
  if (!Array.isArray(o) || o.length !== 2 || !o.every((d) => Number.isSafeInteger(d) && d >= 0)) return `entry '${name}' has data_offsets ${JSON.stringify(o)}`;
  const count = (e.shape as number[]).reduce((a, b) => a * b, 1);
  if (o[1] - o[0] !== count * DTYPE_BYTES[e.dtype]) return `entry '${name}': offsets hold ${o[1] - o[0]} bytes for ${count} values of ${e.dtype}`;
  if (o[1] > dataBytes) return `entry '${name}' ends past the data`;
  return { name, dtype: e.dtype, shape: e.shape as number[], begin: o[0], end: o[1] };
}
