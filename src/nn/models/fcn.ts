// torchvision's FCN-ResNet50 (segmentation.fcn_resnet50, torchvision 0.14): a ResNet-50
// body whose layers 3 and 4 trade their stride for dilation (replace_stride_with_dilation
// [False, True, True]: features at stride 8, layer3 dilated 2, layer4 dilated 4), the
// FCNHead on layer4 (3x3 conv 2048 -> 512 without bias, batch norm, ReLU, dropout 0.1,
// 1x1 conv to the classes) and a bilinear resize (align_corners false) of the scores to
// the input's size. Names are torchvision's state-dict paths: backbone.layer1.0.conv1,
// classifier.0 (the 3x3), classifier.1 (its batch norm), classifier.4 (the 1x1), and
// aux_classifier.* for the optional head on layer3.
import { Conv2d } from '../conv_layers';
import { input, type SymbolicTensor } from '../layer';
import { Model } from '../model';
import { Dropout } from '../norm_layers';
import { Upsample } from '../upsampling_layers';
import type { Shape } from '../../shape';
import { AuxHeads, convBnRelu } from './blocks';
import { RESNET50_DEPTHS, resnetBody } from './resnet';

/** torchvision's FCNHead at `name`: 3x3 conv to a quarter of the channels (no bias), batch norm, ReLU, dropout 0.1, 1x1 conv to the classes. */
function fcnHead(x: SymbolicTensor, name: string, classes: number): SymbolicTensor {
  // Indices are the nn.Sequential's: 0 conv, 1 batch norm, 2 ReLU, 3 dropout, 4 conv.
  const h = convBnRelu(x, { conv: `${name}.0`, bn: `${name}.1` }, { filters: x.shape[0] / 4, kernel: 3, padding: 1 });
  return new Conv2d({ filters: classes, kernel: 1, name: `${name}.4` }).apply(new Dropout({ rate: 0.1, name: `${name}.3` }).apply(h));
}

export interface FcnResnet50Options {
  /**
   * Builds the auxiliary FCNHead on layer3 (1024 -> 256 -> classes; 2,365,205 more
   * parameters at 21 classes), torchvision's aux_loss. The model's output stays the main
   * head's (torchvision's 'out'); the auxiliary head is kept for its weights, so that
   * state dicts with aux_classifier load, and is not resized to the input.
   */
  auxLoss?: boolean;
}

/**
 * FCN-ResNet50 as torchvision builds it: [classes, H, W] logits for a [3, H, W] image (any
 * size: it is fully convolutional), 32,957,013 parameters at 21 classes (35,322,218 with
 * the auxiliary head).
 */
export function fcnResnet50(inputShape: Shape = [3, 224, 224], classes = 21, options: FcnResnet50Options = {}): Model {
  const x = input(inputShape);
  const [, , layer3, layer4] = resnetBody(x, 'bottleneck', RESNET50_DEPTHS, { prefix: 'backbone.', replaceStrideWithDilation: [false, true, true] });
  const size: [number, number] = [inputShape[1], inputShape[2]];
  let out = new Upsample({ size, mode: 'bilinear', name: 'upsample' }).apply(fcnHead(layer4, 'classifier', classes));
  if (options.auxLoss) out = new AuxHeads('aux_heads').apply(out, fcnHead(layer3, 'aux_classifier', classes));
  return new Model(x, out, options.auxLoss ? 'fcn_resnet50_aux' : 'fcn_resnet50');
}
