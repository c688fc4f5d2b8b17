// Checks of layer options at construction, so `new Dense({ units: -3 })` fails where it
// is written, naming the layer and the option, instead of deep inside a kernel launch
// ("Invalid typed array length", "uniform 'blocks' needs a u32, got NaN").
import type { Padding } from '../ops/conv2d';

/** The names a layer's `activation` option takes (activations.ts applies them). */
export const ACTIVATIONS = ['relu', 'relu6', 'leaky_relu', 'elu', 'tanh', 'sigmoid', 'softmax', 'linear'] as const;

export type Activation = (typeof ACTIVATIONS)[number];

/** A value as the user wrote it: strings quoted, arrays and objects spelled out (never `[object Object]`). */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    try {
      return JSON.stringify(v);
    } catch {
      return Object.prototype.toString.call(v);
    }
  }
  return String(v);
}

/** The options argument itself: an object (not `new Dense(10)`). */
export function checkOptionsObject(layer: string, options: unknown, example: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${layer}: options must be an object like ${example}, got ${show(options)}`);
  }
}

export function checkPositiveInt(layer: string, option: string, v: unknown): void {
  if (!Number.isInteger(v) || (v as number) <= 0) throw new Error(`${layer}: ${option} must be a positive integer, got ${show(v)}`);
}

/** A size given as one positive integer or a [height, width] pair of them. */
export function checkPositivePair(layer: string, option: string, v: unknown): void {
  const parts = Array.isArray(v) ? v : [v];
  if (parts.length !== (Array.isArray(v) ? 2 : 1) || parts.some((p) => !Number.isInteger(p) || p <= 0)) {
    throw new Error(`${layer}: ${option} must be a positive integer or a [height, width] pair of them, got ${show(v)}`);
  }
}

export function checkPadding(layer: string, v: Padding | undefined): void {
  if (v === undefined || v === 'valid' || v === 'same') return;
  const parts: unknown[] = Array.isArray(v) ? v : [v];
  const shapeOk = Array.isArray(v) ? parts.length === 2 || parts.length === 4 : typeof v === 'number';
  if (!shapeOk || parts.some((p) => !Number.isInteger(p) || (p as number) < 0)) {
    throw new Error(`${layer}: padding must be 'valid', 'same', a non-negative integer, [h, w] or [top, left, bottom, right], got ${show(v)}`);
  }
}

export function checkActivation(layer: string, v: unknown): void {
  if (v !== undefined && !ACTIVATIONS.includes(v as Activation))
    throw new Error(`${layer}: unknown activation ${show(v)} (activations: ${ACTIVATIONS.join(', ')})`);
}

/** A number in [min, max] (max included unless `openMax`). */
export function checkRange(layer: string, option: string, v: unknown, min: number, max: number, openMax = false): void {
  if (v === undefined) return;
  const ok = typeof v === 'number' && v >= min && (openMax ? v < max : v <= max);
  if (!ok) throw new Error(`${layer}: ${option} must be in [${min}, ${max}${openMax ? ')' : ']'}, got ${show(v)}`);
}

export function checkPositive(layer: string, option: string, v: unknown): void {
  if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v)))
    throw new Error(`${layer}: ${option} must be a positive number, got ${show(v)}`);
}
