// Builds a TypeScript entry of src/ into one ES module that plain Node runs (shaders
// inlined through Vite's ?raw, wgsl_reflect and onnx-proto bundled: their packages do not
// load as Node ES modules), leaving native packages (webgpu, onnxruntime-node, @napi-rs/canvas) external.
import { build } from 'vite';
import { join } from 'node:path';

/** The bench peers' packages, bundled into the device program (tools/device/device_main.ts): TF.js's ES modules import files without extensions. */
export const DEVICE_BUNDLED = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgpu', '@jax-js/jax', 'seedrandom'];

/**
 * Builds `entry` (relative to the repository) into `outDir`; returns the output file's path.
 * `bundled` names more packages to bundle rather than import at run time (TF.js, whose
 * ES modules import files without extensions, which Node's loader refuses). `singleFile`
 * inlines dynamic imports too, so the output is one file (the device pack's).
 */
export async function bundleForNode(root, entry, outDir, { bundled = [], singleFile = false } = {}) {
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    ssr: {
      noExternal: [
        'wgsl_reflect',
        'onnx-proto',
        'protobufjs',
        'long',
        '@protobufjs/aspromise',
        '@protobufjs/base64',
        '@protobufjs/eventemitter',
        '@protobufjs/float',
        '@protobufjs/inquire',
        '@protobufjs/utf8',
        '@protobufjs/pool',
        '@protobufjs/codegen',
        '@protobufjs/fetch',
        '@protobufjs/path',
        ...bundled,
      ],
    },
    build: {
      ssr: entry,
      outDir,
      emptyOutDir: true,
      target: 'node20',
      rollupOptions: { external: ['webgpu', 'onnxruntime-node', '@napi-rs/canvas'], ...(singleFile ? { output: { codeSplitting: false } } : {}) },
    },
  });
  const name = entry.split('/').pop().replace(/\.ts$/, '.js');
  return join(outDir, name);
}
