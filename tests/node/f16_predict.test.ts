// model.predict at precision 'f16' on Mesa's lavapipe (shader-f16): the f16 rows run, and
// lenet5's outputs match predict at 'f32' within SIGMAS standard deviations of their
// difference, derived from the model's weights and input (tests/helpers/predict_bound.ts,
// docs/numerics.md). Training and eager ops stay float32.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { profileProgram } from '../../src/graph/profile';
import { compileInference } from '../../src/nn/inference';
import { lenet5 } from '../../src/nn/zoo';
import { createNodeWebGPUBackend } from '../../src/node';
import { Random } from '../../src/random';
import { matmul } from '../../src/ops/matmul';
import { tensor } from '../../src/tensor';
import { predictDifferenceSigma } from '../helpers/predict_bound';

const LAVAPIPE = ['/usr/share/vulkan/icd.d/lvp_icd.json', '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json'].some((f) => existsSync(f));
const F16_SHADERS = ['matmul_f16', 'conv2d_implicit_gemm_f16'];
/** Standard deviations allowed: a Gaussian passes 6 of them once in 10^9 draws; the first-order model leaves room. */
const SIGMAS = 6;

it.runIf(!LAVAPIPE)('needs Mesa lavapipe', (ctx) =>
  ctx.skip('skipped: Mesa lavapipe (lvp_icd.json) is not installed; on Debian 12: apt-get install -t bookworm-backports mesa-vulkan-drivers'),
);

describe.skipIf(!LAVAPIPE)('predict at precision f16 on lavapipe', () => {
  it('runs the f16 rows and matches predict at f32 within the derived spread (lenet5)', async (ctx) => {
    const f16 = await createNodeWebGPUBackend({ adapter: 'lavapipe', autotune: false, precision: 'f16' }).catch((e: Error) => e);
    if (f16 instanceof Error) {
      // Only an adapter without shader-f16 may refuse, and it must say so.
      expect(f16.message).toMatch(/precision 'f16' needs the adapter's 'shader-f16' feature, which the adapter .* does not offer/);
      return ctx.skip(`lavapipe here does not offer shader-f16: ${f16.message}`);
    }
    const f32 = await createNodeWebGPUBackend({ adapter: 'lavapipe', autotune: false });
    const count = 8;
    const images = new Random(7).uniformArray(count * 28 * 28, 0, 1);
    const [m16, m32] = [lenet5(), lenet5()];
    m16.build(f16, { seed: 5 });
    m32.build(f32, { seed: 5 });
    const traced = f16.traceShaders(() => m16.predict(images));
    const y16 = await traced.result;
    const traced32 = f32.traceShaders(() => m32.predict(images));
    const y32 = await traced32.result;
    // Both convolutions and the three dense layers on the f16 rows; none of them at f32.
    expect(traced.shaders.filter((s) => s === 'conv2d_implicit_gemm_f16')).toHaveLength(2);
    expect(traced.shaders.filter((s) => s === 'matmul_f16')).toHaveLength(3);
    expect(traced32.shaders.filter((s) => F16_SHADERS.includes(s))).toEqual([]);

    const sigma = await predictDifferenceSigma(m32, images, count);
    let worst = 0;
    let maxDiff = 0;
    for (let i = 0; i < y16.length; i++) {
      const diff = Math.abs(y16[i] - y32[i]);
      maxDiff = Math.max(maxDiff, diff);
      worst = Math.max(worst, diff / sigma[i]);
      expect(diff, `output ${i}: f16 ${y16[i]}, f32 ${y32[i]}, sigma ${sigma[i]}`).toBeLessThanOrEqual(SIGMAS * sigma[i]);
    }
    // f16 must differ from f32 at all, else the f16 rows did not round.
    expect(maxDiff).toBeGreaterThan(0);
    console.log(
      `lenet5 predict, f16 against f32 on lavapipe: largest |difference| ${maxDiff.toExponential(2)}, at most ${worst.toFixed(2)} sigma (largest sigma ${Math.max(...sigma).toExponential(2)}; largest |output| ${Math.max(...y32.map(Math.abs)).toExponential(2)})`,
    );
    for (const b of [f16, f32]) b.destroy();
  });

  it('profiles an inference pass of an f16 backend on its f16 rows', async (ctx) => {
    const backend = await createNodeWebGPUBackend({ adapter: 'lavapipe', autotune: false, precision: 'f16' }).catch(() => null);
    if (!backend) return ctx.skip('lavapipe here does not offer shader-f16');
    const model = lenet5();
    model.build(backend, { seed: 5 });
    const step = compileInference(model, 2);
    await step.program.run({ x: new Random(1).uniformArray(2 * 784, 0, 1) }, [step.output]);
    const shaders = (await profileProgram(step.program, backend)).flatMap((r) => r.shaders);
    expect(shaders.filter((s) => F16_SHADERS.includes(s))).toHaveLength(5);
    step.program.dispose();
    backend.destroy();
  });

  it('keeps eager ops and training-side kernels at f32 on an f16 backend, and the tuner never offered an f16 row there', async (ctx) => {
    const backend = await createNodeWebGPUBackend({ adapter: 'lavapipe', autotune: true, tuneStore: null, pretuned: false, precision: 'f16' }).catch(
      () => null,
    );
    if (!backend) return ctx.skip('lavapipe here does not offer shader-f16');
    const rng = new Random(3);
    const a = tensor(backend, rng.uniformArray(64 * 96), [64, 96]);
    const b = tensor(backend, rng.uniformArray(96 * 80), [96, 80]);
    const eager = backend.traceShaders(() => matmul(a, b));
    await eager.result.read();
    await backend.autotune();
    const tuned = backend.traceShaders(() => matmul(a, b));
    await tuned.result.read();
    for (const s of [...eager.shaders, ...tuned.shaders]) expect(F16_SHADERS).not.toContain(s);
    // Inside an inference pass the same product runs the f16 row.
    const inference = backend.traceShaders(() => backend.atInferencePrecision(() => matmul(a, b)));
    await inference.result.read();
    expect(inference.shaders).toEqual(['matmul_f16']);
    backend.destroy();
  });
});
