import matmulSource from '../../../../shaders/matmul.wgsl?raw';
import matmulSharedSource from '../../../../shaders/matmul_shared.wgsl?raw';
import matmulTile8Source from '../../../../shaders/matmul_tile8.wgsl?raw';
import matmulVec4Source from '../../../../shaders/matmul_vec4.wgsl?raw';
import { matmulDims, type MatmulAttrs } from '../../../ops/matmul';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel } from '../webgpu_backend';

export const matmulShader = defineShader({
  name: 'matmul',
  source: matmulSource,
  bindings: ['a', 'b', 'bias', 'out'],
  uniforms: ['M', 'N', 'K', 'batch', 'tiles_m', 'tiles_n', 'a_batch_stride', 'b_batch_stride'],
});

export const matmulSharedShader = defineShader({
  name: 'matmul_shared',
  source: matmulSharedSource,
  bindings: ['a', 'b', 'bias', 'out'],
  uniforms: ['M', 'N', 'K', 'batch', 'tiles_m', 'tiles_n', 'a_batch_stride', 'b_batch_stride'],
});

export const matmulTile8Shader = defineShader({
  name: 'matmul_tile8',
  source: matmulTile8Source,
  bindings: ['a', 'b', 'bias', 'out'],
  uniforms: ['M', 'N', 'K', 'batch', 'tiles_m', 'tiles_n', 'a_batch_stride', 'b_batch_stride'],
});

export const matmulVec4Shader = defineShader({
  name: 'matmul_vec4',
  source: matmulVec4Source,
  bindings: ['a', 'b', 'bias', 'out'],
  uniforms: ['M', 'N', 'K', 'batch', 'tiles_m', 'tiles_n', 'a_batch_stride', 'b_batch_stride'],
});

/**
 * The GEMM variants the autotuner chooses from: register tiles without barriers in two
 * workgroup shapes (what SwiftShader and other CPU-backed adapters run fastest) and
 * workgroup-memory tiles of 64 x 64 (what discrete GPUs prefer), each invocation owning a
 * 4x4 block of C; an 8x8 register block (matmul_tile8.wgsl: 16 loads per 64 multiply-adds,
 * 1.5-1.9x the 4x4 on LeNet-5's dense layers and 1.9x on 512^3 here, but a quarter of the
 * invocations, so small products run better on the 4x4s); and vec4 loads where they fit.
 * Variant 0 runs when tuning is off.
 */
export const MATMUL_VARIANTS = [
  { name: 'registers-8x8', kind: 'registers', spec: matmulShader, block: 4, wgX: 8, wgY: 8 },
  { name: 'registers-16x4', kind: 'registers', spec: matmulShader, block: 4, wgX: 16, wgY: 4 },
  { name: 'shared-64x64', kind: 'shared', spec: matmulSharedShader, block: 4, wgX: 16, wgY: 16 },
  { name: 'tile8', kind: 'tile8', spec: matmulTile8Shader, block: 8, wgX: 8, wgY: 8 },
  // Only where A and B are untransposed and K and N are multiples of 4 (vec4 loads and stores).
  { name: 'vec4-8x8', kind: 'vec4', spec: matmulVec4Shader, block: 4, wgX: 8, wgY: 8 },
] as const;

/** Whether the vec4 variant can run this product. */
const vec4Fits = (attrs: MatmulAttrs, d: { n: number; k: number }) => !attrs.transposeA && !attrs.transposeB && d.n % 4 === 0 && d.k % 4 === 0;

/** Shape class for tuning: sizes rounded up to powers of two, transposes, batched or not. */
const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(n, 1)));

export const matmul: WebGPUKernel = (backend, inputs, rawAttrs, outShape) => {
  const attrs = rawAttrs as MatmulAttrs;
  const d = matmulDims(
    inputs.map((x) => x.shape),
    attrs,
  );
  const out = backend.allocate('matmul', outShape);
  if (d.m === 0 || d.n === 0) return out;
  const fits = vec4Fits(attrs, d);
  const shapeClass = `m${pow2(d.m)} n${pow2(d.n)} k${pow2(d.k)}${attrs.transposeA ? ' tA' : ''}${attrs.transposeB ? ' tB' : ''}${d.batch > 1 ? ' batched' : ''}${fits ? ' v4' : ''}`;
  const request = { op: 'matmul', inputs: inputs.map((x) => x.shape), attrs, outShape };
  const candidates = fits ? MATMUL_VARIANTS : MATMUL_VARIANTS.slice(0, -1);
  const variant = candidates[backend.tuner.pick('matmul', shapeClass, candidates.map((v) => v.name), request)];
  // Each invocation owns a block x block piece of C.
  const tilesM = Math.ceil(d.m / (variant.block * variant.wgY));
  const tilesN = Math.ceil(d.n / (variant.block * variant.wgX));
  const flags = { TRANS_A: attrs.transposeA, TRANS_B: attrs.transposeB, HAS_BIAS: d.hasBias, RELU: attrs.relu === true };
  const overrides =
    variant.kind === 'shared' ? flags
    : variant.kind === 'vec4' ? { WG_X: variant.wgX, WG_Y: variant.wgY, HAS_BIAS: flags.HAS_BIAS, RELU: flags.RELU }
    : { WG_X: variant.wgX, WG_Y: variant.wgY, ...flags };
  backend.dispatch({
    spec: variant.spec,
    overrides,
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
