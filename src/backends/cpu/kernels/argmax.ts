import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** First index of the row maximum (strict >, so ties keep the first). */
export const argmax: CpuKernel = ([x]) => {
  const [rows, cols] = x.shape;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = x.storage[r * cols];
    let at = 0;
    for (let c = 1; c < cols; c++) {
      const value = x.storage[r * cols + c];
      if (value > best) {
        best = value;
        at = c;
      }
    }
    out[r] = at;
  }
  return out;
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { argmax };
