import { reflectShader, type ReflectedShader, type ShaderSpec } from './shader';

export type OverrideValues = Record<string, number | boolean>;

export interface CompiledKernel {
  spec: ShaderSpec;
  reflected: ReflectedShader;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** Cache key: shader name plus sorted override values. */
  key: string;
}

/** Explicit string key for a shader specialised with override constants. */
export function pipelineKey(shader: string, overrides: OverrideValues): string {
  const parts = Object.keys(overrides)
    .sort()
    .map((k) => `${k}=${Number(overrides[k])}`);
  return `${shader}|${parts.join(',')}`;
}

/**
 * Compiles each shader module once and each (shader, overrides) pipeline once. Bind
 * group layouts are built from reflection rather than 'auto', so a binding the entry
 * point happens not to use still has a slot and binding by name never fails.
 */
export class PipelineCache {
  private readonly modules = new Map<
    string,
    { module: GPUShaderModule; reflected: ReflectedShader; layout: GPUBindGroupLayout; pipelineLayout: GPUPipelineLayout }
  >();
  private readonly pipelines = new Map<string, CompiledKernel>();

  private readonly device: GPUDevice;
  private readonly onError: (message: string) => void;
  constructor(device: GPUDevice, onError: (message: string) => void) {
    this.device = device;
    this.onError = onError;
  }

  get size(): number {
    return this.pipelines.size;
  }

  get(spec: ShaderSpec, overrides: OverrideValues): CompiledKernel {
    const key = pipelineKey(spec.name, overrides);
    const hit = this.pipelines.get(key);
    if (hit) return hit;
    const mod = this.module(spec);
    for (const name of Object.keys(overrides)) {
      if (!mod.reflected.overrides.includes(name)) throw new Error(`${spec.name}: '${name}' is not an override constant of ${spec.name}.wgsl`);
    }
    const constants: Record<string, number> = {};
    for (const [k, v] of Object.entries(overrides)) constants[k] = Number(v);
    this.device.pushErrorScope('validation');
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout: mod.pipelineLayout,
      compute: { module: mod.module, entryPoint: 'main', constants },
    });
    void this.device.popErrorScope().then((e) => e && this.onError(`pipeline ${key}: ${e.message}`));
    const compiled = { spec, reflected: mod.reflected, pipeline, layout: mod.layout, key };
    this.pipelines.set(key, compiled);
    return compiled;
  }

  private module(spec: ShaderSpec) {
    const hit = this.modules.get(spec.name);
    if (hit) return hit;
    const reflected = reflectShader(spec.name, spec.source);
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label: `${spec.name}.wgsl`, code: spec.source });
    void this.device.popErrorScope().then((e) => e && this.onError(`${spec.name}.wgsl: ${e.message}`));
    // Compile messages carry the line number, which the error scope's message lacks.
    void module.getCompilationInfo().then((info) => {
      for (const m of info.messages) {
        if (m.type === 'error') this.onError(`${spec.name}.wgsl:${m.lineNum}:${m.linePos}: ${m.message}`);
      }
    });
    const layout = this.device.createBindGroupLayout({
      label: spec.name,
      entries: reflected.bindings.map((b) => ({
        binding: b.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: b.kind },
      })),
    });
    const pipelineLayout = this.device.createPipelineLayout({ label: spec.name, bindGroupLayouts: [layout] });
    const entry = { module, reflected, layout, pipelineLayout };
    this.modules.set(spec.name, entry);
    return entry;
  }
}
