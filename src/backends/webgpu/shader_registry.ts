import type { ShaderSpec } from './shader';

const specs = new Map<string, ShaderSpec>();

/** Declares a kernel family's shader and the names its launcher binds; see ShaderSpec. */
export function defineShader(spec: ShaderSpec): ShaderSpec {
  if (specs.has(spec.name)) throw new Error(`defineShader: shader '${spec.name}' is defined twice`);
  specs.set(spec.name, spec);
  return spec;
}

/** Every shader a launcher has declared, for the shader-binding test. */
export function shaderSpecs(): ShaderSpec[] {
  return [...specs.values()];
}
