// The parity sweep's real sizes (--full): layers of ResNet-50 and VGG-16 at batch 8, their
// dense heads, MobileNet's depthwise layers and the networks' pools, each convolution in its
// three passes. Tolerances as the tests' (parity_core.ts): they grow with the reduction.
import { conv2dAttrs } from '../../src/ops/conv2d';
import { depthwiseGeometry } from '../../src/ops/depthwise_conv2d';
import type { ParityCase } from '../../tests/helpers/parity_core';
import { convName, convSetup, type ConvRow } from '../../tests/ops/conv2d.cases';
import { poolName, poolSetup, type PoolRow } from '../../tests/ops/pool2d.cases';

/** A convolution layer's forward, input-gradient and filter-gradient cases (as conv2d.cases.ts makes them). */
export function convCases(r: ConvRow, label: string): ParityCase[] {
  const { filter, attrs, g, y } = convSetup(r);
  const name = `${label} ${convName(r)}`;
  return [
    {
      name: `forward ${name}`,
      op: 'conv2d',
      inputs: [{ shape: r.x }, { shape: filter }, ...(r.bias ? [{ shape: [r.o] }] : [])],
      attrs,
      reduction: g.cg * g.kh * g.kw + 1,
    },
    {
      name: `grad_input ${name}`,
      op: 'conv2d_grad_input',
      inputs: [{ shape: y }, { shape: filter }],
      attrs: { ...attrs, inputShape: r.x },
      reduction: g.og * g.kh * g.kw,
    },
    {
      name: `grad_filter ${name}`,
      op: 'conv2d_grad_filter',
      inputs: [{ shape: r.x }, { shape: y }],
      attrs: { ...attrs, filterShape: filter },
      reduction: g.n * g.oh * g.ow,
    },
  ];
}

function depthwiseCases(x: [number, number, number, number], stride: number, label: string): ParityCase[] {
  const filter = [x[1], 1, 3, 3];
  const attrs = conv2dAttrs(x, filter, { stride, padding: 1, groups: x[1] });
  const g = depthwiseGeometry('depthwise_conv2d', x, filter, attrs);
  const name = `${label} x=${x.join('x')},k=3x3,s=${stride},p=1`;
  return [
    { name: `forward ${name}`, op: 'depthwise_conv2d', inputs: [{ shape: x }, { shape: filter }, { shape: [g.o] }], attrs, reduction: g.kh * g.kw + 1 },
    {
      name: `grad_input ${name}`,
      op: 'depthwise_conv2d_grad_input',
      inputs: [{ shape: [g.n, g.o, g.oh, g.ow] }, { shape: filter }],
      attrs: { ...attrs, inputShape: x },
      reduction: g.mult * g.kh * g.kw,
    },
    {
      name: `grad_filter ${name}`,
      op: 'depthwise_conv2d_grad_filter',
      inputs: [{ shape: x }, { shape: [g.n, g.o, g.oh, g.ow] }],
      attrs: { ...attrs, filterShape: filter },
      reduction: g.n * g.oh * g.ow,
    },
  ];
}

function poolCases(r: PoolRow, label: string): ParityCase[] {
  const { attrs, y, window } = poolSetup(r);
  const name = `${label} ${poolName(r)}`;
  return [
    { name: `maxpool2d ${name}`, op: 'maxpool2d', inputs: [{ shape: r.x }], attrs },
    { name: `maxpool2d_grad ${name}`, op: 'maxpool2d_grad', inputs: [{ shape: r.x }, { shape: y }], attrs, reduction: window },
    { name: `avgpool2d ${name}`, op: 'avgpool2d', inputs: [{ shape: r.x }], attrs, reduction: window },
    { name: `avgpool2d_grad ${name}`, op: 'avgpool2d_grad', inputs: [{ shape: y }], attrs: { ...attrs, inputShape: r.x }, reduction: window },
  ];
}

function matmulCase(m: number, n: number, k: number, label: string, opts: { transposeB?: boolean; bias?: boolean } = {}): ParityCase {
  const inputs = [{ shape: [m, k] }, { shape: opts.transposeB ? [n, k] : [k, n] }, ...(opts.bias ? [{ shape: [n] }] : [])];
  return {
    name: `${label} m=${m},n=${n},k=${k}${opts.transposeB ? ',tB' : ''}${opts.bias ? ',bias' : ''}`,
    op: 'matmul',
    inputs,
    attrs: { transposeA: false, transposeB: !!opts.transposeB },
    reduction: k + (opts.bias ? 1 : 0),
  };
}

/** Real layers at batch 8, in the order the sweep runs them (cheapest references first). */
export function realCases(): ParityCase[] {
  return [
    matmulCase(8, 1000, 2048, 'ResNet-50 fc', { transposeB: true, bias: true }),
    matmulCase(8, 4096, 4096, 'VGG-16 fc7', { transposeB: true, bias: true }),
    matmulCase(1024, 1024, 1024, 'GEMM'),
    ...poolCases({ x: [8, 64, 112, 112], k: 3, options: { stride: 2, padding: 1 } }, 'ResNet-50 stem pool'),
    ...poolCases({ x: [8, 128, 112, 112], k: 2 }, 'VGG-16 pool2'),
    ...depthwiseCases([8, 256, 28, 28], 1, 'MobileNet dw'),
    ...depthwiseCases([8, 512, 28, 28], 2, 'MobileNet dw'),
    ...convCases({ x: [8, 64, 56, 56], o: 256, k: [1, 1] }, 'ResNet-50 layer1 1x1'),
    ...convCases({ x: [8, 512, 28, 28], o: 1024, k: [1, 1], stride: 2 }, 'ResNet-50 layer3 projection'),
    ...convCases({ x: [8, 128, 28, 28], o: 128, k: [3, 3], padding: 1 }, 'ResNet-50 layer2 3x3'),
    ...convCases({ x: [8, 512, 14, 14], o: 512, k: [3, 3], stride: 2, padding: 1 }, 'ResNet-50 layer4 3x3 s2'),
    ...convCases({ x: [8, 3, 224, 224], o: 64, k: [7, 7], stride: 2, padding: 3 }, 'ResNet-50 conv1'),
    ...convCases({ x: [8, 3, 224, 224], o: 64, k: [3, 3], padding: 1, bias: true }, 'VGG-16 conv1_1'),
    ...convCases({ x: [8, 512, 14, 14], o: 512, k: [3, 3], padding: 1, bias: true }, 'VGG-16 conv5_1'),
  ];
}
