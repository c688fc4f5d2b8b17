import type { AdamUpdateAttrs, SgdUpdateAttrs } from '../../../ops/optimizer';
import type { CpuKernel, CpuKernels } from '../cpu_kernel';

// In-place kernels: they overwrite the parameter and state arrays and return the
// parameter's own array (the CPU backend passes it through without a copy).

export const sgd_update: CpuKernel = ([param, grad, hyper, velocity], rawAttrs) => {
  const { momentum, nesterov, weightDecay, lrScale = 1 } = rawAttrs as SgdUpdateAttrs;
  const p = param.storage;
  const lr = hyper.storage[0] * lrScale;
  for (let i = 0; i < p.length; i++) {
    let step = grad.storage[i] + weightDecay * p[i];
    if (velocity) {
      const v = momentum * velocity.storage[i] + step;
      velocity.storage[i] = v;
      step = nesterov ? step + momentum * v : v;
    }
    p[i] = p[i] - lr * step;
  }
  return p;
};

export const adam_update: CpuKernel = ([param, grad, hyper, m, v], rawAttrs) => {
  const { beta1, beta2, eps, weightDecay, decoupled, lrScale = 1 } = rawAttrs as AdamUpdateAttrs;
  const p = param.storage;
  const [rate, bc1, bc2] = hyper.storage;
  const lr = rate * lrScale;
  for (let i = 0; i < p.length; i++) {
    const g = grad.storage[i] + (decoupled ? 0 : weightDecay * p[i]);
    const m1 = beta1 * m.storage[i] + (1 - beta1) * g;
    const v1 = beta2 * v.storage[i] + (1 - beta2) * g * g;
    m.storage[i] = m1;
    v.storage[i] = v1;
    const update = m1 / bc1 / (Math.sqrt(v1 / bc2) + eps) + (decoupled ? weightDecay * p[i] : 0);
    p[i] = p[i] - lr * update;
  }
  return p;
};

/** The pair ops are two single updates (the GPU does both in one dispatch). */
export const sgd_update_pair: CpuKernel = ([p1, p2, g1, g2, hyper, v1, v2], attrs, outShape) => {
  sgd_update(v2 ? [p2, g2, hyper, v2] : [p2, g2, hyper], attrs, p2.shape);
  return sgd_update(v1 ? [p1, g1, hyper, v1] : [p1, g1, hyper], attrs, outShape);
};

export const adam_update_pair: CpuKernel = ([p1, p2, g1, g2, hyper, m1, v1, m2, v2], attrs, outShape) => {
  adam_update([p2, g2, hyper, m2, v2], attrs, p2.shape);
  return adam_update([p1, g1, hyper, m1, v1], attrs, outShape);
};

export const assign: CpuKernel = ([target, value]) => {
  target.storage.set(value.storage);
  return target.storage;
};

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { adam_update, adam_update_pair, assign, sgd_update, sgd_update_pair };
