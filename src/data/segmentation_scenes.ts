// A segmentation data set made from a classification one, since none can be had here:
// scenes of size x size pixels holding 1-4 items (Fashion-MNIST images) placed without
// overlap, each pixel labelled with its item's class + 1 where the item's ink is above a
// threshold, else 0 (background). Deterministic from the seed; nothing is written.
import { formatShape } from '../shape';
import { Random } from '../random';
import type { Dataset } from './dataset';

export interface SegmentationScenesOptions {
  /** Scenes to make. */
  count: number;
  /** Scene height and width (default 64). */
  size?: number;
  /** Fewest and most items per scene (default [1, 4]). */
  items?: readonly [number, number];
  /** Ink above this (the source's pixel scale, 0..1 for Fashion-MNIST) labels a pixel with its item's class (default 0.2). */
  threshold?: number;
  seed?: number;
}

/**
 * Scenes as a Dataset: `images` [count, 1, size, size], and the label maps as `targets`
 * [count, size, size] (class + 1 per pixel, 0 for background; `classes` is the source's
 * classes + 1). `labels` is empty: the labels are per pixel.
 */
export function segmentationScenes(source: Dataset, options: SegmentationScenesOptions): Dataset {
  const size = options.size ?? 64;
  const [fewest, most] = options.items ?? [1, 4];
  const threshold = options.threshold ?? 0.2;
  const [channels, ih, iw] = source.shape;
  const name = 'segmentationScenes';
  if (channels !== 1) throw new Error(`${name}: the source must be one-channel images, got examples of ${formatShape(source.shape)}`);
  if (ih > size || iw > size) throw new Error(`${name}: ${ih}x${iw} items do not fit a ${size}x${size} scene`);
  if (!Number.isInteger(options.count) || options.count < 1) throw new Error(`${name}: count must be a positive integer, got ${options.count}`);
  if (!Number.isInteger(fewest) || !Number.isInteger(most) || fewest < 1 || most < fewest)
    throw new Error(`${name}: items must be [fewest, most] with 1 <= fewest <= most, got [${fewest}, ${most}]`);
  if (source.count === 0 || source.labels.length !== source.count)
    throw new Error(`${name}: the source needs labelled examples (got ${source.count} examples, ${source.labels.length} labels)`);
  const rng = new Random(options.seed ?? 1);
  const plane = size * size;
  const images = new Float32Array(options.count * plane);
  const targets = new Float32Array(options.count * plane);
  for (let s = 0; s < options.count; s++) {
    const wanted = fewest + Math.floor(rng.next() * (most - fewest + 1));
    const boxes: [number, number][] = [];
    // Rejection sampling of positions whose boxes do not overlap; a crowded scene keeps fewer items.
    for (let tries = 0; boxes.length < wanted && tries < 200; tries++) {
      const top = Math.floor(rng.next() * (size - ih + 1));
      const left = Math.floor(rng.next() * (size - iw + 1));
      if (boxes.some(([t, l]) => top < t + ih && t < top + ih && left < l + iw && l < left + iw)) continue;
      boxes.push([top, left]);
      const k = Math.floor(rng.next() * source.count);
      const label = source.labels[k] + 1;
      for (let y = 0; y < ih; y++) {
        for (let x = 0; x < iw; x++) {
          const v = source.images[k * ih * iw + y * iw + x];
          const at = s * plane + (top + y) * size + left + x;
          images[at] = v;
          if (v > threshold) targets[at] = label;
        }
      }
    }
  }
  return { images, labels: new Uint8Array(0), shape: [1, size, size], classes: source.classes + 1, count: options.count, targets, targetShape: [size, size] };
}
