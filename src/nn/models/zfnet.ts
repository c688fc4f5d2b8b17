// ZFNet (Zeiler and Fergus 2013, "Visualizing and Understanding Convolutional Networks",
// figure 3): AlexNet's successor with a finer first layer. 96 filters of 7x7 at stride 2
// (AlexNet: 11x11 at stride 4), each of the first two layers followed by ReLU, a 3x3
// stride-2 max pool and contrast normalisation across feature maps, conv2 of 256 5x5 at
// stride 2, conv3 to conv5 of 384, 384, 256 (3x3, one tower: no groups), a 3x3/2 pool,
// FC 4096, 4096, classes. The paper's maps are 110, 55, 26, 13, 13, 13, 6 at 224x224:
// conv1 pads by 1 and the pools round up (ceil mode) to give them. Its normalisation
// ("divisive contrast normalization across features", the decks) is AlexNet's LRN here,
// with AlexNet's constants: the paper gives none. Names follow alexnet's (features.{i},
// classifier.{i}), with the pool before the normalisation as the paper orders them.
import { Conv2d } from '../conv_layers';
import { Dense, Flatten } from '../dense_layers';
import { sequential, type Model } from '../model';
import { Dropout } from '../norm_layers';
import { MaxPool2d } from '../pool_layers';
import type { Shape } from '../../shape';
import { classifier, lrn } from './alexnet';

/** ZFNet's pools: 3x3 at stride 2, rounding the output size up (110 -> 55, 26 -> 13, 13 -> 6). */
const pool = (name: string) => new MaxPool2d({ kernel: 3, stride: 2, ceilMode: true, name });

/** ZFNet at 224x224x3 and 1000 classes: 62,357,608 parameters (the seed AlexNet's less 20,736 in conv1). */
export function zfnet(inputShape: Shape = [3, 224, 224], classes = 1000): Model {
  return sequential(
    inputShape,
    [
      new Conv2d({ filters: 96, kernel: 7, stride: 2, padding: 1, activation: 'relu', name: 'features.0' }),
      pool('features.2'),
      lrn('features.3'),
      new Conv2d({ filters: 256, kernel: 5, stride: 2, activation: 'relu', name: 'features.4' }),
      pool('features.6'),
      lrn('features.7'),
      new Conv2d({ filters: 384, kernel: 3, padding: 1, activation: 'relu', name: 'features.8' }),
      new Conv2d({ filters: 384, kernel: 3, padding: 1, activation: 'relu', name: 'features.10' }),
      new Conv2d({ filters: 256, kernel: 3, padding: 1, activation: 'relu', name: 'features.12' }),
      pool('features.14'),
      ...classifier(classes),
    ],
    'zfnet',
  );
}

/**
 * ZFNet's shape at Fashion-MNIST and CIFAR sizes, at alexnet-mini's widths: conv 5x5 (32)
 * at stride 1 (the smallest stride; alexnet-mini's first layer is the same, there is no
 * finer one to go to) - 3x3/2 pool rounding up - LRN - conv 5x5 (64) - pool - LRN - three
 * 3x3 convs (96, 96, 64) - pool - dropout - FC 256 - dropout - FC 256 - FC classes. The
 * pools halve 28 to 14, 7 and 3 (alexnet-mini's: 13, 6, 3), and normalise after pooling.
 * 461,962 parameters at 1x28x28 and 10 classes, as alexnet-mini: the same layers end on
 * the same 64x3x3.
 */
export function zfnetMini(inputShape: Shape = [1, 28, 28], classes = 10): Model {
  return sequential(
    inputShape,
    [
      new Conv2d({ filters: 32, kernel: 5, padding: 2, activation: 'relu', name: 'features.0' }),
      pool('features.2'),
      lrn('features.3'),
      new Conv2d({ filters: 64, kernel: 5, padding: 2, activation: 'relu', name: 'features.4' }),
      pool('features.6'),
      lrn('features.7'),
      new Conv2d({ filters: 96, kernel: 3, padding: 1, activation: 'relu', name: 'features.8' }),
      new Conv2d({ filters: 96, kernel: 3, padding: 1, activation: 'relu', name: 'features.10' }),
      new Conv2d({ filters: 64, kernel: 3, padding: 1, activation: 'relu', name: 'features.12' }),
      pool('features.14'),
      new Flatten('flatten'),
      new Dropout({ rate: 0.5, name: 'classifier.0' }),
      new Dense({ units: 256, activation: 'relu', name: 'classifier.1' }),
      new Dropout({ rate: 0.5, name: 'classifier.3' }),
      new Dense({ units: 256, activation: 'relu', name: 'classifier.4' }),
      new Dense({ units: classes, init: 'small', name: 'classifier.6' }),
    ],
    'zfnet_mini',
  );
}
