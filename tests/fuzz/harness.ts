// The rule every fuzzed reader is held to (issue 36, "Nothing silently wrong"): it
// returns a correct result, or it throws the engine's own Error whose message names the
// file and says what is wrong. Nothing else: no RangeError or TypeError out of a typed
// array or a property read, no hang, no allocation beyond what the file's real size
// allows. A broken rule is a Violation, which fails the property.

/** A broken rule (the property fails with this message). */
export class Violation extends Error {
  override name = 'Violation';
}

export interface Limits {
  /** Longest one read may take (a hang shows as a read past this; a real hang trips the caller's watchdog). */
  ms: number;
  /** ArrayBuffer bytes one read may leave allocated, per byte of the file's real size... */
  perByte: number;
  /** ...plus this much. */
  slack: number;
}

export const DEFAULT_LIMITS: Limits = { ms: 5000, perByte: 16, slack: 32 << 20 };

/** Messages of the JavaScript runtime itself: a reader that trips one did not check its input first. */
const RUNTIME_MESSAGES =
  /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not a constructor|Invalid typed array length|Invalid array length|Maximum call stack|allocation failed|Cannot convert|out of memory|is not defined|outside the bounds of the DataView|Invalid DataView|Start offset .* is outside|Cannot mix BigInt|undefined is not|null is not/;

/** Checks a thrown value against the rule; returns it as an Error when it passes. */
export function checkEngineError(e: unknown, file: string): Error {
  if (e instanceof Violation) throw e;
  if (!(e instanceof Error)) throw new Violation(`threw a non-Error value ${String(e)}`);
  if (Object.getPrototypeOf(e) !== Error.prototype) throw new Violation(`threw ${e.constructor?.name ?? e.name}, not the engine's Error: ${e.message}`);
  if (!e.message.includes(file)) throw new Violation(`the message does not name the file '${file}': ${e.message}`);
  if (e.message.replace(file, '').trim().length < 12) throw new Violation(`the message does not say what is wrong: ${e.message}`);
  if (RUNTIME_MESSAGES.test(e.message)) throw new Violation(`the message is the JavaScript runtime's, not a check of the reader: ${e.message}`);
  return e;
}

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: Error };

const arrayBuffers = () => process.memoryUsage().arrayBuffers;

/** How reads ended: results returned, and errors by their message's shape (numbers and names blanked), for a run's summary. */
export const outcomes = { ok: 0, refused: new Map<string, number>() };

function shapeOf(message: string, file: string): string {
  return message
    .replace(file, 'FILE')
    .replace(/'[^']*'/g, "'_'")
    .replace(/"[^"]*"/g, '"_"')
    .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, 'N')
    .slice(0, 90);
}

/**
 * Runs one read under the rule's limits: time, and ArrayBuffer memory left allocated
 * (bytes a failed read allocated stay counted until a garbage collection, so a reader
 * that allocates from a lying header before checking it shows here).
 */
export async function guardedRead<R>(file: string, realSize: number, limits: Limits, read: () => R | Promise<R>): Promise<Outcome<R>> {
  const before = arrayBuffers();
  const start = performance.now();
  let out: Outcome<R>;
  try {
    out = { ok: true, value: await read() };
  } catch (e) {
    out = { ok: false, error: e as Error };
  }
  const ms = performance.now() - start;
  const grew = arrayBuffers() - before;
  if (ms > limits.ms) throw new Violation(`one read took ${ms.toFixed(0)} ms (limit ${limits.ms} ms)`);
  const allowed = limits.perByte * realSize + limits.slack;
  if (grew > allowed) throw new Violation(`one read of a ${realSize}-byte file left ${grew} bytes of ArrayBuffers allocated (limit ${allowed})`);
  if (!out.ok) {
    checkEngineError(out.error, file);
    const shape = shapeOf(out.error.message, file);
    outcomes.refused.set(shape, (outcomes.refused.get(shape) ?? 0) + 1);
  } else outcomes.ok++;
  return out;
}

/** Asserts, as a Violation. */
export function expectThat(condition: unknown, message: () => string): asserts condition {
  if (!condition) throw new Violation(message());
}

/** Same values, bit for bit where they are numbers (NaN equals NaN). */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

/** Index of the first value that differs, for messages. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return `index ${i}: ${a[i]} vs ${b[i]}`;
  return 'none';
}

/** A small deterministic generator for seed files' contents. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
