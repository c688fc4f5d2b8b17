// PCA by the engine: the components of data with known axes, the same on CPU and WebGPU.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend';
import { pca } from '../../src/nn/pca';
import { Random } from '../../src/random';
import { cpu, gpuBackend } from '../helpers/backends';

/** 300 points in 5-D with standard deviations 5, 2, 0.5, 0.1, 0.1 along axes rotated by 30 degrees in the first plane, offset by 3. */
function data(): Float32Array {
  const rng = new Random(4);
  const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
  const out = new Float32Array(300 * 5);
  for (let i = 0; i < 300; i++) {
    const [a, b] = [5 * rng.normal(), 2 * rng.normal()];
    out.set([3 + c * a - s * b, 3 + s * a + c * b, 0.5 * rng.normal(), 0.1 * rng.normal(), 0.1 * rng.normal()], i * 5);
  }
  return out;
}

describe.each([
  ['cpu', async (): Promise<Backend> => cpu],
  ['webgpu', gpuBackend],
])('pca on %s', (_name, getBackend) => {
  it('finds the rotated axes by falling variance, and projects the centred points onto them', async () => {
    const x = data();
    const r = await pca(await getBackend(), x, 300, 5, 2);
    const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
    // Component 0 along (cos 30, sin 30, 0, 0, 0), component 1 along (-sin 30, cos 30, ...), up to sign.
    expect(Math.abs(r.components[0] * c + r.components[2] * s)).toBeGreaterThan(0.999);
    expect(Math.abs(-r.components[1] * s + r.components[3] * c)).toBeGreaterThan(0.99);
    expect(r.variance[0]).toBeGreaterThan(20);
    expect(r.variance[0]).toBeLessThan(30);
    expect(r.variance[1]).toBeGreaterThan(3);
    expect(r.variance[1]).toBeLessThan(5);
    expect(r.explained[0] + r.explained[1]).toBeGreaterThan(0.98);
    // The projections have mean 0 and the component's variance.
    const p0 = Array.from({ length: 300 }, (_, i) => r.projection[i * 2]);
    expect(Math.abs(p0.reduce((a, b) => a + b, 0) / 300)).toBeLessThan(1e-3);
    expect(p0.reduce((a, b) => a + b * b, 0) / 299).toBeCloseTo(r.variance[0], 2);
    await expect(pca(cpu, x, 300, 5, 6)).rejects.toThrow('pca: components must be an integer in 1..5, got 6');
  });
});
