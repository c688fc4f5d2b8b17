// The engine inside an app: the app's device used as it is, with no listener added; the
// app's buffers wrapped without a copy survive dispose() and trim(); gpuBuffer() hands
// out a result the app reads with its own commands; the app's own compute pass, run
// between the engine's ops on the same device and queue, and the engine's results stay
// as each side wrote them.
import { describe, expect, it } from 'vitest';
import { createWebGPUBackend, tensorFromGPUBuffer } from '../../src/backends/webgpu/webgpu_backend';
import { add } from '../../src/ops/binary';
import { relu } from '../../src/ops/unary';
import { matmul } from '../../src/ops/matmul';
import { tensor } from '../../src/tensor';

async function appDevice(): Promise<GPUDevice> {
  const adapter = (await navigator.gpu.requestAdapter()) ?? (await navigator.gpu.requestAdapter({ forceFallbackAdapter: true }));
  return adapter!.requestDevice();
}

/** Reads an app buffer with the app's own copy and map. */
async function readBuffer(device: GPUDevice, buffer: GPUBuffer, bytes: number, offset = 0): Promise<Float32Array> {
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, offset, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

function appBuffer(device: GPUDevice, values: number[], usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST): GPUBuffer {
  const buffer = device.createBuffer({ size: values.length * 4, usage, mappedAtCreation: true });
  new Float32Array(buffer.getMappedRange()).set(values);
  buffer.unmap();
  return buffer;
}

describe("the app's device and buffers", () => {
  it("uses the app's device and adds no listener to it; destroy() leaves it alive", async () => {
    const device = await appDevice();
    const added: string[] = [];
    const original = device.addEventListener.bind(device);
    device.addEventListener = ((type: string, ...rest: unknown[]) => {
      added.push(type);
      return (original as (...a: unknown[]) => void)(type, ...rest);
    }) as typeof device.addEventListener;
    const backend = await createWebGPUBackend({ device, autotune: false });
    expect(backend.device).toBe(device);
    expect(backend.ownsDevice).toBe(false);
    const y = matmul(tensor(backend, [1, 2, 3, 4], [2, 2]), tensor(backend, [1, 0, 0, 1], [2, 2]));
    expect([...(await y.read())]).toEqual([1, 2, 3, 4]);
    expect(added).toEqual([]);
    backend.destroy();
    // The device is the app's: still usable.
    const b = appBuffer(device, [5, 6]);
    expect([...(await readBuffer(device, b, 8))]).toEqual([5, 6]);
  });

  it("a zeroCopy tensor reads the app's buffer in place, and the buffer survives dispose() and trim()", async () => {
    const device = await appDevice();
    const backend = await createWebGPUBackend({ device, autotune: false });
    const buffer = appBuffer(device, [-1, 2, -3, 4]);
    const x = tensorFromGPUBuffer(backend, buffer, [2, 2], { zeroCopy: true });
    expect(x.gpuBuffer().buffer).toBe(buffer);
    const y = relu(x);
    expect([...(await y.read())]).toEqual([0, 2, 0, 4]);
    x.dispose();
    y.dispose();
    backend.pool.trim();
    // Fresh engine allocations of the same size class must not land in the app's buffer.
    const z = tensor(backend, [9, 9, 9, 9], [2, 2]);
    await z.read();
    expect([...(await readBuffer(device, buffer, 16))]).toEqual([-1, 2, -3, 4]);
    // The app writes; a new wrap sees the new values (no stale copy).
    device.queue.writeBuffer(buffer, 0, Float32Array.of(1, 1, 1, 1));
    expect([...(await add(tensorFromGPUBuffer(backend, buffer, [2, 2], { zeroCopy: true }), z).read())]).toEqual([10, 10, 10, 10]);
    // A copy is independent of the buffer.
    const copied = tensorFromGPUBuffer(backend, buffer, [4]);
    device.queue.writeBuffer(buffer, 0, Float32Array.of(0, 0, 0, 0));
    expect([...(await copied.read())]).toEqual([1, 1, 1, 1]);
    expect(() => tensorFromGPUBuffer(backend, appBuffer(device, [1, 2], GPUBufferUsage.COPY_SRC), [2], { zeroCopy: true })).toThrow(
      'zeroCopy needs a buffer created with GPUBufferUsage.STORAGE',
    );
    expect(() => tensorFromGPUBuffer(backend, buffer, [8], { zeroCopy: true })).toThrow('the buffer holds 16 bytes, the shape needs 32');
  });

  it("gpuBuffer() of a result equals read(); the app's own pass between the engine's ops leaves both results intact", async () => {
    const device = await appDevice();
    const backend = await createWebGPUBackend({ device, autotune: false });
    const a = tensor(
      backend,
      Array.from({ length: 64 }, (_, i) => i / 8 - 4),
      [8, 8],
    );
    const product = matmul(a, a);
    // The app's compute pass on its own buffer: doubles each value in place.
    const mine = appBuffer(
      device,
      Array.from({ length: 64 }, (_, i) => i),
    );
    const module = device.createShaderModule({
      code: '@group(0) @binding(0) var<storage, read_write> v: array<f32>; @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) { v[id.x] = v[id.x] * 2.0; }',
    });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: mine } }] }));
    pass.dispatchWorkgroups(1);
    pass.end();
    device.queue.submit([encoder.finish()]);
    const after = relu(product);
    const view = after.gpuBuffer();
    expect(view.size).toBe(256);
    const viaApp = await readBuffer(device, view.buffer, view.size, view.offset);
    expect([...viaApp]).toEqual([...(await after.read())]);
    expect([...(await readBuffer(device, mine, 256))]).toEqual(Array.from({ length: 64 }, (_, i) => 2 * i));
  });

  it("the app renders from a vertex buffer the engine reads in place (zeroCopy), before and after the engine's ops", async () => {
    const device = await appDevice();
    const backend = await createWebGPUBackend({ device, autotune: false });
    // A triangle covering the whole 4x4 target, in clip space.
    const vertices = appBuffer(device, [-1, -1, 3, -1, -1, 3], GPUBufferUsage.VERTEX | GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const target = device.createTexture({ size: [4, 4], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
    const module = device.createShaderModule({
      code: '@vertex fn vs(@location(0) p: vec2f) -> @builtin(position) vec4f { return vec4f(p, 0.0, 1.0); } @fragment fn fs() -> @location(0) vec4f { return vec4f(1.0, 0.0, 0.0, 1.0); }',
    });
    const pipeline = device.createRenderPipeline({
      layout: 'auto',
      vertex: { module, entryPoint: 'vs', buffers: [{ arrayStride: 8, attributes: [{ shaderLocation: 0, offset: 0, format: 'float32x2' }] }] },
      fragment: { module, entryPoint: 'fs', targets: [{ format: 'rgba8unorm' }] },
    });
    const render = async (): Promise<number[]> => {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginRenderPass({ colorAttachments: [{ view: target.createView(), loadOp: 'clear', clearValue: [0, 0, 1, 1], storeOp: 'store' }] });
      pass.setPipeline(pipeline);
      pass.setVertexBuffer(0, vertices);
      pass.draw(3);
      pass.end();
      const pixels = device.createBuffer({ size: 256 * 4, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
      encoder.copyTextureToBuffer({ texture: target }, { buffer: pixels, bytesPerRow: 256 }, [4, 4]);
      device.queue.submit([encoder.finish()]);
      await pixels.mapAsync(GPUMapMode.READ);
      const rgba = [...new Uint8Array(pixels.getMappedRange(), 0, 4)];
      pixels.destroy();
      return rgba;
    };
    expect(await render()).toEqual([255, 0, 0, 255]);
    const x = tensorFromGPUBuffer(backend, vertices, [3, 2], { zeroCopy: true });
    const y = relu(x);
    expect([...(await y.read())]).toEqual([0, 0, 3, 0, 0, 3]);
    x.dispose();
    y.dispose();
    backend.pool.trim();
    expect(await render()).toEqual([255, 0, 0, 255]);
    expect([...(await readBuffer(device, vertices, 24))]).toEqual([-1, -1, 3, -1, -1, 3]);
  });
});
