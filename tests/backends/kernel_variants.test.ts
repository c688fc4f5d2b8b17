import { describe, expect, it } from 'vitest';
import '../../src/backends/webgpu/kernel_registry';
import { matmulFamily } from '../../src/backends/webgpu/kernels/matmul/matmul';
import { shaderSpecs } from '../../src/backends/webgpu/shader_registry';
import type { AdapterTraits } from '../../src/backends/webgpu/kernel_host';
import { kernelFamilies, offeredVariants, variantNamed } from '../../src/backends/webgpu/variants';
import { matmulDims } from '../../src/ops/matmul';
import { WebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';
import { gpuBackend } from '../helpers/backends';

const swiftshader: AdapterTraits = {
  fallback: true,
  subgroups: true,
  f16: false,
  maxBindingBytes: 2 ** 27,
  maxWorkgroupStorageBytes: 32768,
  maxInvocations: 256,
};
const discrete: AdapterTraits = { ...swiftshader, fallback: false, f16: true, maxBindingBytes: 2 ** 31 };

describe('kernel variant tables', () => {
  it('every family of the backend is one table; each row names shaders that exist, and names are unique', () => {
    const ops = kernelFamilies()
      .map((f) => f.op)
      .sort();
    expect(ops).toEqual([
      'avgpool2d',
      'avgpool2d_grad',
      'conv2d',
      'conv2d_grad_filter',
      'conv2d_grad_input',
      'depthwise_conv2d',
      'depthwise_conv2d_grad_filter',
      'depthwise_conv2d_grad_input',
      'matmul',
      'maxpool2d',
      'maxpool2d_grad',
    ]);
    const shaders = new Set(shaderSpecs().map((s) => s.name));
    const names = kernelFamilies().flatMap((f) => f.variants.map((v) => v.name));
    expect(new Set(names).size).toBe(names.length);
    for (const f of kernelFamilies()) {
      for (const v of f.variants) {
        // The row's name is its shader's (or the stem of its shaders'), with ':' and a form where a shader serves several rows.
        const base = v.name.split(':')[0];
        expect(shaders.has(base) || v.shaders.every((s) => s.startsWith(`${base}_`)), `${v.name} is named after its shader(s)`).toBe(true);
        for (const s of v.shaders) expect(shaders.has(s), `${v.name} lists shader ${s}`).toBe(true);
        expect(variantNamed(v.name).family).toBe(f.op);
      }
    }
  });

  it('orders rows by adapter: SwiftShader-tuned kernels lead on fallback adapters, workgroup-memory and subgroup kernels elsewhere', () => {
    const attrs = { transposeA: false, transposeB: false };
    const d = matmulDims(
      [
        [64, 64],
        [64, 64],
      ],
      attrs,
    );
    const problem = { attrs, d } as Parameters<typeof matmulFamily.shapeClass>[0];
    expect(offeredVariants(matmulFamily, problem, swiftshader).map((v) => v.name)).toEqual([
      'matmul',
      'matmul:16x4',
      'matmul_shared',
      'matmul_tile8',
      'matmul_vec4',
      'matmul_subgroup',
    ]);
    expect(offeredVariants(matmulFamily, problem, discrete).map((v) => v.name)).toEqual([
      'matmul_shared',
      'matmul_subgroup',
      'matmul',
      'matmul:16x4',
      'matmul_tile8',
      'matmul_vec4',
    ]);
    // Without subgroups the subgroup row is not offered at all.
    expect(offeredVariants(matmulFamily, problem, { ...discrete, subgroups: false }).map((v) => v.name)).not.toContain('matmul_subgroup');
  });

  it('offers the f16 rows only at precision f16, and then instead of the float32 rows where one fits', () => {
    const attrs = { transposeA: false, transposeB: false };
    const d = matmulDims(
      [
        [64, 64],
        [64, 64],
      ],
      attrs,
    );
    const problem = { attrs, d } as Parameters<typeof matmulFamily.shapeClass>[0];
    const f32Rows = offeredVariants(matmulFamily, problem, discrete, 'f32').map((v) => v.name);
    expect(f32Rows).not.toContain('matmul_f16');
    expect(offeredVariants(matmulFamily, problem, discrete).map((v) => v.name)).toEqual(f32Rows);
    expect(offeredVariants(matmulFamily, problem, discrete, 'f16').map((v) => v.name)).toEqual(['matmul_f16']);
    // Without shader-f16 no f16 row fits: precision f16 falls back to the float32 rows.
    expect(offeredVariants(matmulFamily, problem, { ...discrete, f16: false }, 'f16').map((v) => v.name)).toEqual(f32Rows);
    for (const f of kernelFamilies())
      for (const v of f.variants)
        if (v.precision === 'f16')
          expect(
            v.shaders.some((s) => /_f16$/.test(s)),
            v.name,
          ).toBe(true);
  });

  it("refuses precision 'f16' on an adapter without shader-f16, naming the adapter and the feature", async () => {
    const gpu = await gpuBackend();
    if (gpu.adapterTraits.f16) return;
    const { vendor, architecture } = gpu.adapterInfo;
    await expect(WebGPUBackend.create({ autotune: false, precision: 'f16' })).rejects.toThrow(
      `createWebGPUBackend: precision 'f16' needs the adapter's 'shader-f16' feature, which the adapter ${vendor} ${architecture}`,
    );
    await expect(WebGPUBackend.create({ autotune: false, precision: 'f64' as 'f16' })).rejects.toThrow("precision must be 'f32' or 'f16', got 'f64'");
    expect(() => gpu.withPrecision('f16', () => 0)).toThrow("precision 'f16' needs the adapter's 'shader-f16' feature");
  });

  it("the backend's adapter traits are this device's (SwiftShader here: fallback, subgroups)", async () => {
    const gpu = await gpuBackend();
    expect(gpu.adapterTraits.fallback).toBe(gpu.isFallbackAdapter);
    expect(gpu.adapterTraits.subgroups).toBe(gpu.device.features.has('subgroups'));
    expect(gpu.adapterTraits.f16).toBe(gpu.device.features.has('shader-f16'));
  });
});
