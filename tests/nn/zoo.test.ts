import { describe, expect, it } from 'vitest';
import {
  Conv2d,
  DepthwiseConv2d,
  MODELS,
  TRAINABLE_HERE,
  sequential,
  summary,
  trainStepMemory,
  formatVerify,
  verify,
  Trainer,
  alexnet,
  googlenet,
  mobilenetV1,
  resnet50,
  CpuBackend,
  GlobalAvgPool,
  AdaptiveAvgPool2d,
  tensor,
  torchStateDictLayout,
} from '../../src/index';
import type { Dense } from '../../src/nn/dense_layers';
import { Random } from '../../src/random';
import { cpu, gpuBackend } from '../helpers/backends';

/** Trainable parameters of every zoo key at its default input, as published (torchvision's counts where it has the model). */
const PUBLISHED: Record<string, number> = {
  alexnet: 62_378_344,
  'alexnet-grouped': 60_965_224,
  'alexnet-torchvision': 61_100_840,
  vgg11: 132_863_336,
  'vgg11-lrn': 132_863_336,
  vgg13: 133_047_848,
  vgg16c: 133_638_952,
  vgg16: 138_357_544,
  vgg19: 143_667_240,
  'vgg16-bn': 138_365_992,
  googlenet: 6_624_904,
  'googlenet-aux': 13_004_888,
  resnet18: 11_689_512,
  resnet34: 21_797_672,
  resnet50: 25_557_032,
  resnet101: 44_549_160,
  resnet152: 60_192_808,
  'mobilenet-v1': 4_231_976,
  densenet121: 7_978_856,
  densenet169: 14_149_480,
};

describe('the zoo: the seed architectures, built to their papers', () => {
  it('every full-size key has the published parameter count and 1000 logits', () => {
    for (const [key, params] of Object.entries(PUBLISHED)) {
      const model = MODELS[key]();
      expect(summary(model).totalParams, key).toBe(params);
      expect(model.output.shape, key).toEqual([1000]);
    }
  });

  it("FCN-ResNet50 (torchvision's segmentation.fcn_resnet50): 32,957,013 parameters at 21 classes, 35,322,218 with the auxiliary head", () => {
    // torchvision 0.14: sum(p.numel() for p in fcn_resnet50(weights=None, weights_backbone=None, num_classes=21, aux_loss=...).parameters()).
    expect(summary(MODELS['fcn-resnet50']()).totalParams).toBe(32_957_013);
    expect(summary(MODELS['fcn-resnet50-aux']()).totalParams).toBe(35_322_218);
    // Fully convolutional: the logits are [classes, H, W] at any input size.
    expect(MODELS['fcn-resnet50']().output.shape).toEqual([21, 224, 224]);
    expect(MODELS['fcn-resnet50']([3, 64, 64], 21).output.shape).toEqual([21, 64, 64]);
    expect(MODELS['fcn-resnet50-aux']([3, 64, 64], 21).output.shape).toEqual([21, 64, 64]);
    expect(MODELS['fcn-resnet50']([3, 65, 50], 5).output.shape).toEqual([5, 65, 50]);
  });

  it("FCN-ResNet50's layers 3 and 4 trade stride for dilation as torchvision's _make_layer does (features at stride 8)", () => {
    const model = MODELS['fcn-resnet50']([3, 64, 64], 21);
    const rows = new Map(summary(model).rows.map((r) => [r.name, r]));
    const conv = (name: string) => {
      const layer = model.layers.find((l) => l.name === name) as Conv2d | undefined;
      if (!layer) throw new Error(`no layer ${name}`);
      const { stride = 1, dilation = 1, padding } = layer.options;
      return { stride, dilation, padding };
    };
    // layer2 keeps its stride; layer3's first block keeps the previous dilation (1) at stride 1, the others dilate 2; layer4: 2, then 4.
    expect(conv('backbone.layer2.0.conv2')).toEqual({ stride: 2, dilation: 1, padding: 1 });
    expect(conv('backbone.layer3.0.conv2')).toEqual({ stride: 1, dilation: 1, padding: 1 });
    expect(conv('backbone.layer3.0.downsample.0')).toEqual({ stride: 1, dilation: 1, padding: undefined });
    for (const j of [1, 2, 3, 4, 5]) expect(conv(`backbone.layer3.${j}.conv2`)).toEqual({ stride: 1, dilation: 2, padding: 2 });
    expect(conv('backbone.layer4.0.conv2')).toEqual({ stride: 1, dilation: 2, padding: 2 });
    expect(conv('backbone.layer4.0.downsample.0')).toEqual({ stride: 1, dilation: 1, padding: undefined });
    for (const j of [1, 2]) expect(conv(`backbone.layer4.${j}.conv2`)).toEqual({ stride: 1, dilation: 4, padding: 4 });
    expect(rows.get('backbone.layer2.3.conv3')!.outputShape).toEqual([512, 8, 8]);
    expect(rows.get('backbone.layer3.5.conv3')!.outputShape).toEqual([1024, 8, 8]);
    expect(rows.get('backbone.layer4.2.conv3')!.outputShape).toEqual([2048, 8, 8]);
    expect(rows.get('classifier.0')!.outputShape).toEqual([512, 8, 8]);
    expect(rows.get('classifier.4')!.outputShape).toEqual([21, 8, 8]);
    expect(rows.get('upsample')!.outputShape).toEqual([21, 64, 64]);
    // The head: 3x3 conv without bias, batch norm, ReLU, dropout 0.1, 1x1 conv with bias.
    expect(model.layers.find((l) => l.name === 'classifier.3')!.kind).toBe('dropout');
    expect(conv('classifier.4')).toEqual({ stride: 1, dilation: 1, padding: undefined });
  });

  it('FCN-ResNet50 runs forward at 3x64x64 on WebGPU: [21, 64, 64] finite logits that vary over the image', async () => {
    const model = MODELS['fcn-resnet50']([3, 64, 64], 21).build(await gpuBackend(), { seed: 1 });
    const logits = await model.predict(new Random(3).uniformArray(3 * 64 * 64));
    expect(logits.length).toBe(21 * 64 * 64);
    expect(logits.every(Number.isFinite)).toBe(true);
    // The bilinear resize of 8x8 scores is not one value everywhere.
    const plane = logits.subarray(0, 64 * 64);
    expect(Math.max(...plane)).toBeGreaterThan(Math.min(...plane));
    model.dispose();
  }, 120_000);

  it('AlexNet per layer equals the seed: 34,944 / 614,656 / 885,120 / 1,327,488 / 884,992 / 37,752,832 / 16,781,312 / 4,097,000', () => {
    const s = summary(alexnet());
    const weighted = s.rows.filter((r) => r.params > 0);
    expect(weighted.map((r) => r.params)).toEqual([34_944, 614_656, 885_120, 1_327_488, 884_992, 37_752_832, 16_781_312, 4_097_000]);
    // 227 -> 55 (11x11/4) -> 27 (3x3/2) -> 27 -> 13 -> 13 -> 13 -> 13 -> 6: 6x6x256 into the first FC.
    expect(s.rows.filter((r) => r.kind === 'conv2d' || r.kind === 'maxpool2d').map((r) => r.outputShape)).toEqual([
      [96, 55, 55],
      [96, 27, 27],
      [256, 27, 27],
      [256, 13, 13],
      [384, 13, 13],
      [384, 13, 13],
      [256, 13, 13],
      [256, 6, 6],
    ]);
  });

  it("MobileNet's layers see the input sizes of the seed's table", () => {
    const s = summary(mobilenetV1());
    const convs = s.rows.filter((r) => r.kind === 'conv2d' || r.kind === 'depthwise_conv2d');
    // Each row's input: the seed's "Input Size" column (the next conv's input is this one's output).
    const inputs = [
      '224x224x3',
      '112x112x32',
      '112x112x32',
      '112x112x64',
      '56x56x64',
      '56x56x128',
      '56x56x128',
      '56x56x128',
      '28x28x128',
      '28x28x256',
      '28x28x256',
      '28x28x256',
      '14x14x256',
      ...Array(10).fill('14x14x512'),
      '14x14x512',
      '7x7x512',
      '7x7x1024',
      '7x7x1024',
    ];
    const seen = ['224x224x3', ...convs.slice(0, -1).map((r) => `${r.outputShape[1]}x${r.outputShape[2]}x${r.outputShape[0]}`)];
    expect(seen).toEqual(inputs);
    expect(convs.at(-1)!.outputShape).toEqual([1024, 7, 7]);
    expect(s.rows.find((r) => r.kind === 'global_avg_pool')!.outputShape).toEqual([1024]);
    // Width multiplier: alpha 0.5 halves every channel count.
    expect(mobilenetV1([3, 224, 224], 1000, { alpha: 0.5 }).nodes.at(-2)!.output.shape).toEqual([512]);
  });

  it("depthwise separable: 4,800 + 49,152 = 53,952 multiplications (the seed's slide prints 52,952) against 1,228,800", () => {
    const macs = (m: ReturnType<typeof sequential>) => summary(m).totalFlops / 2;
    expect(macs(sequential([3, 12, 12], [new Conv2d({ filters: 256, kernel: 5, bias: false })]))).toBe(1_228_800);
    const dw = macs(sequential([3, 12, 12], [new DepthwiseConv2d({ kernel: 5, bias: false })]));
    const pw = macs(sequential([3, 8, 8], [new Conv2d({ filters: 256, kernel: 1, bias: false })]));
    expect([dw, pw, dw + pw]).toEqual([4_800, 49_152, 53_952]);
  });

  it('GoogLeNet: the seed\'s "only 4 million parameters" does not follow from the structure: 6,624,904 as torchvision builds it', () => {
    // The paper's table 1 sums to about 6.8M with 5x5 convolutions; torchvision's 3x3 and batch norm give 6.62M. Neither is 4M.
    expect(summary(googlenet()).totalParams).toBe(6_624_904);
  });

  it("adaptive average pooling uses PyTorch's uneven windows (GoogLeNet's auxiliary 14x14 -> 4x4)", async () => {
    const rng = new Random(2);
    const values = rng.uniformArray(2 * 14 * 14);
    const x = tensor(cpu, values, [1, 2, 14, 14]);
    const y = await new AdaptiveAvgPool2d(4).forward({ training: false, use: (t) => t }, [x]).read();
    const starts = [0, 3, 7, 10];
    const want: number[] = [];
    for (let c = 0; c < 2; c++)
      for (const h0 of starts)
        for (const w0 of starts) {
          let sum = 0;
          for (let h = h0; h < h0 + 4; h++) for (let w = w0; w < w0 + 4; w++) sum += values[c * 196 + h * 14 + w];
          want.push(sum / 16);
        }
    [...y].forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    // Sizes that divide use one pool; the input's own size passes it through.
    expect(summary(sequential([3, 12, 12], [new AdaptiveAvgPool2d(6)])).rows[1].outputShape).toEqual([3, 6, 6]);
    expect(summary(sequential([3, 6, 6], [new AdaptiveAvgPool2d(6)])).rows[1].activations).toBe(0);
  });

  it('layer names are torchvision module paths', () => {
    const names = (key: string) => MODELS[key]().layers.map((l) => l.name);
    expect(names('resnet18')).toEqual(
      expect.arrayContaining(['conv1', 'bn1', 'layer1.0.conv1', 'layer1.0.bn2', 'layer2.0.downsample.0', 'layer2.0.downsample.1', 'layer4.1.conv2', 'fc']),
    );
    expect(names('resnet50')).toEqual(expect.arrayContaining(['layer1.0.conv3', 'layer1.0.bn3', 'layer1.0.downsample.0', 'layer3.5.conv2']));
    expect(names('densenet121')).toEqual(
      expect.arrayContaining([
        'features.conv0',
        'features.norm0',
        'features.denseblock1.denselayer1.norm1',
        'features.denseblock4.denselayer16.conv2',
        'features.transition3.conv',
        'features.norm5',
        'classifier',
      ]),
    );
    expect(names('googlenet')).toEqual(
      expect.arrayContaining([
        'conv1.conv',
        'conv1.bn',
        'conv3.conv',
        'inception3a.branch2.1.conv',
        'inception4e.branch4.1.bn',
        'inception5b.branch3.1.conv',
        'fc',
      ]),
    );
    expect(names('googlenet-aux')).toEqual(expect.arrayContaining(['aux1.conv.conv', 'aux1.fc1', 'aux2.fc2']));
    expect(names('fcn-resnet50')).toEqual(
      expect.arrayContaining([
        'backbone.conv1',
        'backbone.bn1',
        'backbone.layer1.0.conv1',
        'backbone.layer3.0.downsample.1',
        'classifier.0',
        'classifier.1',
        'classifier.4',
      ]),
    );
    expect(names('fcn-resnet50').some((n) => n.startsWith('aux_classifier') || n === 'backbone.fc')).toBe(false);
    expect(names('fcn-resnet50-aux')).toEqual(expect.arrayContaining(['aux_classifier.0', 'aux_classifier.1', 'aux_classifier.4']));
    expect(names('vgg16').filter((n) => n.startsWith('features.') || n.startsWith('classifier.'))).toEqual([
      ...[0, 2, 4, 5, 7, 9, 10, 12, 14, 16, 17, 19, 21, 23, 24, 26, 28, 30].map((i) => `features.${i}`),
      'classifier.0',
      'classifier.2',
      'classifier.3',
      'classifier.5',
      'classifier.6',
    ]);
    expect(names('vgg16-bn').slice(0, 4)).toEqual(['features.0', 'features.1', 'features.2', 'features.3']);
    expect(names('alexnet-torchvision').filter((n) => /^(features|classifier)\.\d+$/.test(n))).toEqual([
      'features.0',
      'features.2',
      'features.3',
      'features.5',
      'features.6',
      'features.8',
      'features.10',
      'features.12',
      'classifier.0',
      'classifier.1',
      'classifier.3',
      'classifier.4',
      'classifier.6',
    ]);
  });

  it('the trainable-here versions keep their family structure and build for 28x28x1 and 32x32x3', () => {
    for (const key of ['resnet20', 'plain20', 'mobilenet-v1-cifar', 'densenet-bc', 'googlenet-mini', 'alexnet-mini', 'zfnet-mini']) {
      expect(TRAINABLE_HERE).toContain(key);
      for (const shape of [
        [1, 28, 28],
        [3, 32, 32],
      ])
        expect(MODELS[key](shape, 10).output.shape, `${key} ${shape}`).toEqual([10]);
    }
    // He et al.'s CIFAR ResNet-20: 19 convolutions and a dense layer, about 0.27M parameters (1x1 projections where the shape changes).
    const r20 = MODELS.resnet20();
    expect(r20.layers.filter((l) => l.kind === 'conv2d' && !l.name.includes('downsample'))).toHaveLength(19);
    expect(summary(r20).totalParams).toBe(272_186);
    expect(MODELS['densenet-bc']().layers.filter((l) => l.kind === 'concat').length).toBeGreaterThan(10);
    expect(MODELS['googlenet-mini']().layers.filter((l) => l.name.endsWith('.concat'))).toHaveLength(4);
    const mini = MODELS['alexnet-mini']().layers.map((l) => l.kind);
    for (const kind of ['lrn', 'maxpool2d', 'dropout']) expect(mini).toContain(kind);
  });

  it("every trainable-here classifier's head starts small (0.01 x randn), so the first loss is about ln(classes)", () => {
    // He-initialised, densenet-bc's head read the final BN-ReLU's pooled features (about 0.4 a
    // channel, not centred) at a logit std of about 0.7: its first loss was 3 to 10% above ln(10).
    for (const key of TRAINABLE_HERE) {
      const head = MODELS[key]()
        .layers.filter((l) => l.kind === 'dense')
        .at(-1) as Dense;
      expect(head.options.init, key).toBe('small');
    }
  });

  it("the planner's working bytes for a ResNet-50 step at batch 4 of 224x224 (no device allocation)", async () => {
    const model = resnet50().build(new CpuBackend(), { seed: 1 });
    const m = trainStepMemory(model, 4);
    // Activations of a batch of 4 go well past 100 MB; reuse must save a good part of them.
    expect(m.unsharedBytes).toBeGreaterThan(1e9);
    expect(m.workingBytes).toBeLessThan(0.6 * m.unsharedBytes);
    expect(m.largest?.label).toBeTruthy();
    console.log(
      `resnet50 batch 4 step: working ${(m.workingBytes / 2 ** 20).toFixed(0)} MiB, without reuse ${(m.unsharedBytes / 2 ** 20).toFixed(0)} MiB, largest ${m.largest?.label} ${m.largest?.shape} ${(m.largestBytes / 2 ** 20).toFixed(0)} MiB`,
    );
    model.dispose();
  });

  it('a model too big for the adapter fails before anything is allocated, naming the layer and the bytes', async () => {
    const gpu = await gpuBackend();
    const side = Math.ceil(Math.sqrt(gpu.maxBindingBytes / 4 / 8)) + 8;
    const model = sequential([1, side, side], [new Conv2d({ filters: 8, kernel: 3, padding: 1, name: 'wide' }), new GlobalAvgPool()], 'huge').build(gpu);
    const trainer = new Trainer(model, { optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 1 });
    const before = gpu.stats().buffersCreated;
    expect(() => trainer.stepStats()).toThrow(
      new RegExp(
        `huge: layer 'wide' \\(conv2d\\) computes a tensor of shape \\[1,8,${side},${side}\\]: [\\d,]+ bytes, over the adapter's limit of [\\d,]+ bytes per buffer binding\\. Lower the batch size \\(1\\)`,
      ),
    );
    expect(gpu.stats().buffersCreated).toBe(before + 0);
    model.dispose();
  });
});

describe('verify(): one training step of each zoo family on both backends', () => {
  const check = async (key: string, shape: number[], classes: number) => {
    const gpu = await gpuBackend();
    const model = MODELS[key](shape, classes).build(gpu, { seed: 3 });
    const rng = new Random(5);
    const rows = await verify(model, { x: rng.uniformArray(2 * shape.reduce((a, b) => a * b, 1)), labels: [1, classes - 1] });
    const bad = rows.filter((r) => !r.ok);
    expect(bad, `${key}\n${formatVerify(bad)}`).toEqual([]);
    expect(rows.some((r) => r.phase === 'backward')).toBe(true);
    model.dispose();
  };
  for (const key of ['resnet20', 'mobilenet-v1-cifar', 'densenet-bc', 'googlenet-mini', 'alexnet-mini', 'zfnet-mini'])
    it(`${key} at 28x28x1, batch 2`, () => check(key, [1, 28, 28], 10), 300_000);
  for (const key of ['resnet18', 'mobilenet-v1', 'densenet121', 'googlenet']) it(`${key} at 32x32x3, batch 2`, () => check(key, [3, 32, 32], 1000), 300_000);
});

describe("torchvision's state dicts map one name to one name onto the zoo", () => {
  // Made by scripts/torchvision_keys.py with Debian's PyTorch 1.13 / torchvision 0.14 (random weights).
  it('every key and shape of each torchvision model is one parameter here (BN weight/bias as gamma/beta, Linear transposed)', async () => {
    const fixture = (await import('../fixtures/torchvision_state_dicts.json')).default as unknown as Record<string, { tensors: [string, number[]][] }>;
    expect(Object.keys(fixture)).toHaveLength(17);
    for (const [key, { tensors }] of Object.entries(fixture)) {
      const layout = torchStateDictLayout(MODELS[key]());
      const ours = layout.map((t) => `${t.torch} [${t.shape.join(',')}]`).sort();
      const theirs = tensors.map(([name, shape]) => `${name} [${shape.join(',')}]`).sort();
      expect(ours, key).toEqual(theirs);
    }
  });
});
