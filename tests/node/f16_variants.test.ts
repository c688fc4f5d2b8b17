// The f16 kernel rows (matmul_f16, conv2d_implicit_gemm_f16 as forward, flipped input
// gradient and phases) on Mesa's lavapipe, which has shader-f16 (Chromium's SwiftShader,
// the browser project's adapter, does not): each forced on its op's parity table against the
// CPU reference with f16 operands, under the bound docs/numerics.md derives. Skipped, saying
// why, where lavapipe is not installed or offers no shader-f16.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conv2dFamily, conv2dGradInputFamily } from '../../src/backends/webgpu/kernels/conv2d/conv2d';
import { matmulFamily } from '../../src/backends/webgpu/kernels/matmul/matmul';
import type { KernelFamily } from '../../src/backends/webgpu/variants';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { roundToF16 } from '../../src/numerics';
import { matmul } from '../../src/ops/matmul';
import { tensor } from '../../src/tensor';
import { gpuBackend } from '../helpers/backends';
import { checkParity, type ParityCase } from '../helpers/parity';
import { describeVariants } from '../helpers/variants';
import { conv2dTable, phaseCaseNames, tile8CaseNames } from '../ops/conv2d.cases';
import { matmulTable } from '../ops/matmul.cases';

describe('the CPU reference in f16 mode', () => {
  it("rounds the f16 rows' operands to nearest f16 (ties to even, subnormals kept) and leaves biases alone", async () => {
    expect([1 + 2 ** -11, 1 + 3 * 2 ** -11, -(1 + 2 ** -11), 3 * 2 ** -25, 2 ** -20, 65504, 65519, 65520, 0.1].map(roundToF16)).toEqual([
      1,
      1 + 2 ** -9,
      -1,
      2 ** -23,
      2 ** -20,
      65504,
      65504,
      Infinity,
      0.0999755859375,
    ]);
    const cpu = new CpuBackend({ f16Operands: true });
    const a = tensor(cpu, [1 + 2 ** -11, 0.1], [1, 2]);
    const b = tensor(cpu, [1, 1], [2, 1]);
    const bias = tensor(cpu, [2 ** -12], [1]);
    // Float32 output of the exact sum 1 + 0.0999755859375 + 2^-12.
    expect([...(await matmul(a, b, { bias }).read())]).toEqual([Math.fround(1 + 0.0999755859375 + 2 ** -12)]);
  });
});

const LAVAPIPE = ['/usr/share/vulkan/icd.d/lvp_icd.json', '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json'].some((f) => existsSync(f));
const f16Rows = (v: { precision?: 'f16' }) => v.precision === 'f16';

it.runIf(!LAVAPIPE)('needs Mesa lavapipe', (ctx) =>
  ctx.skip('skipped: Mesa lavapipe (lvp_icd.json) is not installed; on Debian 12: apt-get install -t bookworm-backports mesa-vulkan-drivers'),
);

describe.skipIf(!LAVAPIPE)('f16 rows on lavapipe', () => {
  describeVariants(matmulFamily as KernelFamily<unknown>, matmulTable.cases, () => true, f16Rows);
  // The implicit GEMM takes every ungrouped forward and stride-1 input gradient, and the strided ones phase by phase.
  const convModel = (variant: string, c: ParityCase) => (variant.endsWith(':phases') ? phaseCaseNames : tile8CaseNames).has(c.name);
  for (const family of [conv2dFamily, conv2dGradInputFamily]) describeVariants(family as KernelFamily<unknown>, conv2dTable.cases, convModel, f16Rows);

  describe('the conversion to f16', () => {
    // WGSL leaves the rounding of f32 -> f16 to the implementation; the bound assumes the
    // reference's (to nearest, ties to even, subnormals kept). These values are ties and
    // subnormals, each times 1 through matmul_f16 (K = 1, so the sum is exact): any other
    // rounding differs by an f16 ulp, far past the bound of one term.
    const ties = [1 + 2 ** -11, 1 + 3 * 2 ** -11, -(1 + 2 ** -11), 0.1, -1 / 3, 2 ** -20, 3 * 2 ** -25, -(5 * 2 ** -25), 2 ** -15 + 2 ** -25, 65504, 0];
    const probe: ParityCase = {
      name: 'f16 rounding probe m=16,n=1,k=1',
      op: 'matmul',
      inputs: [
        { shape: [16, 1], values: Array.from({ length: 16 }, (_, i) => ties[i % ties.length]) },
        { shape: [1, 1], values: [1] },
      ],
      attrs: {},
      reduction: 1,
    };
    it('rounds to nearest, ties to even, keeping subnormals, as the reference does', async (ctx) => {
      if (!(await gpuBackend()).adapterTraits.f16) ctx.skip('this adapter does not offer shader-f16');
      expect(roundToF16(1 + 2 ** -11)).toBe(1);
      expect(roundToF16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9);
      expect(roundToF16(3 * 2 ** -25)).toBe(2 ** -23);
      expect(roundToF16(65520)).toBe(Infinity);
      await checkParity(probe, 'matmul_f16');
    });
  });
});
