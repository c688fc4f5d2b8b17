import { describe, expect, it } from 'vitest';
import { labelTensor, softmax, softmaxCrossEntropy } from '../../src/ops/softmax';
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

  it('a GPU label out of range gives NaN (a kernel cannot throw)', async () => {
    const gpu = await gpuBackend();
    const loss = await softmaxCrossEntropy(tensor(gpu, new Float32Array(6), [2, 3]), tensor(gpu, [0, 3], [2])).read();
    expect(Number.isNaN(loss[0])).toBe(true);
  });
});

describe('softmax cross-entropy bad input', () => {
  it('names the op, the label and its row', () => {
    const logits = tensor(cpu, new Float32Array(6), [2, 3]);
    expect(() => softmaxCrossEntropy(logits, tensor(cpu, [0, 3], [2]))).toThrow('softmax_cross_entropy: label 3 at row 1 is not a class index in [0, 3)');
    expect(() => labelTensor(cpu, [1, -1], 3)).toThrow('softmax_cross_entropy: label -1 at index 1 is not a class index in [0, 3)');
    expect(() => softmaxCrossEntropy(logits, tensor(cpu, [0, 1, 2], [3]))).toThrow('softmax_cross_entropy: labels must be [2]');
  });
});
