// AlexNet (Krizhevsky et al. 2012) three ways: the seed's single-tower network at
// 227x227x3 (local response normalisation, overlapping 3x3/2 max pools, dropout), the
// paper's two-tower form (groups = 2 on conv2, conv4 and conv5, whose filters see only
// their tower's half of the channels), and torchvision's variant (64-192-384-256-256,
// no LRN). Names follow torchvision's alexnet: features.{i} with a ReLU after each
// convolution taking an index (run inside the convolution here), avgpool, classifier.{i}.
import { Conv2d } from '../conv_layers';
import { Dense, Flatten } from '../dense_layers';
import type { Layer } from '../layer';
import { sequential, type Model } from '../model';
import { Dropout, Lrn } from '../norm_layers';
import { AdaptiveAvgPool2d, MaxPool2d } from '../pool_layers';
import type { Shape } from '../../shape';

/** AlexNet's LRN constants (size 5, alpha 1e-4, beta 0.75, k 2). */
export const lrn = (name: string) => new Lrn({ size: 5, alpha: 1e-4, beta: 0.75, k: 2, name });
const pool = (name: string) => new MaxPool2d({ kernel: 3, stride: 2, name });

/** The classifier: dropout, FC 4096, dropout, FC 4096, FC classes (classifier.0 to classifier.6). */
export function classifier(classes: number): Layer[] {
  return [
    new Flatten('flatten'),
    new Dropout({ rate: 0.5, name: 'classifier.0' }),
    new Dense({ units: 4096, activation: 'relu', name: 'classifier.1' }),
    new Dropout({ rate: 0.5, name: 'classifier.3' }),
    new Dense({ units: 4096, activation: 'relu', name: 'classifier.4' }),
    new Dense({ units: classes, name: 'classifier.6' }),
  ];
}

/** The seed's layers: conv 96 11x11/4, LRN, pool, conv 256 5x5, LRN, pool, conv 384, 384, 256, pool; `groups` on conv2, 4 and 5. */
function seedAlexnet(name: string, groups: number) {
  return (inputShape: Shape = [3, 227, 227], classes = 1000): Model =>
    sequential(
      inputShape,
      [
        new Conv2d({ filters: 96, kernel: 11, stride: 4, activation: 'relu', name: 'features.0' }),
        lrn('features.2'),
        pool('features.3'),
        new Conv2d({ filters: 256, kernel: 5, padding: 2, groups, activation: 'relu', name: 'features.4' }),
        lrn('features.6'),
        pool('features.7'),
        new Conv2d({ filters: 384, kernel: 3, padding: 1, activation: 'relu', name: 'features.8' }),
        new Conv2d({ filters: 384, kernel: 3, padding: 1, groups, activation: 'relu', name: 'features.10' }),
        new Conv2d({ filters: 256, kernel: 3, padding: 1, groups, activation: 'relu', name: 'features.12' }),
        pool('features.14'),
        ...classifier(classes),
      ],
      name,
    );
}

/** The seed's single-tower AlexNet: 62,378,344 parameters at 227x227x3 and 1000 classes. */
export const alexnet = seedAlexnet('alexnet', 1);

/** The paper's two-tower AlexNet (groups = 2 on conv2, conv4, conv5): 60,965,224 parameters. */
export const alexnetGrouped = seedAlexnet('alexnet_grouped', 2);

/** torchvision's AlexNet (64-192-384-256-256, no LRN, 6x6 adaptive pool): 61,100,840 parameters at 224x224x3. */
export function alexnetTorchvision(inputShape: Shape = [3, 224, 224], classes = 1000): Model {
  return sequential(
    inputShape,
    [
      new Conv2d({ filters: 64, kernel: 11, stride: 4, padding: 2, activation: 'relu', name: 'features.0' }),
      pool('features.2'),
      new Conv2d({ filters: 192, kernel: 5, padding: 2, activation: 'relu', name: 'features.3' }),
      pool('features.5'),
      new Conv2d({ filters: 384, kernel: 3, padding: 1, activation: 'relu', name: 'features.6' }),
      new Conv2d({ filters: 256, kernel: 3, padding: 1, activation: 'relu', name: 'features.8' }),
      new Conv2d({ filters: 256, kernel: 3, padding: 1, activation: 'relu', name: 'features.10' }),
      pool('features.12'),
      new AdaptiveAvgPool2d(6, 'avgpool'),
      ...classifier(classes),
    ],
    'alexnet_torchvision',
  );
}

/**
 * AlexNet's structure at Fashion-MNIST and CIFAR sizes: conv 5x5 (32) - LRN - overlapping
 * 3x3/2 pool - conv 5x5 (64) - LRN - pool - three 3x3 convs (96, 96, 64) - pool - dropout -
 * FC 256 - dropout - FC 256 - FC classes.
 */
export function alexnetMini(inputShape: Shape = [1, 28, 28], classes = 10): Model {
  return sequential(
    inputShape,
    [
      new Conv2d({ filters: 32, kernel: 5, padding: 2, activation: 'relu', name: 'features.0' }),
      lrn('features.2'),
      pool('features.3'),
      new Conv2d({ filters: 64, kernel: 5, padding: 2, activation: 'relu', name: 'features.4' }),
      lrn('features.6'),
      pool('features.7'),
      new Conv2d({ filters: 96, kernel: 3, padding: 1, activation: 'relu', name: 'features.8' }),
      new Conv2d({ filters: 96, kernel: 3, padding: 1, activation: 'relu', name: 'features.10' }),
      new Conv2d({ filters: 64, kernel: 3, padding: 1, activation: 'relu', name: 'features.12' }),
      new MaxPool2d({ kernel: 3, stride: 2, padding: 1, name: 'features.14' }),
      new Flatten('flatten'),
      new Dropout({ rate: 0.5, name: 'classifier.0' }),
      new Dense({ units: 256, activation: 'relu', name: 'classifier.1' }),
      new Dropout({ rate: 0.5, name: 'classifier.3' }),
      new Dense({ units: 256, activation: 'relu', name: 'classifier.4' }),
      new Dense({ units: classes, init: 'small', name: 'classifier.6' }),
    ],
    'alexnet_mini',
  );
}
