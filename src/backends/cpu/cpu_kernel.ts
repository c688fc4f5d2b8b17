// The CPU kernel contract, on its own: kernels import these types, never CpuBackend,
// which reads their tables (kernel_registry.ts), so no kernel imports the backend that
// imports it.
import type { Attrs, KernelInput, Storage } from '../backend';
import type { Shape } from '../../shape';

/** CPU storage is a plain typed array: float32 normally, float64 for gradient checks. */
export type CpuStorage = (Float32Array | Float64Array) & Storage;

/**
 * A CPU kernel: reads its inputs' arrays and returns a new array for the output,
 * computed in float64; the backend rounds it to its precision.
 */
export type CpuKernel = (inputs: readonly KernelInput<CpuStorage>[], attrs: Attrs, outShape: Shape) => Float64Array | Float32Array;

/** What each module under kernels/ exports as `kernels`: its kernels by op name (kernel_registry.ts collects them). */
export type CpuKernels = Readonly<Record<string, CpuKernel>>;
