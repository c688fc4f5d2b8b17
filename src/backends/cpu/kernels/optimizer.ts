import type { AdamUpdateAttrs, SgdUpdateAttrs } from '../../../ops/optimizer';
import type { CpuKernel } from '../cpu_backend';

// In-place kernels: they overwrite the parameter and state arrays and return the
// parameter's own array (the CPU backend passes it through without a copy).

export const sgd_update: CpuKernel = ([param, grad, hyper, velocity], rawAttrs) => {
  const { momentum, nesterov, weightDecay } = rawAttrs as SgdUpdateAttrs;
  const p = param.storage;
  const lr = hyper.storage[0];
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
  const { beta1, beta2, eps, weightDecay, decoupled } = rawAttrs as AdamUpdateAttrs;
  const p = param.storage;
  const [lr, bc1, bc2] = hyper.storage;
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

export const assign: CpuKernel = ([target, value]) => {
  target.storage.set(value.storage);
  return target.storage;
};
