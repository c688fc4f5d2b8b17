// Training steps of the two zoo networks the bench times (resnet20, mobilenet-v1-cifar)
// written in jax-js the way tfjs_zoo.ts writes them in TF.js: the same layers, the same
// He-scaled deterministic weights in the same order, batch norm on the batch's statistics;
// the step itself is jax_train.ts's jitSgdStep (valueAndGrad and SGD 0.01 under one jit).
// NCHW inputs and OIHW filters, as lax.conv takes them; every use of a jax-js array
// consumes a reference, so a value used twice is passed once as `.ref` (batch norm's input,
// a block's input feeding the shortcut); each parameter is read once.
import type * as Jax from '@jax-js/jax';
import { MOBILENET_BLOCKS, MOBILENET_CIFAR_STRIDES } from '../../src/nn/models/mobilenet';
import { jitSgdStep } from './jax_train';
import { benchData } from './systems';

type Layer = (p: Jax.Array[], x: Jax.Array) => Jax.Array;

/** The network's parameters, created in order, and its layers reading them by index. */
class Builder {
  readonly params: Jax.Array[] = [];
  private seed = 10;
  readonly jax: typeof Jax;
  constructor(jax: typeof Jax) {
    this.jax = jax;
  }

  make(shape: number[], fanIn: number, fill?: number): number {
    const { numpy: np } = this.jax;
    const count = shape.reduce((a, b) => a * b, 1);
    const values = fill === undefined ? benchData(shape, this.seed++).map((v) => v * Math.sqrt(2 / fanIn)) : new Float32Array(count).fill(fill);
    this.params.push(np.array(values).reshape(shape));
    return this.params.length - 1;
  }

  /** Batch norm over N, H, W with the batch's (biased) statistics, as ours trains. */
  batchNorm(c: number): Layer {
    const { numpy: np } = this.jax;
    const gamma = this.make([c], 1, 1);
    const beta = this.make([c], 1, 0);
    return (p, y) => {
      const mean = np.mean(y.ref, [0, 2, 3], { keepdims: true });
      const variance = np.var_(y.ref, [0, 2, 3], { keepdims: true });
      const scale = np.reciprocal(np.sqrt(variance.add(1e-5))).mul(p[gamma].reshape([1, c, 1, 1]));
      return y
        .sub(mean)
        .mul(scale)
        .add(p[beta].reshape([1, c, 1, 1]));
    };
  }

  /** conv (no bias, 'same' for 3x3, 'valid' for 1x1) - batch norm - optional ReLU; depthwise with groups = channels. */
  convBn(cin: number, cout: number, k: number, stride: number, relu: boolean, depthwise = false): Layer {
    const { lax, nn } = this.jax;
    const filter = this.make(depthwise ? [cout, 1, k, k] : [cout, cin, k, k], depthwise ? k * k : k * k * cin);
    const bn = this.batchNorm(cout);
    return (p, x) => {
      const y = lax.convGeneralDilated(x, p[filter], [stride, stride], k === 1 ? 'VALID' : 'SAME', depthwise ? { featureGroupCount: cin } : {});
      const n = bn(p, y);
      return relu ? nn.relu(n) : n;
    };
  }

  head(features: number, classes: number): Layer {
    const { numpy: np } = this.jax;
    const weight = this.make([features, classes], features);
    const bias = this.make([classes], 1, 0);
    return (p, x) => np.matmul(np.mean(x, [2, 3]), p[weight]).add(p[bias]);
  }
}

function resnet20(b: Builder, channels: number, classes: number): Layer {
  const { nn } = b.jax;
  const stem = b.convBn(channels, 16, 3, 1, true);
  const blocks: Layer[] = [];
  let cin = 16;
  [16, 32, 64].forEach((width, stage) => {
    for (let j = 0; j < 3; j++) {
      const stride = stage > 0 && j === 0 ? 2 : 1;
      const first = b.convBn(cin, width, 3, stride, true);
      const second = b.convBn(width, width, 3, 1, false);
      const shortcut: Layer = stride !== 1 || cin !== width ? b.convBn(cin, width, 1, stride, false) : (_p, x) => x;
      blocks.push((p, x) => nn.relu(second(p, first(p, x.ref)).add(shortcut(p, x))));
      cin = width;
    }
  });
  const fc = b.head(64, classes);
  return (p, x) =>
    fc(
      p,
      blocks.reduce((h, block) => block(p, h), stem(p, x)),
    );
}

function mobilenetCifar(b: Builder, channels: number, classes: number): Layer {
  const width = (c: number) => Math.max(1, Math.round(c * 0.5));
  const stem = b.convBn(channels, width(32), 3, MOBILENET_CIFAR_STRIDES[0], true);
  const layers: Layer[] = [];
  let cin = width(32);
  MOBILENET_BLOCKS.forEach(([filters], i) => {
    const dw = b.convBn(cin, cin, 3, MOBILENET_CIFAR_STRIDES[i + 1], true, true);
    const pw = b.convBn(cin, width(filters), 1, 1, true);
    layers.push((p, x) => pw(p, dw(p, x)));
    cin = width(filters);
  });
  const fc = b.head(cin, classes);
  return (p, x) =>
    fc(
      p,
      layers.reduce((h, layer) => layer(p, h), stem(p, x)),
    );
}

export const JAX_ZOO_STEPS = { resnet20, 'mobilenet-v1-cifar': mobilenetCifar } as const;

/** One SGD step of a zoo network in jax-js on a batch of 28x28x1 images, 10 classes (jitSgdStep): run() returns the loss on the host. */
export function jaxZooTrainStep(jax: typeof Jax, model: keyof typeof JAX_ZOO_STEPS, batch: number) {
  const b = new Builder(jax);
  const forward = JAX_ZOO_STEPS[model](b, 1, 10);
  // The step's parameters change value, never shape: their count is the zoo model's trainable count (tests compare it with ours).
  const parameters = b.params.reduce((n, a) => n + a.size, 0);
  return { ...jitSgdStep(jax, b.params, forward, [batch, 1, 28, 28]), parameterCount: () => parameters };
}
