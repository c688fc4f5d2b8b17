import { describe, expect, it } from 'vitest';
import '../../src/backends/webgpu/kernel_registry';
import { reflectShader } from '../../src/backends/webgpu/shader';
import { requiredFeatures, shaderSpecs, withPrelude } from '../../src/backends/webgpu/shader_registry';
import { gpuBackend } from '../helpers/backends';

// Every shader, in the top folder or a family's folder (shaders/conv2d/...); the prelude is not a kernel.
const shaderFiles = Object.fromEntries(
  Object.entries(import.meta.glob<string>('../../shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true })).filter(
    ([path]) => !path.endsWith('/prelude.wgsl'),
  ),
);
const shaderName = (path: string) => path.split('/').pop()!.replace('.wgsl', '');

describe('shader bindings match their launchers', () => {
  it('every shader file has a launcher and every launcher a shader file', () => {
    const files = Object.keys(shaderFiles).map(shaderName).sort();
    expect(
      shaderSpecs()
        .map((s) => s.name)
        .sort(),
    ).toEqual(files);
  });

  for (const [path, source] of Object.entries(shaderFiles)) {
    const name = shaderName(path);
    it(`${name}.wgsl: storage bindings and params members are the launcher's`, () => {
      const spec = shaderSpecs().find((s) => s.name === name)!;
      expect(spec.source).toBe(withPrelude(source));
      const reflected = reflectShader(name, spec.source);
      const storage = reflected.bindings.filter((b) => b.kind !== 'uniform').map((b) => b.name);
      expect(storage.sort()).toEqual([...spec.bindings].sort());
      expect([...(reflected.uniform?.members.keys() ?? [])].sort()).toEqual([...spec.uniforms].sort());
      // Binding slots are unique and the header comment documents each binding.
      expect(new Set(reflected.bindings.map((b) => b.binding)).size).toBe(reflected.bindings.length);
      for (const b of reflected.bindings) expect(source.split('@group')[0]).toMatch(new RegExp(`//\\s+${b.name}\\s`));
    });
  }

  it('every shader compiles on the device without errors or warnings', async () => {
    const gpu = await gpuBackend();
    const problems: string[] = [];
    for (const spec of shaderSpecs()) {
      // A shader that enables a feature the device lacks cannot compile here; its variant's fits() keeps it from running.
      if (requiredFeatures(spec.source).some((f) => !gpu.device.features.has(f))) continue;
      const info = await gpu.device.createShaderModule({ code: spec.source }).getCompilationInfo();
      for (const m of info.messages) if (m.type !== 'info') problems.push(`${spec.name}.wgsl:${m.lineNum}: ${m.type}: ${m.message}`);
    }
    expect(problems).toEqual([]);
  });
});
