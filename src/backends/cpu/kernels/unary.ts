import { defaultAlpha, UNARY_OPS, type UnaryAttrs, type UnaryOpName } from '../../../ops/unary';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** The math of every unary op, in float64. Mirrors `apply` in shaders/unary.wgsl. */
export const unaryFunctions: Record<UnaryOpName, (x: number, alpha: number) => number> = {
  neg: (x) => -x,
  abs: (x) => Math.abs(x),
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  sqrt: (x) => Math.sqrt(x),
  rsqrt: (x) => 1 / Math.sqrt(x),
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  sign: (x) => Math.sign(x),
  relu: (x) => Math.max(x, 0),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: (x) => Math.tanh(x),
  relu6: (x) => Math.min(Math.max(x, 0), 6),
  leaky_relu: (x, alpha) => (x > 0 ? x : alpha * x),
  elu: (x, alpha) => (x > 0 ? x : alpha * Math.expm1(x)),
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = Object.fromEntries(
  UNARY_OPS.map((name) => {
    const f = unaryFunctions[name];
    const kernel: CpuKernel = ([x], attrs) => {
      const alpha = (attrs as UnaryAttrs).alpha ?? defaultAlpha(name);
      return Float64Array.from(x.storage, (v) => f(v, alpha));
    };
    return [name, kernel];
  }),
);
