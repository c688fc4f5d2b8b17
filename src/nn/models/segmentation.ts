// Fully-convolutional networks that label every pixel, small enough to train here on
// 64x64 scenes (segmentationScenes): FCN-8s's structure (Long, Shelhamer and Darrell)
// and U-Net's (Ronneberger, Fischer and Brox). Both output [classes, H, W] logits at the
// input's size, for loss { kind: 'pixel-cross-entropy' }.
import { ActivationLayer } from '../activations';
import { Conv2d } from '../conv_layers';
import { BatchNorm } from '../norm_layers';
import { Add, Concat } from '../dense_layers';
import { input, type SymbolicTensor } from '../layer';
import { Model } from '../model';
import { MaxPool2d } from '../pool_layers';
import { ConvTranspose2d } from '../upsampling_layers';
import type { Shape } from '../../shape';

const conv3 = (filters: number, name: string) => new Conv2d({ filters, kernel: 3, padding: 1, activation: 'relu', name });

/** n 3x3 convolutions, each batch-normalised before its ReLU, named `${prefix}.0`, `${prefix}.0.bn`, ... */
function stackBn(x: SymbolicTensor, filters: number, n: number, prefix: string): SymbolicTensor {
  let h = x;
  for (let i = 0; i < n; i++) {
    const conv = new Conv2d({ filters, kernel: 3, padding: 1, bias: false, name: `${prefix}.${i}` }).apply(h);
    h = new ActivationLayer('relu', undefined, `${prefix}.${i}.relu`).apply(new BatchNorm({ name: `${prefix}.${i}.bn` }).apply(conv));
  }
  return h;
}

/** n 3x3 convolutions with ReLU, named `${prefix}.0`, `${prefix}.1`, ... */
function stack(x: SymbolicTensor, filters: number, n: number, prefix: string): SymbolicTensor {
  let h = x;
  for (let i = 0; i < n; i++) h = conv3(filters, `${prefix}.${i}`).apply(h);
  return h;
}

/**
 * FCN-8s on a small VGG-like encoder: five stages ending in pools of stride 2 to 32,
 * fully-convolutional fc6/fc7, class scores at stride 32, and learned 2x transposed
 * convolutions that add the scores of pool4 (stride 16) and pool3 (stride 8) before an
 * 8x transposed convolution back to the input's size.
 */
export function fcn8sMini(inputShape: Shape = [1, 64, 64], classes = 11): Model {
  const x = input(inputShape);
  const pool = (t: SymbolicTensor, name: string) => new MaxPool2d({ kernel: 2, name }).apply(t);
  const pool1 = pool(stack(x, 16, 2, 'conv1'), 'pool1');
  const pool2 = pool(stack(pool1, 32, 2, 'conv2'), 'pool2');
  const pool3 = pool(stack(pool2, 64, 2, 'conv3'), 'pool3');
  const pool4 = pool(stack(pool3, 64, 1, 'conv4'), 'pool4');
  const pool5 = pool(stack(pool4, 64, 1, 'conv5'), 'pool5');
  const fc7 = new Conv2d({ filters: 128, kernel: 1, activation: 'relu', name: 'fc7' }).apply(
    new Conv2d({ filters: 128, kernel: 3, padding: 1, activation: 'relu', name: 'fc6' }).apply(pool5),
  );
  const scoreFr = new Conv2d({ filters: classes, kernel: 1, name: 'score_fr' }).apply(fc7);
  const up2 = (t: SymbolicTensor, name: string) => new ConvTranspose2d({ filters: classes, kernel: 4, stride: 2, padding: 1, bias: false, name }).apply(t);
  const fusePool4 = new Add('fuse_pool4').apply(up2(scoreFr, 'upscore2'), new Conv2d({ filters: classes, kernel: 1, name: 'score_pool4' }).apply(pool4));
  const fusePool3 = new Add('fuse_pool3').apply(up2(fusePool4, 'upscore_pool4'), new Conv2d({ filters: classes, kernel: 1, name: 'score_pool3' }).apply(pool3));
  const out = new ConvTranspose2d({ filters: classes, kernel: 16, stride: 8, padding: 4, bias: false, name: 'upscore8' }).apply(fusePool3);
  return new Model(x, out, 'fcn8s-mini');
}

/**
 * U-Net: an encoder of paired 3x3 convolutions and pools, a bottleneck, and a decoder
 * whose 2x2 transposed convolutions go back up, each concatenated with the encoder's
 * map of the same size before its own paired convolutions; a 1x1 convolution scores.
 */
export function unetMini(inputShape: Shape = [1, 64, 64], classes = 11): Model {
  const x = input(inputShape);
  // Narrow enough that a run of a few thousand scenes fits minutes on a CPU adapter: most of
  // the work is at 64x64 and 32x32, where the channel counts are smallest.
  const widths = [8, 16, 32];
  const skips: SymbolicTensor[] = [];
  let h = x;
  widths.forEach((w, i) => {
    h = stackBn(h, w, 2, `down${i + 1}`);
    skips.push(h);
    h = new MaxPool2d({ kernel: 2, name: `pool${i + 1}` }).apply(h);
  });
  h = stackBn(h, 2 * widths.at(-1)!, 2, 'bottleneck');
  for (let i = widths.length - 1; i >= 0; i--) {
    const up = new ConvTranspose2d({ filters: widths[i], kernel: 2, stride: 2, name: `up${i + 1}` }).apply(h);
    h = stackBn(new Concat(`cat${i + 1}`).apply(up, skips[i]), widths[i], 2, `dec${i + 1}`);
  }
  const out = new Conv2d({ filters: classes, kernel: 1, name: 'score' }).apply(h);
  return new Model(x, out, 'unet-mini');
}
