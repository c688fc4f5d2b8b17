import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { foldWorkgroups } from '../../src/backends/webgpu/dispatch';
import { WebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';
import { add } from '../../src/ops/binary';
import { matmul } from '../../src/ops/matmul';
import { sum } from '../../src/ops/reduce';
import { relu } from '../../src/ops/unary';
import { Random } from '../../src/random';
import { tensor } from '../../src/tensor';
import { cpu, gpuBackend } from '../helpers/backends';

describe('adapter and device', () => {
  it('finds an adapter and enables the optional features it offers', async () => {
    const gpu = await gpuBackend();
    expect(gpu.adapterInfo.vendor.length + gpu.adapterInfo.architecture.length).toBeGreaterThan(0);
    const adapter = await navigator.gpu.requestAdapter();
    if (adapter?.features.has('timestamp-query')) expect(gpu.features.has('timestamp-query')).toBe(true);
    expect(gpu.device.limits.maxStorageBufferBindingSize).toBe(adapter!.limits.maxStorageBufferBindingSize);
  });

  it('explains how to enable WebGPU when the browser has none, and the CPU backend still works', async () => {
    await expect(WebGPUBackend.create({ gpu: null })).rejects.toThrow(/WebGPU is not available.*--enable-unsafe-webgpu.*CpuBackend/);
    const x = tensor(new CpuBackend(), [-1, 2], [2]);
    expect([...(await relu(x).read())]).toEqual([0, 2]);
  });

  it('surfaces a lost device as a clear error on the next op', async () => {
    const own = await WebGPUBackend.create();
    const x = tensor(own, [1, 2, 3], [3]);
    own.destroy();
    await own.device.lost;
    expect(() => relu(x)).toThrow(/relu: the WebGPU device was lost \(destroyed/);
  });

  it('surfaces a shader validation error, naming the shader', async () => {
    const own = await WebGPUBackend.create();
    const broken = {
      name: 'broken_probe',
      // Stores a u32 into an f32 array: parses, but fails WGSL validation.
      source: '@group(0) @binding(0) var<storage, read_write> out: array<f32>;\n@compute @workgroup_size(1) fn main() { out[0] = 1u; }',
      bindings: ['out'],
      uniforms: [],
    };
    own.dispatch({ spec: broken, buffers: { out: own.allocate('probe', [1]) }, workgroups: 1 });
    await expect(own.sync()).rejects.toThrow(/broken_probe/);
    own.destroy();
  });
});

describe('dispatch folding', () => {
  it('splits a workgroup count over x, y and z within the limit', () => {
    expect(foldWorkgroups(10, 65535)).toEqual([10, 1, 1]);
    expect(foldWorkgroups(70000, 65535)).toEqual([65535, 2, 1]);
    expect(foldWorkgroups(26, 3)).toEqual([3, 3, 3]);
    expect(foldWorkgroups(0, 8)).toEqual([0, 1, 1]);
    expect(() => foldWorkgroups(28, 3)).toThrow('exceed 3^3');
  });

  it('gives the same results when every kernel is folded (limit lowered to 8 per dimension)', async () => {
    const folded = await WebGPUBackend.create({ maxWorkgroupsPerDimension: 8 });
    const rng = new Random(7);
    const a = rng.uniformArray(40 * 33);
    const b = rng.uniformArray(33 * 50);
    const bigData = rng.uniformArray(64 * 100);
    const results = [];
    for (const backend of [cpu, folded]) {
      const ta = tensor(backend, a, [40, 33]);
      const tb = tensor(backend, b, [33, 50]);
      const c = matmul(ta, tb); // 2 x 2 tiles: not folded
      const big = relu(tensor(backend, bigData, [64 * 100])); // 100 workgroups -> 8x8x2
      const s = sum(add(ta, ta), 1); // 40 outputs in one workgroup
      const wide = matmul(tensor(backend, a, [1320, 1]), tensor(backend, a.subarray(0, 300), [1, 300])); // 42x10 tiles -> 8x8x7
      results.push(await Promise.all([c.read(), big.read(), s.read(), wide.read()]));
    }
    const [ref, got] = results;
    for (const i of [0, 1, 2, 3]) {
      const worst = ref[i].reduce((m, v, j) => Math.max(m, Math.abs(v - got[i][j])), 0);
      expect(worst, `result ${i}`).toBeLessThan(1e-4);
    }
    folded.destroy();
  });
});

describe('batching and the buffer pool', () => {
  it('encodes many ops into one submit, made when a value is read', async () => {
    const gpu = await gpuBackend();
    await gpu.sync();
    const before = gpu.stats();
    let x = tensor(gpu, [1, -2, 3], [3]);
    for (let i = 0; i < 10; i++) x = add(x, x);
    const values = await x.read();
    const after = gpu.stats();
    expect([...values]).toEqual([1024, -2048, 3072]);
    expect(after.dispatches - before.dispatches).toBe(10);
    expect(after.submits - before.submits).toBe(1);
    expect(after.readbacks - before.readbacks).toBe(1);
  });

  it('does not hand a released buffer to a new upload before the submit that uses it', async () => {
    const gpu = await gpuBackend();
    await gpu.sync();
    const n = 1 << 12;
    const a = tensor(gpu, new Float32Array(n).fill(2), [n]);
    const b = relu(a); // enqueued, not yet submitted
    a.dispose();
    const created = gpu.stats().buffersCreated;
    const c = tensor(gpu, new Float32Array(n).fill(-5), [n]); // must not overwrite a's buffer
    expect(gpu.stats().buffersCreated).toBeGreaterThan(created);
    expect((await b.read()).every((v) => v === 2)).toBe(true);
    expect((await c.read()).every((v) => v === -5)).toBe(true);
    // After the submit the freed buffers are reused instead of creating new ones.
    b.dispose();
    c.dispose();
    await gpu.sync();
    const again = gpu.stats().buffersCreated;
    tensor(gpu, new Float32Array(n), [n]);
    expect(gpu.stats().buffersCreated).toBe(again);
  });
});

describe('bad input on the webgpu backend', () => {
  it('refuses an output over the adapter buffer limit, naming the op, shape and limit', async () => {
    const gpu = await gpuBackend();
    const col = tensor(gpu, new Float32Array(65536), [65536, 1]);
    const row = tensor(gpu, new Float32Array(65536), [1, 65536]);
    expect(() => add(col, row)).toThrow(/add: a tensor of shape \[65536,65536\] needs 17179869184 bytes, over the adapter's max\w+ of \d+ bytes/);
  });
});
