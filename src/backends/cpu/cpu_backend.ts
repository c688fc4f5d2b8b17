import type { Attrs, Backend, KernelInput, Storage } from '../backend';
import { formatShape, sizeOf, type Shape } from '../../shape';
import { cpuKernels } from './kernels';

/** CPU storage is a plain Float32Array. */
export type CpuStorage = Float32Array & Storage;

/** A CPU kernel: reads its inputs' arrays and returns a new array for the output. */
export type CpuKernel = (inputs: readonly KernelInput<CpuStorage>[], attrs: Attrs, outShape: Shape) => Float32Array;

/**
 * The reference backend: naive loops over NCHW data with float64 accumulation. It is
 * the oracle every GPU kernel is compared against, so it stays simple on purpose.
 */
export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;

  upload(data: Float32Array): Storage {
    return new Float32Array(data);
  }

  async read(storage: Storage): Promise<Float32Array> {
    return new Float32Array(storage as CpuStorage);
  }

  release(): void {
    // Garbage collection frees the array.
  }

  run(op: string, inputs: readonly KernelInput[], attrs: Attrs, outShape: Shape): Storage {
    const kernel = cpuKernels[op];
    if (!kernel) throw new Error(`${op}: the cpu backend has no kernel for this op`);
    const out = kernel(inputs as readonly KernelInput<CpuStorage>[], attrs, outShape);
    if (out.length !== sizeOf(outShape)) {
      throw new Error(`${op}: cpu kernel returned ${out.length} values for output ${formatShape(outShape)}`);
    }
    return out;
  }

  kernelNames(): string[] {
    return Object.keys(cpuKernels).sort();
  }
}
