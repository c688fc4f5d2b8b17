// The image patches that excite a filter most, as in Zeiler and Fergus's figures: run a
// set of images to a convolution's output, find the strongest values of one channel, and
// crop from each image the receptive field of that value (summary() gives the field's
// size, stride and where output (0, 0)'s field starts).
import type { Dataset } from '../data/dataset';
import { sizeOf } from '../shape';
import type { Model } from './model';
import { summary } from './summary';

export interface Patch {
  /** Index of the image in the dataset. */
  image: number;
  /** Where in the layer's output the value is. */
  y: number;
  x: number;
  value: number;
  /** The crop in input pixels (clipped to the image): first row and column, rows, columns. */
  top: number;
  left: number;
  height: number;
  width: number;
  /** The crop's pixels, [channels, height, width], from the dataset's images. */
  pixels: Float32Array;
}

/**
 * The `k` strongest values of channel `channel` of layer `layerName` over the images of
 * `data` (inference mode), at most one per image, each with its receptive field cropped
 * from the input.
 */
export async function topPatches(model: Model, data: Dataset, layerName: string, channel: number, k = 9): Promise<Patch[]> {
  const out = model.outputOf(layerName, 'topPatches').shape;
  if (out.length !== 3) throw new Error(`topPatches: ${layerName} outputs [${out.join(', ')}], not [channels, height, width] maps`);
  const [channels, h, w] = out;
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels)
    throw new Error(`topPatches: ${layerName} has channels 0..${channels - 1}, not ${channel}`);
  const row = summary(model).rows.find((r) => r.name === layerName)!;
  const maps = await model.features(data.images, layerName);
  // Each image's strongest position of the channel, then the k strongest images.
  const best = Array.from({ length: data.count }, (_, image) => {
    const base = (image * channels + channel) * h * w;
    let at = 0;
    for (let i = 1; i < h * w; i++) if (maps[base + i] > maps[base + at]) at = i;
    return { image, y: Math.floor(at / w), x: at % w, value: maps[base + at] };
  });
  best.sort((a, b) => b.value - a.value);
  const [c, ih, iw] = data.shape;
  const per = sizeOf(data.shape);
  return best.slice(0, k).map((b) => {
    const [r0, c0] = [row.fieldOffset[0] + b.y * row.stride[0], row.fieldOffset[1] + b.x * row.stride[1]];
    const top = Math.max(0, r0);
    const left = Math.max(0, c0);
    const height = Math.min(ih, r0 + row.receptiveField[0]) - top;
    const width = Math.min(iw, c0 + row.receptiveField[1]) - left;
    const pixels = new Float32Array(c * height * width);
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < height; y++) {
        const from = b.image * per + (ch * ih + top + y) * iw + left;
        pixels.set(data.images.subarray(from, from + width), (ch * height + y) * width);
      }
    }
    return { ...b, top, left, height, width, pixels };
  });
}
