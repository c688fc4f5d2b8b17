// ONNX Runtime Web (onnxruntime-web, WebGPU execution provider) as a benchmark peer for
// inference: the case's model is built with ours's seed, exported by our exportOnnx (the
// same weights, opset 13) and run by an InferenceSession, outputs read back to the host as
// an app would. Loaded on demand; its wasm files are served from node_modules.
import type * as Ort from 'onnxruntime-web';
import { acquireDevice } from '../../src/backends/webgpu/device';
import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { exportOnnx } from '../../src/io/onnx/onnx_export';
import { predictModel, type CaseSpec } from './cases';
import { benchData, type BenchSystem } from './systems';

const WARMUP = 2;

export function ortSystem(ort: typeof Ort): BenchSystem {
  return {
    key: 'ortWeb',
    label: `ONNX Runtime Web ${ort.env.versions.web} webgpu`,
    skipReason: (spec) => `ONNX Runtime Web is timed on inference (predict cases) only; not on ${spec.kind}`,
    async prepare(spec: CaseSpec) {
      if (spec.kind !== 'predict') return null;
      // Ours builds the same model with the same seed (ours.ts), so both run the same weights.
      const model = predictModel(spec).build(new CpuBackend(), { seed: 1 });
      const bytes = await exportOnnx(model);
      const shape = [spec.batch, ...model.input.shape];
      model.dispose();
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'], graphOptimizationLevel: 'all' });
      const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', benchData(shape, 1), shape) };
      // A peer is timed only on work it does right: its WebGPU outputs must equal its own wasm (CPU) outputs.
      const mismatch = await outputMismatch(ort, bytes, session, feeds);
      if (mismatch !== null) {
        await session.release();
        throw new Error(
          `its WebGPU outputs differ from its own wasm outputs on this adapter (largest difference ${mismatch.toPrecision(3)}), so it is not timed`,
        );
      }
      const timed = async () => {
        const start = performance.now();
        const out = await session.run(feeds);
        // Done means the outputs are on the host, as for ours (model.predict reads them back).
        for (const t of Object.values(out)) {
          await t.getData();
          t.dispose();
        }
        return { wallMs: performance.now() - start, gpuMs: null };
      };
      const firstMs = (await timed()).wallMs;
      for (let i = 1; i < WARMUP; i++) await timed();
      return { run: timed, dispose: () => void session.release(), firstMs };
    },
  };
}

/** The largest |WebGPU - wasm| over the first output, or null when within 1e-3 of the wasm output's largest magnitude. */
async function outputMismatch(ort: typeof Ort, bytes: Uint8Array, session: Ort.InferenceSession, feeds: Record<string, Ort.Tensor>): Promise<number | null> {
  const reference = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const name = session.outputNames[0];
    const want = (await reference.run(feeds))[name].data as Float32Array;
    const got = (await (await session.run(feeds))[name].getData()) as Float32Array;
    const scale = Math.max(1, ...want.map(Math.abs));
    const worst = Math.max(...want.map((v, i) => Math.abs(v - got[i])));
    return worst <= 1e-3 * scale ? null : worst;
  } finally {
    await reference.release();
  }
}

/**
 * Loads onnxruntime-web's WebGPU build and gives it a device of its own (the fallback
 * adapter where there is no other, as ours takes); throws with the reason when it cannot.
 */
export async function loadOrt(): Promise<typeof Ort> {
  const ort = (await import('onnxruntime-web/webgpu')) as unknown as typeof Ort;
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  // One thread: the page is not cross-origin isolated, so there is no SharedArrayBuffer.
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const { device } = await acquireDevice();
  ort.env.webgpu.device = device;
  return ort;
}
