import { dropoutHash, dropoutSeed, dropoutThreshold, type DropoutAttrs } from '../../../ops/dropout';
import type { CpuKernel } from '../cpu_backend';

export const dropout: CpuKernel = ([x, step], rawAttrs) => {
  const { p } = rawAttrs as DropoutAttrs;
  const seed = dropoutSeed((rawAttrs as DropoutAttrs).seed, step ? step.storage[0] : 0);
  const threshold = dropoutThreshold(p);
  const scale = 1 / (1 - p);
  return Float64Array.from(x.storage, (v, i) => (dropoutHash(seed, i) >= threshold ? v * scale : 0));
};
