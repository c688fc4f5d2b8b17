// ONNX files PyTorch wrote (scripts/torch_fixtures.py, opsets 11 to 17) imported and run on
// the CPU reference against PyTorch's float64 logits: within 1e-4 of the largest logit.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { importOnnx } from '../../src/io/onnx/onnx_import';
import { tensor } from '../../src/tensor';
import { fixtureBytes } from '../helpers/fixture_files';
import { relativeError, torchFixture } from '../helpers/torch_compare';
import { TORCH_FIXTURES } from '../fixtures/torch_models';

const cpu = new CpuBackend();

describe('importOnnx of PyTorch exports', () => {
  it.each(Object.keys(TORCH_FIXTURES))('%s: logits equal PyTorch', async (name) => {
    const model = importOnnx(await fixtureBytes(`torch/${name}.onnx`), { file: `${name}.onnx` }).build(cpu);
    const { expected } = await torchFixture(name);
    const x = expected.get('input')!;
    const xt = tensor(cpu, x.data, x.shape);
    const logits = await model.forward({ training: false, use: (t) => t }, xt).read();
    expect(relativeError(logits, expected.get('logits_eval')!.data)).toBeLessThan(1e-4);
  });
});
