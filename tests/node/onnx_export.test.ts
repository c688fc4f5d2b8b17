// exportOnnx against ONNX Runtime (onnxruntime-node, CPU): every trainable-here zoo model
// and the every-layer net, random weights and perturbed batch-norm statistics, eval-mode
// outputs of our CPU reference against ONNX Runtime's within 1e-5 of the largest output.
// The exported file read back by importOnnx gives the same outputs again.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { exportOnnx } from '../../src/io/onnx/onnx_export';
import { importOnnx } from '../../src/io/onnx/onnx_import';
import type { Model } from '../../src/nn/model';
import { MODELS, TRAINABLE_HERE } from '../../src/nn/zoo';
import { Random } from '../../src/random';
import { sizeOf } from '../../src/shape';
import { tensor } from '../../src/tensor';
import { relativeError } from '../helpers/torch_compare';

const cpu = new CpuBackend();

/** Random running statistics and affine terms: eval-mode batch norm is then no identity. */
function perturbBatchNorm(model: Model, rng: Random): void {
  for (const p of model.params()) {
    const n = p.tensor.shape[0];
    if (p.name.endsWith('.running_var')) p.tensor.write(Float32Array.from({ length: n }, () => rng.uniform(0.5, 1.5)));
    else if (p.name.endsWith('.running_mean') || p.name.endsWith('.beta')) p.tensor.write(Float32Array.from({ length: n }, () => 0.1 * rng.normal()));
    else if (p.name.endsWith('.gamma')) p.tensor.write(Float32Array.from({ length: n }, () => rng.uniform(0.5, 1.5)));
  }
}

async function ours(model: Model, x: Float32Array, batch: number): Promise<Float32Array> {
  const xt = tensor(cpu, x, [batch, ...model.input.shape]);
  const y = model.forward({ training: false, use: (t) => t }, xt);
  const out = await y.read();
  xt.dispose();
  y.dispose();
  return out;
}

async function onnxRuntime(bytes: Uint8Array, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ input: new ort.Tensor('float32', x, shape) });
  return result.output.data as Float32Array;
}

describe('exportOnnx runs in ONNX Runtime with our outputs', () => {
  it.each(['every-layer', ...TRAINABLE_HERE])(
    '%s',
    async (key) => {
      const model = MODELS[key]().build(cpu, { seed: 4 });
      perturbBatchNorm(model, new Random(5));
      const batch = 2;
      const rng = new Random(6);
      const x = Float32Array.from({ length: batch * sizeOf(model.input.shape) }, () => rng.normal());
      const bytes = await exportOnnx(model);
      const expected = await ours(model, x, batch);
      expect(relativeError(await onnxRuntime(bytes, x, [batch, ...model.input.shape]), expected)).toBeLessThan(1e-5);
      const back = importOnnx(bytes, { file: `${key}.onnx` }).build(cpu);
      expect(relativeError(await ours(back, x, batch), expected)).toBeLessThan(1e-6);
    },
    120_000,
  );
});

describe('exportOnnx leaves out what inference does not compute', () => {
  it("googlenet with auxiliary heads: the heads are not in the file, the outputs equal ONNX Runtime's", async () => {
    const { googlenet } = await import('../../src/nn/models/googlenet');
    const { onnx } = await import('../../src/io/onnx/onnx_proto');
    const model = googlenet([3, 64, 64], 10, { auxLogits: true }).build(cpu, { seed: 2 });
    perturbBatchNorm(model, new Random(3));
    const rng = new Random(4);
    const x = Float32Array.from({ length: 3 * 64 * 64 }, () => rng.normal());
    const bytes = await exportOnnx(model);
    const names = onnx.ModelProto.decode(bytes).graph!.initializer!.map((t) => t.name!);
    expect(names.some((n) => n.startsWith('aux'))).toBe(false);
    expect(names).toContain('fc.weight');
    expect(relativeError(await onnxRuntime(bytes, x, [1, 3, 64, 64]), await ours(model, x, 1))).toBeLessThan(1e-5);
  }, 120_000);
});
