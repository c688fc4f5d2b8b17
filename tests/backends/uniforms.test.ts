import { describe, expect, it } from 'vitest';
import { packUniforms, reflectShader } from '../../src/backends/webgpu/shader';

const source = `
struct Params { n: u32, scale: f32, shift: i32, shape: array<vec4u, 2>, }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;
@compute @workgroup_size(1) fn main() { out[0] = params.scale; }
`;

describe('uniform packing from reflected offsets', () => {
  const layout = reflectShader('probe', source).uniform!;

  it('writes each member at its WGSL offset with its type', () => {
    const view = new DataView(packUniforms('probe', layout, { n: 7, scale: 0.5, shift: -3, shape: [1, 2, 3, 4, 5] }));
    expect(view.byteLength).toBe(48);
    expect(view.getUint32(0, true)).toBe(7);
    expect(view.getFloat32(4, true)).toBe(0.5);
    expect(view.getInt32(8, true)).toBe(-3);
    expect([16, 20, 24, 28, 32, 36].map((o) => view.getUint32(o, true))).toEqual([1, 2, 3, 4, 5, 0]);
  });

  it('rejects missing, unknown, oversized and out-of-type values', () => {
    expect(() => packUniforms('probe', layout, { n: 1, scale: 1, shape: [] })).toThrow("probe: uniform 'shift' was not given a value");
    expect(() => packUniforms('probe', layout, { n: 1, scale: 1, shift: 0, shape: [], extra: 1 })).toThrow("probe: uniform 'extra' is not a member");
    expect(() => packUniforms('probe', layout, { n: 1, scale: 1, shift: 0, shape: new Array(9).fill(1) })).toThrow("'shape' holds 8 values, got 9");
    expect(() => packUniforms('probe', layout, { n: -1, scale: 1, shift: 0, shape: [] })).toThrow("uniform 'n' needs a u32, got -1");
  });
});
