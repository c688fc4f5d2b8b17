import { describe, expect, it } from 'vitest';
import { matmul } from '../../src/ops/matmul';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';
import { checkParity } from '../helpers/parity';
import { matmulFamily } from '../../src/backends/webgpu/kernels/matmul/matmul';
import type { KernelFamily } from '../../src/backends/webgpu/variants';
import { describeVariants } from '../helpers/variants';
import { matmulTable } from './matmul.cases';

describe('matmul parity (gpu vs cpu)', () => {
  for (const c of matmulTable.cases) it(c.name, () => checkParity(c));
});

// Every row of the GEMM table forced by name (the register tiles in two workgroup shapes,
// the workgroup-memory tile, the 8x8 register block, vec4 loads where they fit, subgroup
// shuffles where the adapter has them): the table's odd sizes cover partial tiles.
describeVariants(matmulFamily as KernelFamily<unknown>, matmulTable.cases, (variant, c) =>
  variant === 'matmul_vec4'
    ? !(c.attrs?.transposeA || c.attrs?.transposeB) && c.inputs[1].shape.at(-1)! % 4 === 0 && c.inputs[0].shape.at(-1)! % 4 === 0
    : true,
);

describe('matmul values', () => {
  it('multiplies a known 2x3 by 3x2 with bias on both backends', async () => {
    for (const backend of [cpu, await gpuBackend()]) {
      const a = tensor(backend, [1, 2, 3, 4, 5, 6], [2, 3]);
      const b = tensor(backend, [7, 8, 9, 10, 11, 12], [3, 2]);
      const bias = tensor(backend, [0.5, -0.5], [2]);
      expect([...(await matmul(a, b, { bias }).read())]).toEqual([58.5, 63.5, 139.5, 153.5]);
    }
  });
});

describe('matmul bad input', () => {
  it('names the op and both shapes when inner dimensions differ', () => {
    const a = tensor(cpu, new Float32Array(6), [2, 3]);
    const b = tensor(cpu, new Float32Array(8), [4, 2]);
    expect(() => matmul(a, b)).toThrow('matmul: inner dimensions differ (K=3 vs K=4) for A [2,3], B [4,2]');
  });

  it('rejects a bias that is not one value per column', () => {
    const a = tensor(cpu, new Float32Array(6), [2, 3]);
    const b = tensor(cpu, new Float32Array(6), [3, 2]);
    const bias = tensor(cpu, new Float32Array(3), [3]);
    expect(() => matmul(a, b, { bias })).toThrow('matmul: bias must have shape [2]');
  });

  it('rejects rank-1 operands and mismatched batches', () => {
    const v = tensor(cpu, new Float32Array(3), [3]);
    const m = tensor(cpu, new Float32Array(6), [3, 2]);
    expect(() => matmul(v, m)).toThrow('matmul: operands must be rank 2 or 3');
    const a = tensor(cpu, new Float32Array(12), [2, 2, 3]);
    const b = tensor(cpu, new Float32Array(18), [3, 3, 2]);
    expect(() => matmul(a, b)).toThrow('matmul: batch sizes differ (2 vs 3)');
  });
});
