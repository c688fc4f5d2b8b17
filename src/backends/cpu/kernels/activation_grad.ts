import { ACTIVATION_GRAD_OPS, type ActivationGradName } from '../../../ops/activation_grad';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

/** f' in terms of x (relu family, elu) or y (sigmoid, tanh). Mirrors shaders/activation_grad.wgsl. */
const derivatives: Record<ActivationGradName, (v: number, alpha: number) => number> = {
  relu_grad: (x) => (x > 0 ? 1 : 0),
  relu6_grad: (x) => (x > 0 && x < 6 ? 1 : 0),
  leaky_relu_grad: (x, alpha) => (x > 0 ? 1 : alpha),
  elu_grad: (x, alpha) => (x > 0 ? 1 : alpha * Math.exp(x)),
  sigmoid_grad: (y) => y * (1 - y),
  tanh_grad: (y) => 1 - y * y,
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = Object.fromEntries(
  ACTIVATION_GRAD_OPS.map((name) => {
    const d = derivatives[name];
    const kernel: CpuKernel = ([v, dy], attrs) => {
      const alpha = (attrs.alpha as number | undefined) ?? 0;
      return Float64Array.from(v.storage, (x, i) => dy.storage[i] * d(x, alpha));
    };
    return [name, kernel];
  }),
);
