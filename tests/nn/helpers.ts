import type { Dataset } from '../../src/data/dataset';
import { Random } from '../../src/random';

/**
 * A learnable synthetic image set: class k has a bright k-th stripe (rows) plus noise,
 * so a small CNN separates it in a few steps while chance is 1/classes.
 */
export function stripes(count: number, classes = 4, size = 8, seed = 1): Dataset {
  const rng = new Random(seed);
  const images = new Float32Array(count * size * size);
  const labels = new Uint8Array(count);
  const band = Math.floor(size / classes);
  for (let i = 0; i < count; i++) {
    const k = Math.floor(rng.next() * classes);
    labels[i] = k;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const on = Math.floor(y / band) === k ? 1 : 0;
        images[i * size * size + y * size + x] = on + 0.3 * rng.normal();
      }
    }
  }
  return { images, labels, shape: [1, size, size], classes, count };
}
