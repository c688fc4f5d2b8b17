import { WgslReflect } from 'wgsl_reflect';

/**
 * A kernel family's WGSL source and the names its launcher binds. The shader-binding
 * test checks `bindings` and `uniforms` against what wgsl_reflect reads from `source`.
 */
export interface ShaderSpec {
  /** Same name as the shader file, the op and the test. */
  readonly name: string;
  readonly source: string;
  /** Storage buffer variable names the launcher binds. */
  readonly bindings: readonly string[];
  /** Member names of the `params` uniform struct the launcher fills. */
  readonly uniforms: readonly string[];
}

export type BindingKind = 'read-only-storage' | 'storage' | 'uniform';

export interface ReflectedBinding {
  name: string;
  group: number;
  binding: number;
  kind: BindingKind;
}

/** Scalar element type of a uniform member, for writing it into a DataView. */
type ScalarType = 'u32' | 'i32' | 'f32';

export interface UniformMember {
  name: string;
  offset: number;
  scalar: ScalarType;
  /** Scalars in the member: 1 for a scalar, 4 for vec4, count x components for arrays. */
  components: number;
  /** Components per array element (vector width) and bytes between elements. */
  width: number;
  stride: number;
}

export interface ReflectedShader {
  bindings: ReflectedBinding[];
  /** The `params` uniform: its byte size and members by name; null if the shader has none. */
  uniform: { name: string; binding: number; size: number; members: Map<string, UniformMember> } | null;
  overrides: string[];
}

const VECTOR_SHORTHAND: Record<string, [ScalarType, number]> = {
  vec2u: ['u32', 2],
  vec3u: ['u32', 3],
  vec4u: ['u32', 4],
  vec2i: ['i32', 2],
  vec3i: ['i32', 3],
  vec4i: ['i32', 4],
  vec2f: ['f32', 2],
  vec3f: ['f32', 3],
  vec4f: ['f32', 4],
};

/** Scalar type and vector width of a reflected type ('u32', 'vec4<u32>', 'vec4u'). */
function scalarAndWidth(shader: string, member: string, type: { name: string; format?: { name: string } | null }): [ScalarType, number] {
  if (type.name === 'u32' || type.name === 'i32' || type.name === 'f32') return [type.name, 1];
  if (VECTOR_SHORTHAND[type.name]) return VECTOR_SHORTHAND[type.name];
  const m = /^vec([234])$/.exec(type.name);
  const f = type.format?.name;
  if (m && (f === 'u32' || f === 'i32' || f === 'f32')) return [f, Number(m[1])];
  throw new Error(`${shader}.wgsl: uniform member '${member}' has type ${type.name}, which uniform packing does not support`);
}

/** Reads bindings, the `params` uniform layout and override names from WGSL source. */
export function reflectShader(name: string, source: string): ReflectedShader {
  const r = new WgslReflect(source);
  const bindings: ReflectedBinding[] = r.storage.map((s) => ({
    name: s.name,
    group: s.group,
    binding: s.binding,
    kind: s.access === 'read' ? 'read-only-storage' : 'storage',
  }));
  if (r.uniforms.length > 1) throw new Error(`${name}.wgsl: expected at most one uniform struct, found ${r.uniforms.length}`);
  let uniform: ReflectedShader['uniform'] = null;
  const u = r.uniforms[0];
  if (u) {
    bindings.push({ name: u.name, group: u.group, binding: u.binding, kind: 'uniform' });
    const members = new Map<string, UniformMember>();
    for (const m of u.members ?? []) {
      if (m.isArray) {
        const format = (m.type as { format?: { name: string } | null }).format;
        const [scalar, width] = scalarAndWidth(name, m.name, format ?? { name: 'unknown' });
        members.set(m.name, { name: m.name, offset: m.offset, scalar, components: m.count * width, width, stride: m.stride });
      } else {
        const [scalar, width] = scalarAndWidth(name, m.name, m.type);
        members.set(m.name, { name: m.name, offset: m.offset, scalar, components: width, width, stride: 4 * width });
      }
    }
    uniform = { name: u.name, binding: u.binding, size: u.size, members };
  }
  if (bindings.some((b) => b.group !== 0)) throw new Error(`${name}.wgsl: every binding must be in @group(0)`);
  return { bindings, uniform, overrides: r.overrides.map((o) => o.name) };
}

export type UniformValues = Record<string, number | readonly number[]>;

/**
 * Packs uniform values at the offsets wgsl_reflect reports. Every member must be given
 * and no unknown names are accepted, so a renamed or reordered struct field can never
 * silently receive the wrong value. Arrays shorter than the member are zero-padded.
 */
export function packUniforms(shader: string, layout: NonNullable<ReflectedShader['uniform']>, values: UniformValues): ArrayBuffer {
  const buffer = new ArrayBuffer(Math.ceil(layout.size / 16) * 16);
  const view = new DataView(buffer);
  for (const key of Object.keys(values)) {
    if (!layout.members.has(key)) throw new Error(`${shader}: uniform '${key}' is not a member of ${shader}.wgsl's params struct`);
  }
  for (const m of layout.members.values()) {
    const v = values[m.name];
    if (v === undefined) throw new Error(`${shader}: uniform '${m.name}' was not given a value`);
    const list = typeof v === 'number' ? [v] : v;
    if (list.length > m.components) {
      throw new Error(`${shader}: uniform '${m.name}' holds ${m.components} values, got ${list.length}`);
    }
    for (let i = 0; i < list.length; i++) {
      const at = m.offset + Math.floor(i / m.width) * m.stride + (i % m.width) * 4;
      const x = list[i];
      if (m.scalar === 'f32') view.setFloat32(at, x, true);
      else if (m.scalar === 'u32') {
        if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new Error(`${shader}: uniform '${m.name}' needs a u32, got ${x}`);
        view.setUint32(at, x, true);
      } else {
        if (!Number.isInteger(x) || x < -0x80000000 || x > 0x7fffffff) throw new Error(`${shader}: uniform '${m.name}' needs an i32, got ${x}`);
        view.setInt32(at, x, true);
      }
    }
  }
  return buffer;
}
