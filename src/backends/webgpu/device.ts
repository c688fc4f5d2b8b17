/** Limits raised from WebGPU's defaults to whatever the adapter allows. */
const RAISED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
] as const;

/** Optional features used when offered: timestamps for kernel timing, subgroups for reductions, f16 arithmetic (shader-f16). */
const WANTED_FEATURES: GPUFeatureName[] = ['timestamp-query', 'subgroups' as GPUFeatureName, 'shader-f16'];

export const ENABLE_WEBGPU_HELP =
  'Use a browser with WebGPU (Chrome or Edge 113+, Safari 26+, Firefox 141+ on Windows), serve the page from https:// or http://localhost, ' +
  'and in Chromium on Linux or without a GPU start it with --enable-unsafe-webgpu (add --enable-unsafe-swiftshader to run on the CPU). ' +
  'The CPU backend (new CpuBackend()) works everywhere.';

export interface DeviceOptions {
  /** The GPU entry point; defaults to navigator.gpu. Pass null to simulate a browser without WebGPU. */
  gpu?: GPU | null;
  powerPreference?: GPUPowerPreference;
}

export interface AcquiredDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  info: GPUAdapterInfo;
  isFallback: boolean;
}

/**
 * Finds an adapter (a real one first, then the fallback adapter), and requests a
 * device with the optional features it offers and its largest compute limits.
 */
export async function acquireDevice(options: DeviceOptions = {}): Promise<AcquiredDevice> {
  const gpu = options.gpu === undefined ? (globalThis.navigator as Navigator | undefined)?.gpu : options.gpu;
  if (!gpu) throw new Error(`WebGPU is not available here (navigator.gpu is undefined). ${ENABLE_WEBGPU_HELP}`);
  let adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  let isFallback = false;
  if (!adapter) {
    adapter = await gpu.requestAdapter({ forceFallbackAdapter: true });
    isFallback = adapter !== null;
  }
  if (!adapter) throw new Error(`WebGPU found no adapter, not even the fallback one. ${ENABLE_WEBGPU_HELP}`);
  const info = adapter.info;
  isFallback ||= (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'cnn-engine' });
  return { adapter, device, info, isFallback };
}
