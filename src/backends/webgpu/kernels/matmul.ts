import matmulSource from '../../../../shaders/matmul.wgsl?raw';
import { matmulDims, type MatmulAttrs } from '../../../ops/matmul';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel } from '../webgpu_backend';

export const matmulShader = defineShader({
  name: 'matmul',
  source: matmulSource,
  bindings: ['a', 'b', 'bias', 'out'],
  uniforms: ['M', 'N', 'K', 'batch', 'tiles_m', 'tiles_n', 'a_batch_stride', 'b_batch_stride'],
});

/** Workgroup shape (in invocations); each invocation owns a 4x4 block of C. */
const WG_X = 8;
const WG_Y = 8;

export const matmul: WebGPUKernel = (backend, inputs, rawAttrs, outShape) => {
  const attrs = rawAttrs as MatmulAttrs;
  const d = matmulDims(
    inputs.map((x) => x.shape),
    attrs,
  );
  const out = backend.allocate('matmul', outShape);
  if (d.m === 0 || d.n === 0) return out;
  const tilesM = Math.ceil(d.m / (4 * WG_Y));
  const tilesN = Math.ceil(d.n / (4 * WG_X));
  backend.dispatch({
    spec: matmulShader,
    overrides: { WG_X, WG_Y, TRANS_A: attrs.transposeA, TRANS_B: attrs.transposeB, HAS_BIAS: d.hasBias, RELU: attrs.relu === true },
    // Without a bias any buffer fills the slot; HAS_BIAS=false never reads it.
    buffers: { a: inputs[0].storage, b: inputs[1].storage, bias: (inputs[2] ?? inputs[0]).storage, out },
    uniforms: {
      M: d.m,
      N: d.n,
      K: d.k,
      batch: d.batch,
      tiles_m: tilesM,
      tiles_n: tilesN,
      a_batch_stride: d.aBatchStride,
      b_batch_stride: d.bBatchStride,
    },
    workgroups: tilesM * tilesN * d.batch,
  });
  return out;
};
