import { dropoutHash, dropoutThreshold, type DropoutAttrs } from '../../../ops/dropout';
import type { CpuKernel } from '../cpu_backend';

export const dropout: CpuKernel = ([x], rawAttrs) => {
  const { p, seed } = rawAttrs as DropoutAttrs;
  const threshold = dropoutThreshold(p);
  const scale = 1 / (1 - p);
  return Float64Array.from(x.storage, (v, i) => (dropoutHash(seed, i) >= threshold ? v * scale : 0));
};
