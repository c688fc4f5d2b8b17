import type { Precision } from '../backend';
import type { TuneRequest } from './autotune';
import type { AdapterTraits, GpuStorage, WebGPUKernelHost } from './kernel_host';

/**
 * Where a variant leads by default, before any timing: 'fallback' kernels were tuned on
 * SwiftShader (a CPU: register tiles, row windows, no barriers) and come first only on
 * fallback adapters; 'gpu' kernels (workgroup-memory tiles, subgroups) come first on every
 * other adapter; 'any' keeps its place in the table on both.
 */
export type Leads = 'fallback' | 'gpu' | 'any';

/**
 * One way to run a kernel family's op: a row of the family's table. `P` is the problem the
 * launcher prepares once (geometry, storages); `run` enqueues the variant's dispatches and
 * returns the output.
 */
export interface KernelVariant<P> {
  /**
   * Unique across all families: the name of the variant's main shader file, and after ':'
   * the form or setting where one shader serves several rows (`conv2d_tile8:flipped`).
   */
  readonly name: string;
  /** Every shader its dispatches run, in order: the record parity tests and the profiler read. */
  readonly shaders: readonly string[];
  readonly leads: Leads;
  /**
   * 'f16': the row stores its operands in f16 (numerics.ts's F16_OPERANDS; sums and output
   * float32). Offered only while kernels run at precision 'f16' (inference on a backend
   * created with it), and then instead of the float32 rows; never to training or the
   * tuner at float32. Forcing it by name (parity tests) runs it at any precision.
   */
  readonly precision?: 'f16';
  fits(problem: P, adapter: AdapterTraits): boolean;
  run(backend: WebGPUKernelHost, problem: P): GpuStorage;
}

/**
 * A kernel family's table for one op. `choice` 'tuned' lets the autotuner time the rows
 * that fit; 'first-fit' always runs the first that fits (rows that only specialise the
 * general kernel for a window it tiles exactly, measured faster wherever they apply).
 */
export interface KernelFamily<P> {
  /** The op name, which is also the tuner's kernel name. */
  readonly op: string;
  readonly variants: readonly KernelVariant<P>[];
  readonly choice: 'tuned' | 'first-fit';
  /** The tuning shape class of a problem (what a stored choice is keyed by). */
  shapeClass(problem: P): string;
}

const families = new Map<string, KernelFamily<unknown>>();
const variantsByName = new Map<string, { family: string; shaders: readonly string[] }>();

/** Declares a family's table (once per op); variant names must be unique across all families. */
export function defineFamily<P>(family: KernelFamily<P>): KernelFamily<P> {
  if (families.has(family.op)) throw new Error(`defineFamily: '${family.op}' is declared twice`);
  if (family.variants.length === 0) throw new Error(`defineFamily: '${family.op}' has no variants`);
  for (const v of family.variants) {
    if (variantsByName.has(v.name))
      throw new Error(`defineFamily: variant '${v.name}' of ${family.op} is also a variant of ${variantsByName.get(v.name)!.family}`);
    variantsByName.set(v.name, { family: family.op, shaders: v.shaders });
  }
  families.set(family.op, family as KernelFamily<unknown>);
  return family;
}

/** Every declared family, for tests and tools. */
export function kernelFamilies(): KernelFamily<unknown>[] {
  return [...families.values()];
}

/** The family and shaders of a variant name; throws on a name no family declares (a typo in a forced variant). */
export function variantNamed(name: string): { family: string; shaders: readonly string[] } {
  const v = variantsByName.get(name);
  if (!v) throw new Error(`no kernel variant is named '${name}' (known: ${[...variantsByName.keys()].sort().join(', ')})`);
  return v;
}

/**
 * The rows of `family` that fit `problem` on `adapter` at `precision`, in default order:
 * the table's order on fallback adapters; elsewhere the 'gpu' rows first, the others after
 * them in table order. At 'f16' the f16 rows that fit, where any does (else the float32
 * rows); at 'f32' only the float32 rows.
 */
export function offeredVariants<P>(family: KernelFamily<P>, problem: P, adapter: AdapterTraits, precision: Precision = 'f32'): KernelVariant<P>[] {
  const fitting = family.variants.filter((v) => v.fits(problem, adapter));
  const f16 = fitting.filter((v) => v.precision === 'f16');
  const rows = precision === 'f16' && f16.length > 0 ? f16 : fitting.filter((v) => v.precision !== 'f16');
  if (adapter.fallback) return rows;
  return [...rows.filter((v) => v.leads === 'gpu'), ...rows.filter((v) => v.leads !== 'gpu')];
}

/**
 * The launcher's one path: filter the table, ask the tuner, run the chosen row. A variant
 * forced by name (tests, `withVariant`) runs whatever the precision, if it fits; one this
 * family declares that does not fit throws, naming the op, the shape class and what does
 * fit: a parity row never passes on a kernel other than the one it names. The f16 rows
 * are tuned and shipped under the shape class with ' f16' appended.
 */
export function runFamily<P>(backend: WebGPUKernelHost, family: KernelFamily<P>, problem: P, request: TuneRequest): GpuStorage {
  const adapter = backend.adapterTraits;
  const offer = offeredVariants(family, problem, adapter, backend.precision);
  const f16 = offer.some((v) => v.precision === 'f16');
  const shapeClass = family.shapeClass(problem) + (f16 ? ' f16' : '');
  const forced = backend.tuner.forcedName;
  const forcedRow = forced === null ? undefined : family.variants.find((v) => v.name === forced);
  if (forcedRow) {
    if (forcedRow.fits(problem, adapter)) return forcedRow.run(backend, problem);
    const fitting = family.variants.filter((v) => v.fits(problem, adapter)).map((v) => v.name);
    throw new Error(`${family.op}: the forced variant '${forced}' does not fit ${shapeClass} on this adapter (fitting: ${fitting.join(', ')})`);
  }
  if (offer.length === 0)
    throw new Error(`${family.op}: no variant fits ${shapeClass} on this adapter (table: ${family.variants.map((v) => v.name).join(', ')})`);
  const names = offer.map((v) => v.name);
  const index = family.choice === 'first-fit' ? 0 : backend.tuner.pick(family.op, shapeClass, names, f16 ? { ...request, precision: 'f16' } : request);
  return offer[index].run(backend, problem);
}
