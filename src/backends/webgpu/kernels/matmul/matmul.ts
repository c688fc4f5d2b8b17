import matmulSource from '../../../../../shaders/matmul/matmul.wgsl?raw';
import matmulF16Source from '../../../../../shaders/matmul/matmul_f16.wgsl?raw';
import matmulSharedSource from '../../../../../shaders/matmul/matmul_shared.wgsl?raw';
import matmulSubgroupSource from '../../../../../shaders/matmul/matmul_subgroup.wgsl?raw';
import matmulTile8Source from '../../../../../shaders/matmul/matmul_tile8.wgsl?raw';
import matmulVec4Source from '../../../../../shaders/matmul/matmul_vec4.wgsl?raw';
import { matmulDims, type MatmulAttrs } from '../../../../ops/matmul';
import type { ShaderSpec } from '../../shader';
import { defineShader } from '../../shader_registry';
import { defineFamily, runFamily, type KernelVariant } from '../../variants';
import type { GpuStorage, WebGPUKernel, WebGPUKernelHost, WebGPUKernels } from '../../kernel_host';

const UNIFORMS = ['M', 'N', 'K', 'batch', 'tiles_m', 'tiles_n', 'a_batch_stride', 'b_batch_stride'];
const BINDINGS = ['a', 'b', 'bias', 'out'];
const gemmShader = (name: string, source: string) => defineShader({ name, source, bindings: BINDINGS, uniforms: UNIFORMS });

export const matmulShader = gemmShader('matmul', matmulSource);
export const matmulSharedShader = gemmShader('matmul_shared', matmulSharedSource);
export const matmulTile8Shader = gemmShader('matmul_tile8', matmulTile8Source);
export const matmulVec4Shader = gemmShader('matmul_vec4', matmulVec4Source);
export const matmulSubgroupShader = gemmShader('matmul_subgroup', matmulSubgroupSource);
export const matmulF16Shader = gemmShader('matmul_f16', matmulF16Source);

/** One product as every GEMM variant sees it. */
interface Gemm {
  attrs: MatmulAttrs;
  d: ReturnType<typeof matmulDims>;
  a: GpuStorage;
  b: GpuStorage;
  bias?: GpuStorage;
  out: GpuStorage;
}

/**
 * One dispatch of a GEMM shader whose workgroup covers `rows` x `cols` of C; `overrides`
 * are the shader's own (workgroup shape, transposes, bias, ReLU).
 */
function dispatchGemm(
  backend: WebGPUKernelHost,
  p: Gemm,
  spec: ShaderSpec,
  rows: number,
  cols: number,
  overrides: Record<string, number | boolean>,
): GpuStorage {
  const { d } = p;
  const tilesM = Math.ceil(d.m / rows);
  const tilesN = Math.ceil(d.n / cols);
  backend.dispatch({
    spec,
    overrides,
    // Without a bias any buffer fills the slot; HAS_BIAS=false never reads it.
    buffers: { a: p.a, b: p.b, bias: p.bias ?? p.a, out: p.out },
    uniforms: { M: d.m, N: d.n, K: d.k, batch: d.batch, tiles_m: tilesM, tiles_n: tilesN, a_batch_stride: d.aBatchStride, b_batch_stride: d.bBatchStride },
    workgroups: tilesM * tilesN * d.batch,
  });
  return p.out;
}

const epilogue = (p: Gemm) => ({ HAS_BIAS: p.d.hasBias, RELU: p.attrs.relu === true });
const transposes = (p: Gemm) => ({ TRANS_A: p.attrs.transposeA === true, TRANS_B: p.attrs.transposeB === true });
const always = () => true;
/** matmul_vec4.wgsl's reach: A and B untransposed, K and N multiples of 4 (vec4 loads and stores). */
const vec4Fits = ({ attrs, d }: Pick<Gemm, 'attrs' | 'd'>) => !attrs.transposeA && !attrs.transposeB && d.n % 4 === 0 && d.k % 4 === 0;

/** Register tiles of 4x4 per invocation without barriers, in a workgroup of wgX x wgY (matmul.wgsl). */
const registers = (name: string, wgX: number, wgY: number): KernelVariant<Gemm> => ({
  name,
  shaders: ['matmul'],
  leads: 'fallback',
  fits: always,
  run: (backend, p) => dispatchGemm(backend, p, matmulShader, 4 * wgY, 4 * wgX, { WG_X: wgX, WG_Y: wgY, ...transposes(p), ...epilogue(p) }),
});

/**
 * The GEMM variants, in their order on fallback adapters (variant 0 runs when tuning is
 * off). Register tiles without barriers in two workgroup shapes, what SwiftShader runs
 * fastest; the 8x8 register block (16 loads per 64 multiply-adds: faster than the 4x4 on
 * LeNet-5's dense layers and large products, but a quarter of the invocations, so small
 * products run better on the 4x4s); vec4 loads where A and B are untransposed and K and N
 * multiples of 4. For real GPUs (first there): workgroup-memory tiles of 64 x 64, and A
 * shared through subgroup shuffles where the adapter has subgroups. At precision 'f16'
 * (inference, devices with shader-f16) only: the workgroup-memory tiles in f16.
 */
export const matmulFamily = defineFamily<Gemm>({
  op: 'matmul',
  choice: 'tuned',
  shapeClass: ({ attrs, d }) => {
    // Sizes rounded up to powers of two, transposes, batched or not, vec4-able or not.
    const v4 = vec4Fits({ attrs, d });
    return `m${pow2(d.m)} n${pow2(d.n)} k${pow2(d.k)}${attrs.transposeA ? ' tA' : ''}${attrs.transposeB ? ' tB' : ''}${d.batch > 1 ? ' batched' : ''}${v4 ? ' v4' : ''}`;
  },
  variants: [
    registers('matmul', 8, 8),
    registers('matmul:16x4', 16, 4),
    {
      name: 'matmul_shared',
      shaders: ['matmul_shared'],
      leads: 'gpu',
      fits: always,
      run: (backend, p) => dispatchGemm(backend, p, matmulSharedShader, 64, 64, { ...transposes(p), ...epilogue(p) }),
    },
    {
      name: 'matmul_tile8',
      shaders: ['matmul_tile8'],
      leads: 'fallback',
      fits: always,
      run: (backend, p) => dispatchGemm(backend, p, matmulTile8Shader, 64, 64, { WG_X: 8, WG_Y: 8, ...transposes(p), ...epilogue(p) }),
    },
    {
      name: 'matmul_vec4',
      shaders: ['matmul_vec4'],
      leads: 'fallback',
      fits: vec4Fits,
      run: (backend, p) => dispatchGemm(backend, p, matmulVec4Shader, 32, 32, { WG_X: 8, WG_Y: 8, ...epilogue(p) }),
    },
    {
      name: 'matmul_subgroup',
      shaders: ['matmul_subgroup'],
      leads: 'gpu',
      fits: (_p, adapter) => adapter.subgroups,
      run: (backend, p) => dispatchGemm(backend, p, matmulSubgroupShader, 4, 256, { ...transposes(p), ...epilogue(p) }),
    },
    {
      name: 'matmul_f16',
      shaders: ['matmul_f16'],
      leads: 'gpu',
      precision: 'f16',
      fits: (_p, adapter) => adapter.f16 && adapter.maxInvocations >= 256 && adapter.maxWorkgroupStorageBytes >= 8192,
      run: (backend, p) => dispatchGemm(backend, p, matmulF16Shader, 64, 64, { ...transposes(p), ...epilogue(p) }),
    },
  ],
});

const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(n, 1)));

export const matmul: WebGPUKernel = (backend, inputs, rawAttrs, outShape) => {
  const attrs = rawAttrs as MatmulAttrs;
  const d = matmulDims(
    inputs.map((x) => x.shape),
    attrs,
  );
  const out = backend.allocate('matmul', outShape);
  if (d.m === 0 || d.n === 0) return out;
  const request = { op: 'matmul', inputs: inputs.map((x) => x.shape), attrs, outShape };
  return runFamily(backend, matmulFamily, { attrs, d, a: inputs[0].storage, b: inputs[1].storage, bias: inputs[2]?.storage, out }, request);
};

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { matmul };
