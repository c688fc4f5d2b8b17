// jax-js training steps of the benchmark's plain networks (LeNet-5 and the CIFAR CNN: the
// layers of tfjs.ts's NETS, ReLU after every conv and every dense but the last, 2x2 max
// pools): the loss's valueAndGrad and the SGD update under one jit, as a jax-js user
// writes a training step. NCHW inputs and OIHW filters, as lax.conv takes them; jax-js
// arrays are reference-counted (every use consumes one reference, `.ref` adds one).
import type * as Jax from '@jax-js/jax';
import { benchData } from './systems';
import { NETS } from './nets';

type Params = { w: Jax.Array[]; b: Jax.Array[] };

/** One SGD step (learning rate 0.01, as the TF.js peer's) of a plain benchmark network in jax-js: run() returns the loss on the host. */
export function jaxTrainStep(jax: typeof Jax, model: keyof typeof NETS, batch: number) {
  const { numpy: np, lax, nn } = jax;
  const net = NETS[model];
  const [h0, w0, c0] = net.input;
  let seed = 10;
  const weight = (shape: number[], fanIn: number) => np.array(benchData(shape, seed++).map((v) => v * Math.sqrt(2 / fanIn))).reshape(shape);
  const params: Params = { w: [], b: [] };
  for (const l of net.layers) {
    if ('conv' in l) {
      const [k, cin, cout] = l.conv;
      params.w.push(weight([cout, cin, k, k], k * k * cin));
      params.b.push(weight([cout], 1));
    } else if ('dense' in l) {
      params.w.push(weight([...l.dense], l.dense[0]));
      params.b.push(weight([l.dense[1]], 1));
    }
  }
  const forward = (p: Params, xs: Jax.Array): Jax.Array => {
    let h = xs;
    let i = 0;
    for (const l of net.layers) {
      if ('conv' in l) {
        h = nn.relu(lax.conv(h, p.w[i], [1, 1], l.pad === 'same' ? 'SAME' : 'VALID').add(p.b[i].reshape([1, -1, 1, 1])));
        i++;
      } else if ('pool' in l) {
        h = lax.reduceWindow(h, (win: Jax.Array) => win.max(), [2, 2], [2, 2]);
      } else if ('flatten' in l) {
        h = h.reshape([batch, -1]);
      } else {
        h = np.matmul(h, p.w[i]).add(p.b[i]);
        if (l.relu) h = nn.relu(h);
        i++;
      }
    }
    return h;
  };
  return jitSgdStep(jax, params, forward, [batch, c0, h0, w0]);
}

/**
 * A training step as a jax-js user writes one: the softmax cross-entropy of `forward`'s
 * logits on a fixed batch of the bench's deterministic images (`input`, NCHW) and labels
 * i mod 10, its valueAndGrad and the SGD update (learning rate 0.01, as the TF.js peer's)
 * under one jit. `forward` consumes its references (each parameter read once, `.ref` for
 * a second use). run() returns the loss on the host.
 */
export function jitSgdStep<P extends Jax.JsTree<Jax.Array>>(jax: typeof Jax, initial: P, forward: (p: P, xs: Jax.Array) => Jax.Array, input: number[]) {
  const { numpy: np, nn, jit, valueAndGrad, tree } = jax;
  const batch = input[0];
  let params = initial;
  const x = np.array(benchData(input, 1)).reshape(input);
  const hot = new Float32Array(batch * 10);
  for (let i = 0; i < batch; i++) hot[i * 10 + (i % 10)] = 1;
  const labels = np.array(hot).reshape([batch, 10]);
  // jax-js's transforms are typed over concrete trees, not a generic P: the traced
  // functions take a plain tree and the step is typed by hand.
  type Tree = Jax.JsTree<Jax.Array>;
  const loss = (p: Tree, xs: Jax.Array, ys: Jax.Array): Jax.Array =>
    nn
      .logSoftmax(forward(p as P, xs), -1)
      .mul(ys)
      .sum()
      .mul(-1 / batch);
  const step = jit((p: Tree, xs: Jax.Array, ys: Jax.Array) => {
    const [value, grads] = valueAndGrad(loss)(tree.map((a: Jax.Array) => a.ref, p) as Tree, xs, ys);
    return [value, tree.map((a: Jax.Array, g: Jax.Array) => a.sub(g.mul(0.01)), p, grads as Tree)];
  }) as unknown as (p: P, xs: Jax.Array, ys: Jax.Array) => [Jax.Array, P];
  return {
    async run(): Promise<number> {
      const [value, next] = step(params, x.ref, labels.ref);
      params = next;
      const [l] = await value.data();
      return l;
    },
    dispose() {
      for (const a of [...tree.leaves(params), x, labels]) a.dispose();
    },
  };
}
