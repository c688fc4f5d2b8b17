import { describe, expect, it } from 'vitest';
import { labelTensor, softmax, softmaxCrossEntropy } from '../../src/ops/softmax';
import { add } from '../../src/ops/binary';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkGradient } from '../helpers/gradcheck';
import { checkParity } from '../helpers/parity';
import { softmaxGrads, softmaxTable } from './softmax.cases';

describe('softmax parity (gpu vs cpu)', () => {
  for (const c of softmaxTable.cases) it(c.name, () => checkParity(c));
});

describe('softmax gradient rules (finite differences, cpu float64)', () => {
  for (const c of softmaxGrads.cases) it(c.name, () => checkGradient(c));
});

describe('softmax values', () => {
  it('stays finite for huge logits and gives log(K) loss for equal logits', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const p = await softmax(tensor(backend, [1000, 0, -1000], [1, 3])).read();
      expect([...p]).toEqual([1, 0, 0]);
      const loss = await softmaxCrossEntropy(tensor(backend, new Float32Array(20), [2, 10]), tensor(backend, [3, 9], [2])).read();
      expect(loss[0]).toBeCloseTo(Math.log(10), 5);
    }
  });

  it('a GPU label out of range that the host never saw gives NaN (a kernel cannot throw)', async () => {
    const gpu = await gpuBackend();
    // [0, 3], computed on the device: no host copy exists to check.
    const labels = add(tensor(gpu, [0, 1], [2]), tensor(gpu, [0, 2], [2]));
    const loss = await softmaxCrossEntropy(tensor(gpu, new Float32Array(6), [2, 3]), labels).read();
    expect(Number.isNaN(loss[0])).toBe(true);
  });
});

describe('softmax cross-entropy bad input', () => {
  it('names the op, the label and its row', () => {
    const logits = tensor(cpu, new Float32Array(6), [2, 3]);
    expect(() => softmaxCrossEntropy(logits, tensor(cpu, [0, 3], [2]))).toThrow('softmax_cross_entropy: label 3 at row 1 is not a class index in [0, 3)');
    expect(() => labelTensor(cpu, [1, -1], 3)).toThrow('softmax_cross_entropy: label -1 at row 1 is not a class index in [0, 3)');
    expect(() => softmaxCrossEntropy(logits, tensor(cpu, [0, 1, 2], [3]))).toThrow('softmax_cross_entropy: labels must be [2]');
  });

  // The same words on both backends: the GPU kernel cannot throw, so labels uploaded from the host are checked there.
  for (const name of ['cpu', 'webgpu'] as const) {
    it(`${name}: a label out of range, negative, fractional or NaN throws naming the row and the value`, async () => {
      const backend = name === 'cpu' ? cpu : await gpuBackend();
      const logits = tensor(backend, new Float32Array(6), [2, 3]);
      const cases: [number[], string][] = [
        [[0, 7], 'label 7 at row 1 is not a class index in [0, 3)'],
        [[-1, 0], 'label -1 at row 0 is not a class index in [0, 3)'],
        [[0, 1.5], 'label 1.5 at row 1 is not a class index in [0, 3)'],
        [[NaN, 0], 'label NaN at row 0 is not a class index in [0, 3)'],
      ];
      for (const [values, message] of cases) {
        expect(() => softmaxCrossEntropy(logits, tensor(backend, values, [2]))).toThrow(`softmax_cross_entropy: ${message}`);
      }
      // Made without a class count, checked when first used against the logits' 3 classes.
      expect(() => softmaxCrossEntropy(logits, labelTensor(backend, [0, 7]))).toThrow('softmax_cross_entropy: label 7 at row 1 is not a class index in [0, 3)');
      expect(() => labelTensor(backend, [0, -1])).toThrow('softmax_cross_entropy: label -1 at row 1 is not a class index (a non-negative integer)');
      expect(() => labelTensor(backend, [0, 7], 3)).toThrow('softmax_cross_entropy: label 7 at row 1 is not a class index in [0, 3)');
    });
  }
});
