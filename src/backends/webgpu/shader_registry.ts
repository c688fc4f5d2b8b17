import preludeSource from '../../../shaders/prelude.wgsl?raw';
import type { ShaderSpec } from './shader';

const specs = new Map<string, ShaderSpec>();

/**
 * Puts shaders/prelude.wgsl (helpers every kernel shares) after a shader's directives
 * (`enable`, `requires`, `diagnostic`, which WGSL wants before any declaration) and before
 * the rest of its source.
 */
export function withPrelude(source: string): string {
  const lines = source.split('\n');
  let head = 0;
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*(enable|requires|diagnostic)\b/.test(lines[i])) head = i + 1;
    else if (!/^\s*(\/\/.*)?$/.test(lines[i])) break;
  }
  return [...lines.slice(0, head), preludeSource, ...lines.slice(head)].join('\n');
}

/** The device features a shader's `enable` directives need (`f16` is the feature 'shader-f16'). */
export function requiredFeatures(source: string): string[] {
  return [...source.matchAll(/^enable ([a-z0-9_]+);/gm)].map((m) => (m[1] === 'f16' ? 'shader-f16' : m[1]));
}

/** Declares a kernel family's shader and the names its launcher binds; see ShaderSpec. */
export function defineShader(spec: ShaderSpec): ShaderSpec {
  if (specs.has(spec.name)) throw new Error(`defineShader: shader '${spec.name}' is defined twice`);
  const full = { ...spec, source: withPrelude(spec.source) };
  specs.set(spec.name, full);
  return full;
}

/** Every shader a launcher has declared, for the shader-binding test. */
export function shaderSpecs(): ShaderSpec[] {
  return [...specs.values()];
}
