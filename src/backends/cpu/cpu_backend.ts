import type { Attrs, Backend, KernelInput, Storage } from '../backend';
import { F16_OPERANDS, roundToF16 } from '../../numerics';
import { formatShape, sizeOf, type Shape } from '../../shape';
import type { CpuStorage } from './cpu_kernel';
import { cpuKernels } from './kernel_registry';

export interface CpuBackendOptions {
  /** 'float64' keeps every value in double precision (finite-difference gradient checks). */
  precision?: 'float32' | 'float64';
  /**
   * The reference of the GPU's f16 kernel rows (precision 'f16'): the operands those rows
   * store in f16 (numerics.ts's F16_OPERANDS: matmul's A and B, the convolution's input and
   * filter, its input gradient's dy and filter) are rounded to f16, to nearest, ties to
   * even, before the float64 sum; biases and outputs stay as they are.
   */
  f16Operands?: boolean;
}

/**
 * The reference backend: naive loops over NCHW data with float64 accumulation. It is
 * the oracle every GPU kernel is compared against, so it stays simple on purpose.
 */
export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  readonly precision: 'float32' | 'float64';
  readonly f16Operands: boolean;

  constructor(options: CpuBackendOptions = {}) {
    this.precision = options.precision ?? 'float32';
    this.f16Operands = options.f16Operands === true;
  }

  private store(values: ArrayLike<number>): CpuStorage {
    return this.precision === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  }

  upload(data: Float32Array | Float64Array): Storage {
    return this.store(data);
  }

  async read(storage: Storage): Promise<Float32Array> {
    return Float32Array.from(storage as CpuStorage);
  }

  /** The exact stored values (float64 on a float64 backend). */
  readFloat64(storage: Storage): Float64Array {
    return Float64Array.from(storage as CpuStorage);
  }

  write(storage: Storage, data: Float32Array): void {
    if (data.length !== storage.length) throw new Error(`write: ${data.length} values for a storage of ${storage.length}`);
    (storage as CpuStorage).set(data);
  }

  release(): void {
    // Garbage collection frees the array.
  }

  run(op: string, inputs: readonly KernelInput[], attrs: Attrs, outShape: Shape): Storage {
    const kernel = cpuKernels[op];
    if (!kernel) throw new Error(`${op}: the cpu backend has no kernel for this op`);
    const rounded = this.f16Operands ? F16_OPERANDS[op] : undefined;
    if (rounded) inputs = inputs.map((x, i) => (rounded.includes(i) ? { ...x, storage: Float64Array.from(x.storage as CpuStorage, roundToF16) } : x));
    const out = kernel(inputs as readonly KernelInput<CpuStorage>[], attrs, outShape);
    // In-place kernels (optimizer updates, assign) return their first input's storage.
    if (inputs.length > 0 && out === inputs[0].storage) return out as CpuStorage;
    if (out.length !== sizeOf(outShape)) {
      throw new Error(`${op}: cpu kernel returned ${out.length} values for output ${formatShape(outShape)}`);
    }
    return this.precision === 'float32' && out instanceof Float32Array ? out : this.store(out);
  }

  kernelNames(): string[] {
    return Object.keys(cpuKernels).sort();
  }
}
