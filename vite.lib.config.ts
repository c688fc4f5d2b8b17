import { defineConfig } from 'vite';

/**
 * `npm run build`: the library the package ships (dist/), two ES entries: the package root
 * (the WebGPU backend included, its WGSL shaders inlined as strings) and
 * `webgpu-cnn-engine/cpu` (no shaders), and `webgpu-cnn-engine/node` (the root plus a backend
 * on npm webgpu, Dawn). wgsl_reflect is bundled in: its package does not
 * load as a Node ES module, and the engine reads every shader's bindings with it at run
 * time. onnx-proto (and protobufjs under it) stays a dependency the app installs.
 */
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    minify: false,
    lib: { entry: { index: 'src/index.ts', cpu: 'src/cpu.ts', node: 'src/node.ts' }, formats: ['es'] },
    rollupOptions: { external: ['onnx-proto', 'webgpu', '@napi-rs/canvas', /^node:/], output: { chunkFileNames: 'core-[hash].js' } },
  },
});
