// VGG (Simonyan and Zisserman 2014), configurations A to E of the paper's table 1, with
// torchvision's module paths: features.{i} (convolutions, ReLUs, pools, and batch norms
// in vgg16-bn, each taking one index as in torchvision's Sequential), avgpool,
// classifier.{0,3,6} with dropout at 2 and 5. ReLUs run inside the convolutions and the
// dense layers; their torchvision indices are skipped.
import { ActivationLayer } from '../activations';
import { Conv2d } from '../conv_layers';
import { Dense, Flatten } from '../dense_layers';
import type { Layer } from '../layer';
import { sequential, type Model } from '../model';
import { BatchNorm, Dropout, Lrn } from '../norm_layers';
import { AdaptiveAvgPool2d, MaxPool2d } from '../pool_layers';
import type { Shape } from '../../shape';

/** A 3x3 convolution of n filters, 'M' a 2x2 max pool, 'L' local response normalisation, 'c1' a 1x1 convolution. */
type Item = number | 'M' | 'L' | `c1:${number}`;

const A: Item[] = [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'];
const CONFIGS: Record<string, Item[]> = {
  A,
  'A-LRN': [64, 'L', 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  B: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  C: [64, 64, 'M', 128, 128, 'M', 256, 256, 'c1:256', 'M', 512, 512, 'c1:512', 'M', 512, 512, 'c1:512', 'M'],
  D: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  E: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/** The feature layers of a configuration, named features.{i} with torchvision's indices. */
function features(items: readonly Item[], batchNorm: boolean): Layer[] {
  const layers: Layer[] = [];
  let i = 0;
  for (const item of items) {
    if (item === 'M') layers.push(new MaxPool2d({ kernel: 2, name: `features.${i++}` }));
    else if (item === 'L') layers.push(new Lrn({ size: 5, alpha: 1e-4, beta: 0.75, k: 2, name: `features.${i++}` }));
    else {
      const [filters, kernel] = typeof item === 'number' ? [item, 3] : [Number(item.slice(3)), 1];
      const padding = kernel === 3 ? 1 : 0;
      if (batchNorm) {
        layers.push(
          new Conv2d({ filters, kernel, padding, name: `features.${i++}` }),
          new BatchNorm({ name: `features.${i++}` }),
          new ActivationLayer('relu', undefined, `features.${i++}`),
        );
      } else {
        layers.push(new Conv2d({ filters, kernel, padding, activation: 'relu', name: `features.${i}` }));
        i += 2; // the conv and its ReLU
      }
    }
  }
  return layers;
}

function vgg(name: string, config: string, batchNorm = false) {
  return (inputShape: Shape = [3, 224, 224], classes = 1000): Model =>
    sequential(
      inputShape,
      [
        ...features(CONFIGS[config], batchNorm),
        new AdaptiveAvgPool2d(7, 'avgpool'),
        new Flatten('flatten'),
        new Dense({ units: 4096, activation: 'relu', name: 'classifier.0' }),
        new Dropout({ rate: 0.5, name: 'classifier.2' }),
        new Dense({ units: 4096, activation: 'relu', name: 'classifier.3' }),
        new Dropout({ rate: 0.5, name: 'classifier.5' }),
        new Dense({ units: classes, name: 'classifier.6' }),
      ],
      name,
    );
}

/** Configuration A (VGG-11): 132,863,336 parameters at 224x224x3, 1000 classes. */
export const vgg11 = vgg('vgg11', 'A');
/** A-LRN: A with local response normalisation after the first convolution (the same parameters). */
export const vgg11Lrn = vgg('vgg11_lrn', 'A-LRN');
/** Configuration B (VGG-13): 133,047,848 parameters. */
export const vgg13 = vgg('vgg13', 'B');
/** Configuration C: VGG-16 whose third convolution in the last three blocks is 1x1, 133,638,952 parameters. */
export const vgg16c = vgg('vgg16c', 'C');
/** Configuration D (VGG-16), with biases: 138,357,544 parameters. */
export const vgg16 = vgg('vgg16', 'D');
/** Configuration E (VGG-19): 143,667,240 parameters. */
export const vgg19 = vgg('vgg19', 'E');
/** D with batch norm after every convolution (torchvision's vgg16_bn): 138,365,992 parameters. */
export const vgg16Bn = vgg('vgg16_bn', 'D', true);
