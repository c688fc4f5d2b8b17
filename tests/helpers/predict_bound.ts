// How far a chain model's predictions at precision 'f16' may be from those at 'f32'
// (docs/numerics.md, "predict at f16"): the spread of their difference derived layer by
// layer, to first order in the unit roundoffs, on the CPU reference in float64 from the
// model's own weights and input.
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { F16_UNIT_ROUNDOFF, F32_UNIT_ROUNDOFF } from '../../src/numerics';
import type { Model } from '../../src/nn/model';
import { tensor, type Tensor } from '../../src/tensor';

/** Layers that pass a difference on without growing it (1-Lipschitz: max pooling, reshapes). */
const PASS_THROUGH = new Set(['maxpool2d', 'flatten', 'reshape']);

/**
 * Per output element of `model` on `images` (a batch of `count`), the standard deviation
 * of predict at f16 minus predict at f32, modelling each rounding as an independent error
 * of relative size uniform in [-u, u] (variance u^2 / 3). A convolution or dense layer
 * y = W x + b whose input differs by d between the two paths gives, to first order
 * (A_V(v): the layer applied to v with weights V and no bias; squares elementwise):
 *   d' = W d + W (dW + dx) x + (the two float32 sums' errors)
 *   var d' = A_(W^2)(var d) + 2 (u16^2 / 3) A_(W^2)(x^2) + 2 n (u32^2 / 3) A_|W|(|x|)^2
 * (the f16 rounding of the weights and of the input, then each path's n = fan-in + 1
 * float32 roundings, every partial sum at most the sum of |terms|). A fused ReLU and max
 * pooling pass the difference on (max pooling the largest variance of its window);
 * other layers are refused. Rounding to f16 beyond a relative error (subnormals, below
 * 2^-14) is left out: its absolute error is under 2^-25.
 */
export async function predictDifferenceSigma(model: Model, images: Float32Array, count: number): Promise<Float64Array> {
  const cpu = new CpuBackend({ precision: 'float64' });
  const values = (t: Tensor) => cpu.readFloat64(t.storageFor('bound'));
  const of = (data: ArrayLike<number>, shape: readonly number[]) => tensor(cpu, data, shape);
  const params = new Map<string, Record<string, Float32Array>>();
  for (const p of model.params()) {
    const rec = params.get(p.layer.name) ?? {};
    rec[p.spec.name] = await p.tensor.read();
    params.set(p.layer.name, rec);
  }
  const ctx = { training: false, use: (t: Tensor) => t };
  let x = of(images, [count, ...model.input.shape]);
  let variance = of(new Float64Array(images.length), x.shape);
  for (const node of model.nodes) {
    const { layer } = node;
    if (node.inputs.length !== 1) throw new Error(`predictDifferenceSigma: ${layer.name} takes ${node.inputs.length} inputs; the model follows chains only`);
    if (PASS_THROUGH.has(layer.kind)) {
      [x, variance] = [layer.forward(ctx, [x], {}), layer.forward(ctx, [variance], {})];
      continue;
    }
    const activation = (layer as { options?: { activation?: string } }).options?.activation;
    if ((layer.kind !== 'conv2d' && layer.kind !== 'dense') || (activation !== undefined && activation !== 'relu'))
      throw new Error(`predictDifferenceSigma: no rule for ${layer.name} (${layer.kind}${activation ? `, ${activation}` : ''})`);
    const { weight, bias } = params.get(layer.name)!;
    const wShape = layer.params(node.inputs.map((i) => i.shape)).find((s) => s.name === 'weight')!.shape;
    const outChannels = layer.kind === 'dense' ? wShape[1] : wShape[0];
    const n = weight.length / outChannels + 1;
    const withBias = (b: () => ArrayLike<number>): Record<string, Tensor> => (bias ? { bias: of(b(), [outChannels]) } : {});
    // A_V(v) for v, V >= 0: no bias, and the fused ReLU is then the identity.
    const apply = (v: ArrayLike<number>, w: ArrayLike<number>) =>
      values(layer.forward(ctx, [of(v, x.shape)], { weight: of(w, wShape), ...withBias(() => new Float64Array(outChannels)) }));
    const xs = values(x);
    const [w2, absW] = [Float64Array.from(weight, (v) => v * v), Float64Array.from(weight, Math.abs)];
    const passed = apply(values(variance), w2);
    const rounded = apply(
      Float64Array.from(xs, (v) => v * v),
      w2,
    );
    const sums = apply(Float64Array.from(xs, Math.abs), absW);
    const [s16, s32] = [F16_UNIT_ROUNDOFF ** 2 / 3, F32_UNIT_ROUNDOFF ** 2 / 3];
    const next = passed.map((v, i) => v + 2 * s16 * rounded[i] + 2 * n * s32 * sums[i] ** 2);
    x = layer.forward(ctx, [x], { weight: of(weight, wShape), ...withBias(() => bias!) });
    variance = of(next, x.shape);
  }
  return values(variance).map(Math.sqrt);
}
