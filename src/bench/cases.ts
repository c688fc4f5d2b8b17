import type { WebGPUBackend } from '../backends/webgpu/webgpu_backend';
import { conv2dAttrs, conv2dGradFilter, conv2dGradInput, conv2d } from '../ops/conv2d';
import { depthwiseConv2d } from '../ops/depthwise_conv2d';
import { matmul } from '../ops/matmul';
import { runOp } from '../ops/op';
import { avgpool2dGradOp, maxpool2dGradOp, avgpool2d, maxpool2d, pool2dAttrs } from '../ops/pool2d';
import { Random } from '../random';
import { sizeOf, type Shape } from '../shape';
import { tensor, type Tensor } from '../tensor';

/** One benchmark case: its name (stable across runs), its flop count, and how to build it. */
export interface BenchCase {
  name: string;
  flops: number;
  /** Creates inputs on the backend; `run` enqueues the timed work, `dispose` frees everything. */
  setup(backend: WebGPUBackend): { run: () => Tensor; inputs: Tensor[] };
}

const rand = (backend: WebGPUBackend, shape: Shape, seed: number) => tensor(backend, new Random(seed).uniformArray(sizeOf(shape)), shape);

function matmulCase(name: string, m: number, n: number, k: number): BenchCase {
  return {
    name,
    flops: 2 * m * n * k,
    setup(backend) {
      const inputs = [rand(backend, [m, k], 1), rand(backend, [k, n], 2)];
      return { inputs, run: () => matmul(inputs[0], inputs[1]) };
    },
  };
}

/** conv2d forward, grad-input and grad-filter for one layer shape ("same" padding when asked). */
function convCases(name: string, x: Shape, o: number, k: number, same = false): BenchCase[] {
  const filter = [o, x[1], k, k];
  const attrs = conv2dAttrs(x, filter, { padding: same ? 'same' : 'valid' });
  const oh = same ? x[2] : x[2] - k + 1;
  const ow = same ? x[3] : x[3] - k + 1;
  const y = [x[0], o, oh, ow];
  const flops = 2 * x[0] * o * oh * ow * x[1] * k * k;
  return [
    { name: `${name}-fwd`, flops, setup: (b) => { const i = [rand(b, x, 1), rand(b, filter, 2)]; return { inputs: i, run: () => conv2d(i[0], i[1], { padding: same ? 'same' : 'valid' }) }; } },
    { name: `${name}-grad-input`, flops, setup: (b) => { const i = [rand(b, y, 3), rand(b, filter, 2)]; return { inputs: i, run: () => conv2dGradInput(i[0], i[1], x, attrs) }; } },
    { name: `${name}-grad-filter`, flops, setup: (b) => { const i = [rand(b, x, 1), rand(b, y, 3)]; return { inputs: i, run: () => conv2dGradFilter(i[0], i[1], filter, attrs) }; } },
  ];
}

function dwCase(name: string, stride: number): BenchCase {
  const x = [8, 128, 56, 56];
  const out = Math.ceil(56 / stride);
  return {
    name,
    flops: 2 * 8 * 128 * out * out * 9,
    setup(b) {
      const i = [rand(b, x, 1), rand(b, [128, 1, 3, 3], 2)];
      return { inputs: i, run: () => depthwiseConv2d(i[0], i[1], { stride, padding: 'same' }) };
    },
  };
}

function poolCases(kind: 'maxpool' | 'avgpool'): BenchCase[] {
  const x = [32, 32, 28, 28];
  const y = [32, 32, 14, 14];
  const attrs = pool2dAttrs(x, 2);
  const ops = sizeOf(y) * 4;
  return [
    { name: `${kind}-2x2-fwd`, flops: ops, setup: (b) => { const i = [rand(b, x, 1)]; return { inputs: i, run: () => (kind === 'maxpool' ? maxpool2d : avgpool2d)(i[0], 2) }; } },
    {
      name: `${kind}-2x2-bwd`,
      flops: ops,
      setup: (b) => {
        const i = [rand(b, x, 1), rand(b, y, 2)];
        return {
          inputs: i,
          run: () => (kind === 'maxpool' ? runOp(maxpool2dGradOp, [i[0], i[1]], attrs) : runOp(avgpool2dGradOp, [i[1]], { ...attrs, inputShape: x })),
        };
      },
    },
  ];
}

/** The cases named by the benchmark issue, in a stable order. */
export const benchCases: BenchCase[] = [
  matmulCase('matmul-256', 256, 256, 256),
  matmulCase('matmul-512', 512, 512, 512),
  matmulCase('matmul-1024', 1024, 1024, 1024),
  matmulCase('dense-64x400x120', 64, 120, 400),
  ...convCases('conv-lenet1', [64, 1, 28, 28], 6, 5),
  ...convCases('conv-lenet2', [64, 6, 14, 14], 16, 5),
  ...convCases('conv-vgg', [8, 64, 56, 56], 64, 3, true),
  ...convCases('conv-mobilenet-pw', [8, 128, 28, 28], 128, 1),
  dwCase('dwconv-3x3-s1', 1),
  dwCase('dwconv-3x3-s2', 2),
  ...poolCases('maxpool'),
  ...poolCases('avgpool'),
];

/** The --quick subset: still includes matmul-512 and conv-lenet1. */
export const quickCaseNames = new Set(['matmul-256', 'matmul-512', 'dense-64x400x120', 'conv-lenet1-fwd', 'conv-lenet1-grad-input', 'conv-lenet1-grad-filter', 'conv-lenet2-fwd', 'maxpool-2x2-fwd']);
