// Mutations of valid files for the readers' fuzzer (tests/fuzz/readers.ts): byte flips,
// truncations, appended junk, lying integers (header lengths, offsets, dims), and
// structure-aware edits of a safetensors header (JSON) and of protobuf length prefixes.
// Each mutation is a plain object drawn by fast-check, so a failing case shrinks to a
// short list and prints as something a person can read and replay.
import fc from 'fast-check';

/** Integers a lying header likes: edges of u8/u16/u32/u53/u64, off-by-ones and huge dims. */
export const INTERESTING_INTS = [
  0,
  1,
  2,
  3,
  4,
  7,
  8,
  9,
  16,
  255,
  256,
  3073,
  3074,
  65535,
  65536,
  2 ** 24,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  1e12,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 64,
];

/** A position: usually near the start (headers), sometimes anywhere; taken modulo the length. */
export const position = fc.oneof(fc.nat({ max: 16 }), fc.nat({ max: 256 }), fc.nat({ max: 4096 }), fc.nat());

/** An unsigned integer worth writing into a header field (bigint: up to 2^64 - 1). */
export const lyingUint = fc.oneof(
  fc.constantFrom(...INTERESTING_INTS.map((v) => BigInt(Math.min(v, 2 ** 64 - 1)))),
  fc.constantFrom(2n ** 64n - 1n, 2n ** 63n, 2n ** 53n + 1n),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.nat({ max: 1 << 20 }).map(BigInt),
);

export type ByteMutation =
  | { k: 'flip'; at: number; bit: number }
  | { k: 'byte'; at: number; v: number }
  | { k: 'tail'; back: number; v: number }
  | { k: 'truncate'; at: number }
  | { k: 'append'; bytes: number[] }
  | { k: 'delete'; at: number; n: number }
  | { k: 'insert'; at: number; bytes: number[] }
  | { k: 'int'; at: number; width: 1 | 2 | 4 | 8; le: boolean; v: bigint };

const junk = fc.array(fc.oneof(fc.nat({ max: 255 }), fc.constantFrom(0, 0xff, 0x7b, 0x22, 0x5b)), { minLength: 1, maxLength: 24 });

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ k: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({ k: fc.constant('byte' as const), at: position, v: fc.nat({ max: 255 }) }),
  fc.record({ k: fc.constant('tail' as const), back: fc.nat({ max: 16 }), v: fc.nat({ max: 255 }) }),
  fc.record({ k: fc.constant('truncate' as const), at: position }),
  fc.record({ k: fc.constant('append' as const), bytes: junk }),
  fc.record({ k: fc.constant('delete' as const), at: position, n: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ k: fc.constant('insert' as const), at: position, bytes: junk }),
  fc.record({
    k: fc.constant('int' as const),
    at: position,
    width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
    le: fc.boolean(),
    v: lyingUint,
  }),
);

/** Up to `max` byte mutations (often none, so structure-aware edits also reach the reader alone). */
export const byteMutations = (max = 3, noneWeight = 1) =>
  fc.oneof(
    { weight: noneWeight, arbitrary: fc.constant([] as ByteMutation[]) },
    { weight: 2, arbitrary: fc.array(byteMutation, { minLength: 1, maxLength: max }) },
  );

/** Writes `v` (low `width` bytes) at `at`, little- or big-endian, clipped to the buffer. */
export function writeUint(out: Uint8Array, at: number, width: number, le: boolean, v: bigint): void {
  for (let i = 0; i < width; i++) {
    const b = Number((v >> BigInt(8 * i)) & 0xffn);
    const p = at + (le ? i : width - 1 - i);
    if (p >= 0 && p < out.length) out[p] = b;
  }
}

/** The bytes after one mutation (a new array; the input is not changed). */
export function applyByteMutation(bytes: Uint8Array, m: ByteMutation): Uint8Array {
  const n = bytes.length;
  const at = (p: number, extra = 0) => (n + extra === 0 ? 0 : p % (n + extra));
  switch (m.k) {
    case 'flip': {
      if (n === 0) return bytes.slice();
      const out = bytes.slice();
      out[at(m.at)] ^= 1 << m.bit;
      return out;
    }
    case 'byte': {
      if (n === 0) return bytes.slice();
      const out = bytes.slice();
      out[at(m.at)] = m.v;
      return out;
    }
    case 'tail': {
      const out = bytes.slice();
      if (m.back < n) out[n - 1 - m.back] = m.v;
      return out;
    }
    case 'truncate':
      return bytes.slice(0, at(m.at));
    case 'append':
      return concatBytes(bytes, Uint8Array.from(m.bytes));
    case 'delete': {
      const p = at(m.at);
      return concatBytes(bytes.subarray(0, p), bytes.subarray(Math.min(n, p + m.n)));
    }
    case 'insert': {
      const p = at(m.at, 1);
      return concatBytes(bytes.subarray(0, p), Uint8Array.from(m.bytes), bytes.subarray(p));
    }
    case 'int': {
      const out = bytes.slice();
      writeUint(out, at(m.at), m.width, m.le, m.v);
      return out;
    }
  }
}

export function applyByteMutations(bytes: Uint8Array, ms: readonly ByteMutation[]): Uint8Array {
  return ms.reduce(applyByteMutation, bytes);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// --- JSON (a safetensors header) ---

/** Values a lying header likes: wrong dtypes, huge, negative and fractional dims, wrong types, metadata that does not parse. */
export const INTERESTING_JSON: unknown[] = [
  null,
  true,
  0,
  1,
  -1,
  -0.5,
  1.5,
  2,
  3,
  8,
  255,
  2 ** 31,
  2 ** 32,
  1e12,
  2 ** 53,
  2 ** 53 + 2,
  1e300,
  '',
  'x',
  'F32',
  'F16',
  'BF16',
  'F64',
  'I64',
  'I32',
  'I16',
  'I8',
  'U8',
  'BOOL',
  'F8_E4M3',
  'C64',
  'f32',
  'U64',
  '__proto__',
  '-5',
  '1e3',
  '1.5',
  'abc',
  '0',
  '00',
  '12',
  '9007199254740993',
  'NaN',
  'Infinity',
  '-0',
  ' 1',
  '1e400',
  'sgd',
  'adam',
  'adamw',
  'pt',
  'webgpu-cnn checkpoint 1',
  'webgpu-cnn checkpoint 2',
  [],
  [0],
  [1],
  [-1],
  [2, 3],
  [1e12, 1e12],
  [2 ** 31, 2 ** 31, 4],
  [0, 2 ** 53],
  [0, 1e300],
  [8, 0],
  ['0', '4'],
  {},
  { a: 1 },
];

/** A key a lying header likes to add: metadata fields this engine reads, and odd names. */
export const INTERESTING_KEYS = [
  '__metadata__',
  'format',
  'optimizer',
  'optimizer_steps',
  'optimizer_lr_factor',
  'epoch',
  'epoch_step',
  'epoch_loss_sum',
  'epoch_correct',
  'epoch_seen',
  'epoch_non_finite_steps',
  'epoch_seconds',
  'dtype',
  'shape',
  'data_offsets',
  '__proto__',
  'constructor',
  'x',
  '',
];

export type JsonMutation =
  | { k: 'set'; node: number; value: unknown }
  | { k: 'setKey'; node: number; key: string; value: unknown }
  | { k: 'delete'; node: number }
  | { k: 'rename'; node: number; key: string }
  | { k: 'nudge'; node: number; by: number };

const jsonValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INTERESTING_JSON) },
  { weight: 1, arbitrary: fc.integer({ min: -10, max: 1 << 20 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  fc.record({ k: fc.constant('set' as const), node: fc.nat(), value: jsonValue }),
  fc.record({ k: fc.constant('setKey' as const), node: fc.nat(), key: fc.constantFrom(...INTERESTING_KEYS), value: jsonValue }),
  fc.record({ k: fc.constant('delete' as const), node: fc.nat() }),
  fc.record({ k: fc.constant('rename' as const), node: fc.nat(), key: fc.constantFrom(...INTERESTING_KEYS) }),
  fc.record({ k: fc.constant('nudge' as const), node: fc.nat(), by: fc.constantFrom(-8, -4, -2, -1, 1, 2, 4, 8, 1024) }),
);

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number; value: unknown };

/** Every value of a JSON tree below the root, with where it sits (depth first). */
function slots(root: unknown): Slot[] {
  const out: Slot[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((c, i) => {
        out.push({ parent: v, key: i, value: c });
        visit(c);
      });
    } else if (v && typeof v === 'object') {
      for (const [k, c] of Object.entries(v)) {
        out.push({ parent: v as Record<string, unknown>, key: k, value: c });
        visit(c);
      }
    }
  };
  visit(root);
  return out;
}

/** Objects of the tree (the root first), for adding keys. */
function objects(root: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      out.push(v as Record<string, unknown>);
      Object.values(v).forEach(visit);
    }
  };
  visit(root);
  return out;
}

function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies a mutation to a JSON tree in place (`root` must be an object or array). */
export function applyJsonMutation(root: unknown, m: JsonMutation): void {
  if (m.k === 'setKey') {
    const os = objects(root);
    if (os.length > 0) setOwn(os[m.node % os.length], m.key, structuredClone(m.value));
    return;
  }
  const all = slots(root);
  if (all.length === 0) return;
  const s = all[m.node % all.length];
  const { parent, key } = s;
  if (m.k === 'set') {
    if (Array.isArray(parent)) parent[key as number] = structuredClone(m.value);
    else setOwn(parent, key as string, structuredClone(m.value));
  } else if (m.k === 'nudge') {
    if (typeof s.value !== 'number') return;
    if (Array.isArray(parent)) parent[key as number] = s.value + m.by;
    else setOwn(parent, key as string, s.value + m.by);
  } else if (m.k === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (m.k === 'rename' && !Array.isArray(parent)) {
    const value = parent[key as string];
    delete parent[key as string];
    setOwn(parent, m.key, value);
  }
}

// --- protobuf wire format ---

/** Where a length-delimited field's length varint sits, and how many bytes it takes. */
export interface LengthPrefix {
  at: number;
  size: number;
  value: number;
}

function readVarint(b: Uint8Array, at: number): { value: number; size: number } | null {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (at + i >= b.length) return null;
    const byte = b[at + i];
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (!(byte & 0x80)) return { value, size: i + 1 };
  }
  return null;
}

/**
 * The length prefixes of a protobuf message and of every length-delimited field that
 * itself parses as a message (sub-messages; strings and raw bytes usually do not),
 * walked over the wire format with no schema.
 */
export function lengthPrefixes(b: Uint8Array, start = 0, end = b.length, depth = 0, out: LengthPrefix[] = []): LengthPrefix[] | null {
  let at = start;
  const found: LengthPrefix[] = [];
  const nested: [number, number][] = [];
  while (at < end) {
    const key = readVarint(b, at);
    if (!key || key.value === 0) return null;
    at += key.size;
    const wire = key.value % 8;
    if (wire === 0) {
      const v = readVarint(b, at);
      if (!v) return null;
      at += v.size;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const len = readVarint(b, at);
      if (!len || at + len.size + len.value > end) return null;
      found.push({ at, size: len.size, value: len.value });
      nested.push([at + len.size, at + len.size + len.value]);
      at += len.size + len.value;
    } else return null;
    if (at > end) return null;
  }
  out.push(...found);
  if (depth < 8) for (const [s, e] of nested) if (e > s) lengthPrefixes(b, s, e, depth + 1, out);
  return out;
}

/** A varint's bytes. */
export function varint(v: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    const byte = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? byte | 0x80 : byte);
  } while (x);
  return out;
}

export type LengthLie = { which: number; lie: { k: 'delta'; by: number } | { k: 'value'; v: bigint } };

export const lengthLie: fc.Arbitrary<LengthLie> = fc.record({
  which: fc.nat(),
  lie: fc.oneof(
    fc.record({ k: fc.constant('delta' as const), by: fc.constantFrom(-64, -8, -2, -1, 1, 2, 8, 64, 4096) }),
    fc.record({ k: fc.constant('value' as const), v: lyingUint }),
  ),
});

/** Rewrites one length prefix of a protobuf message (the varint may change size). */
export function applyLengthLie(bytes: Uint8Array, lie: LengthLie): Uint8Array {
  const prefixes = lengthPrefixes(bytes) ?? [];
  if (prefixes.length === 0) return bytes;
  const p = prefixes[lie.which % prefixes.length];
  const value = lie.lie.k === 'delta' ? BigInt(Math.max(0, p.value + lie.lie.by)) : lie.lie.v;
  return concatBytes(bytes.subarray(0, p.at), Uint8Array.from(varint(value)), bytes.subarray(p.at + p.size));
}
