// Phase 1 of the device pack: which adapter Dawn found, its features and limits.
import { createWebGPUBackend, gpuFamily } from '../../src/backends/webgpu/webgpu_backend';
import { createDawnGPU } from '../../src/node';
import { Phase, type PhaseOptions } from './phase';

/** WebGPU's limits by name (Dawn's objects keep them as prototype getters, which no loop lists). */
const LIMITS = [
  'maxTextureDimension2D',
  'maxBindGroups',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'minStorageBufferOffsetAlignment',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'subgroupMinSize',
  'subgroupMaxSize',
] as const;

/** The features the engine looks for. */
const NOTED_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'];

export async function adapterPhase(options: PhaseOptions): Promise<void> {
  const phase = new Phase('adapter', options, {} as Record<string, unknown>);
  const gpu = await createDawnGPU([], options.adapter);
  const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) ?? (await gpu.requestAdapter({ forceFallbackAdapter: true }));
  if (!adapter) throw new Error('adapter: Dawn found no adapter');
  // The backend's device (the engine's features and raised limits) says what its kernels may use.
  const backend = await createWebGPUBackend({ gpu, autotune: false, tuneStore: null });
  const info = backend.adapterInfo;
  const device = backend.device;
  const limits: Record<string, number> = {};
  const source = adapter.limits as unknown as Record<string, number | undefined>;
  for (const name of LIMITS) if (typeof source[name] === 'number') limits[name] = source[name];
  const features = [...adapter.features].sort();
  phase.report = {
    family: gpuFamily(info),
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallback: backend.isFallbackAdapter,
    icd: process.env.VK_ICD_FILENAMES ?? null,
    node: process.version,
    features,
    deviceFeatures: [...device.features].sort(),
    noted: Object.fromEntries(NOTED_FEATURES.map((f) => [f, adapter.features.has(f)])),
    limits,
    traits: backend.adapterTraits,
  };
  phase.log(`adapter: ${info.vendor} / ${info.architecture} / ${info.description || info.device || '-'}${backend.isFallbackAdapter ? ' (fallback)' : ''}`);
  phase.log(`Vulkan driver: ${process.env.VK_ICD_FILENAMES ?? '(the loader chose)'}`);
  phase.log(
    `features: ${NOTED_FEATURES.map((f) => `${f} ${adapter.features.has(f) ? 'yes' : 'no'}`).join(', ')} (the engine's device has ${[...device.features].sort().join(', ') || 'none'})`,
  );
  phase.log(`all features: ${features.join(' ')}`);
  phase.log('limits:');
  for (const [k, v] of Object.entries(limits)) phase.log(`  ${k.padEnd(36)} ${v}`);
  phase.save(true);
  backend.destroy();
}
