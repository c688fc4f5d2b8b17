// ResNets as torchvision builds them (He et al. 2015): a 7x7/2 stem and max pool, four
// stages of basic (two 3x3) or bottleneck (1x1, 3x3, 1x1 x4) blocks with batch norm,
// 1x1 strided projections where the shape changes, global average pool, one dense layer.
// Layer names are torchvision's module paths (conv1, bn1, layer1.0.conv1,
// layer1.0.downsample.0, fc), so a torchvision state dict maps one name to one name.
// resnet20 is He et al.'s CIFAR network (three stages of three basic blocks, 16/32/64);
// plain20 is the same stack without its shortcuts (the paper's plain baseline).
// resnetBody is the stem and stages alone, with torchvision's replace_stride_with_dilation
// (FCN-ResNet50's body, models/fcn.ts).
import { Add, Dense } from '../dense_layers';
import { input, type SymbolicTensor } from '../layer';
import { Model } from '../model';
import { GlobalAvgPool, MaxPool2d } from '../pool_layers';
import type { Shape } from '../../shape';
import { convBnRelu, relu } from './blocks';

/** torchvision's BasicBlock (two 3x3) or Bottleneck (1x1, 3x3, 1x1 of 4x the width). */
export type Block = 'basic' | 'bottleneck';

/**
 * One residual block at `name` (layer2.0): the residual branch, the shortcut (projected
 * where needed), add, ReLU. `dilation` spaces the bottleneck's 3x3 taps (padding =
 * dilation keeps the size), as torchvision's conv3x3 does; its BasicBlock has none.
 * `shortcut: false` leaves out the shortcut, its projection and the add: the branch and
 * its ReLU alone (He et al.'s plain block, the same layers under the same names).
 */
export function residualBlock(x: SymbolicTensor, name: string, kind: Block, width: number, stride: number, dilation = 1, shortcut = true): SymbolicTensor {
  const inChannels = x.shape[0];
  const out = kind === 'basic' ? width : width * 4;
  let h: SymbolicTensor;
  if (kind === 'basic') {
    if (dilation !== 1) throw new Error(`${name}: basic blocks take no dilation (torchvision's BasicBlock refuses dilation > 1), got ${dilation}`);
    h = convBnRelu(x, { conv: `${name}.conv1`, bn: `${name}.bn1` }, { filters: width, kernel: 3, stride, padding: 1 });
    h = convBnRelu(h, { conv: `${name}.conv2`, bn: `${name}.bn2` }, { filters: width, kernel: 3, padding: 1 }, { relu: false });
  } else {
    // torchvision (v1.5) puts the stride on the 3x3.
    h = convBnRelu(x, { conv: `${name}.conv1`, bn: `${name}.bn1` }, { filters: width, kernel: 1 });
    h = convBnRelu(h, { conv: `${name}.conv2`, bn: `${name}.bn2` }, { filters: width, kernel: 3, stride, padding: dilation, dilation });
    h = convBnRelu(h, { conv: `${name}.conv3`, bn: `${name}.bn3` }, { filters: out, kernel: 1 }, { relu: false });
  }
  if (!shortcut) return relu(h);
  const identity =
    stride !== 1 || inChannels !== out
      ? convBnRelu(x, { conv: `${name}.downsample.0`, bn: `${name}.downsample.1` }, { filters: out, kernel: 1, stride }, { relu: false })
      : x;
  return relu(new Add(`${name}.add`).apply(h, identity));
}

/**
 * Stages of blocks, `${prefix}layer{i}.{j}`, each stage's output in turn. The first block
 * of each stage after the first has stride 2, unless `dilate[i]` trades that stride for
 * dilation, as torchvision's _make_layer does: the stage's dilation becomes the running
 * dilation times 2 and its first block keeps the previous dilation (stride 1, projected
 * shortcut), the blocks after it take the new one.
 */
function stages(
  x: SymbolicTensor,
  kind: Block,
  widths: readonly number[],
  depths: readonly number[],
  options: { prefix?: string; dilate?: readonly boolean[]; shortcuts?: boolean } = {},
): SymbolicTensor[] {
  const prefix = options.prefix ?? '';
  const outputs: SymbolicTensor[] = [];
  let h = x;
  let dilation = 1;
  widths.forEach((width, i) => {
    let stride = i > 0 ? 2 : 1;
    const previous = dilation;
    if (options.dilate?.[i]) {
      dilation *= stride;
      stride = 1;
    }
    for (let j = 0; j < depths[i]; j++)
      h = residualBlock(h, `${prefix}layer${i + 1}.${j}`, kind, width, j === 0 ? stride : 1, j === 0 ? previous : dilation, options.shortcuts ?? true);
    outputs.push(h);
  });
  return outputs;
}

export interface ResnetBodyOptions {
  /** Put before every layer name: torchvision's segmentation models name the body `backbone.` (backbone.layer1.0.conv1). */
  prefix?: string;
  /** torchvision's replace_stride_with_dilation: layers 2, 3 and 4 trade their stride 2 for dilation (FCN: [false, true, true]). */
  replaceStrideWithDilation?: readonly [boolean, boolean, boolean];
}

/**
 * A torchvision ResNet without its head: the 7x7/2 stem and max pool, then the four
 * stages; returns the outputs of layer1 to layer4 (an FCN reads layer3 and layer4).
 */
export function resnetBody(x: SymbolicTensor, kind: Block, depths: readonly number[], options: ResnetBodyOptions = {}): SymbolicTensor[] {
  const prefix = options.prefix ?? '';
  let h = convBnRelu(x, { conv: `${prefix}conv1`, bn: `${prefix}bn1` }, { filters: 64, kernel: 7, stride: 2, padding: 3 });
  h = new MaxPool2d({ kernel: 3, stride: 2, padding: 1, name: `${prefix}maxpool` }).apply(h);
  const dilate = [false, ...(options.replaceStrideWithDilation ?? [false, false, false])];
  return stages(h, kind, [64, 128, 256, 512], depths, { prefix, dilate });
}

/** ResNet-50's bottleneck depths per stage, [3, 4, 6, 3]. */
export const RESNET50_DEPTHS = [3, 4, 6, 3] as const;

/** An ImageNet ResNet of torchvision's: `resnet(kind, depths)` at 224x224x3 and 1000 classes by default. */
function imagenetResnet(name: string, kind: Block, depths: readonly number[]) {
  return (inputShape: Shape = [3, 224, 224], classes = 1000): Model => {
    const x = input(inputShape);
    const h = resnetBody(x, kind, depths).at(-1)!;
    const out = new Dense({ units: classes, name: 'fc' }).apply(new GlobalAvgPool('avgpool').apply(h));
    return new Model(x, out, name);
  };
}

/** ResNet-18: basic blocks [2, 2, 2, 2], 11,689,512 parameters. */
export const resnet18 = imagenetResnet('resnet18', 'basic', [2, 2, 2, 2]);
/** ResNet-34: basic blocks [3, 4, 6, 3], 21,797,672 parameters. */
export const resnet34 = imagenetResnet('resnet34', 'basic', [3, 4, 6, 3]);
/** ResNet-50: bottlenecks [3, 4, 6, 3], 25,557,032 parameters. */
export const resnet50 = imagenetResnet('resnet50', 'bottleneck', RESNET50_DEPTHS);
/** ResNet-101: bottlenecks [3, 4, 23, 3], 44,549,160 parameters. */
export const resnet101 = imagenetResnet('resnet101', 'bottleneck', [3, 4, 23, 3]);
/** ResNet-152: bottlenecks [3, 8, 36, 3], 60,192,808 parameters. */
export const resnet152 = imagenetResnet('resnet152', 'bottleneck', [3, 8, 36, 3]);

/** The CIFAR ResNet-20's stack, with or without its shortcuts. */
function cifarResnet20(name: string, shortcuts: boolean, inputShape: Shape, classes: number): Model {
  const x = input(inputShape);
  let h = convBnRelu(x, { conv: 'conv1', bn: 'bn1' }, { filters: 16, kernel: 3, padding: 1 });
  h = stages(h, 'basic', [16, 32, 64], [3, 3, 3], { shortcuts }).at(-1)!;
  const out = new Dense({ units: classes, name: 'fc', init: 'small' }).apply(new GlobalAvgPool('avgpool').apply(h));
  return new Model(x, out, name);
}

/**
 * He et al.'s CIFAR ResNet-20 (section 4.2): a 3x3 conv of 16, three stages of three basic
 * blocks at 16, 32 and 64 channels (stride 2 entering the last two), global average pool,
 * dense. Shortcuts that change shape are 1x1 projections with batch norm (option B; the
 * paper's CIFAR runs pad with zeros instead), 272,186 parameters for 10 classes.
 */
export function resnet20(inputShape: Shape = [1, 28, 28], classes = 10): Model {
  return cifarResnet20('resnet20', true, inputShape, classes);
}

/**
 * He et al.'s plain 20-layer baseline (section 4.2, figure 6): resnet20's layers without
 * its shortcuts: no identities, no adds, no 1x1 projections (their 2,752 parameters), the
 * same names (layer2.0.conv1), 269,434 parameters for 10 classes. Trained beside resnet20
 * it is the paper's plain-against-residual comparison at this machine's scale.
 */
export function plain20(inputShape: Shape = [1, 28, 28], classes = 10): Model {
  return cifarResnet20('plain20', false, inputShape, classes);
}
