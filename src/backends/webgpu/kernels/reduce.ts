import reduceSource from '../../../../shaders/reduce.wgsl?raw';
import { reducedAxes, REDUCE_OPS, type ReduceAttrs, type ReduceOpName } from '../../../ops/reduce';
import { sizeOf, stridesOf, type Shape } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { GpuStorage, WebGPUKernel, WebGPUKernelHost, WebGPUKernels } from '../kernel_host';
import { axisList, ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';

export const reduceShader = defineShader({
  name: 'reduce',
  source: reduceSource,
  bindings: ['x', 'out'],
  uniforms: ['out_size', 'parts', 'reduce_size', 'chunk', 'kept_rank', 'red_rank', 'scale', 'kept_shape', 'kept_strides', 'red_shape', 'red_strides'],
});

/** Below this many outputs, a long reduction is split so more invocations share it. */
const SPLIT_BELOW_OUTPUTS = 1024;
/** Values each invocation folds in the first pass of a split reduction. */
const SPLIT_CHUNK = 256;

interface Pass {
  input: GpuStorage;
  outSize: number;
  reduceSize: number;
  parts: number;
  scale: number;
  contiguous: boolean;
  kept: { shape: number[]; strides: number[] };
  red: { shape: number[]; strides: number[] };
}

function enqueuePass(backend: WebGPUKernelHost, name: string, op: number, out: GpuStorage, p: Pass): void {
  backend.dispatch({
    spec: reduceShader,
    overrides: { OP: op, CONTIGUOUS: p.contiguous, WG: ELEMENTWISE_WG },
    buffers: { x: p.input, out },
    uniforms: {
      out_size: p.outSize,
      parts: p.parts,
      reduce_size: p.reduceSize,
      chunk: Math.ceil(p.reduceSize / p.parts),
      kept_rank: p.kept.shape.length,
      red_rank: p.red.shape.length,
      scale: p.scale,
      kept_shape: axisList(name, p.kept.shape),
      kept_strides: axisList(name, p.kept.strides),
      red_shape: axisList(name, p.red.shape),
      red_strides: axisList(name, p.red.strides),
    },
    workgroups: elementwiseWorkgroups(p.outSize * p.parts),
  });
}

/**
 * Reduces `axes` of `input` (shape `shape`) into `out`, scaling by `scale`. A
 * reduction whose axes are not innermost but end with the last axis (the bias
 * gradient sum over [0, 2, 3] of NCHW) first folds that trailing run, which reads
 * memory in order, and then the rest of the axes from the much smaller result:
 * unravelling scattered axes per element is what makes such a reduction slow.
 */
function reduceAxes(
  backend: WebGPUKernelHost,
  name: string,
  op: number,
  input: GpuStorage,
  shape: readonly number[],
  axes: readonly number[],
  scale: number,
  out: GpuStorage,
): void {
  const strides = stridesOf(shape);
  const keptAxes = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  // Reduced axes are innermost when every kept axis comes before every reduced one.
  const contiguous = keptAxes.every((k) => axes.every((r) => k < r));
  let trailing = 0;
  while (trailing < axes.length && axes.includes(shape.length - 1 - trailing)) trailing++;
  if (!contiguous && trailing > 0) {
    const inner = shape.slice(0, shape.length - trailing);
    const partial = backend.allocate(name, inner);
    reduceAxes(
      backend,
      name,
      op,
      input,
      shape,
      axes.filter((a) => a >= shape.length - trailing),
      1,
      partial,
    );
    reduceAxes(
      backend,
      name,
      op,
      partial,
      inner,
      axes.filter((a) => a < shape.length - trailing),
      scale,
      out,
    );
    backend.release(partial);
    return;
  }
  const pick = (list: number[]) => ({ shape: list.map((i) => shape[i]), strides: list.map((i) => strides[i]) });
  const kept = pick(keptAxes);
  const red = pick([...axes]);
  const outSize = sizeOf(kept.shape);
  const reduceSize = sizeOf(red.shape);
  const parts = outSize < SPLIT_BELOW_OUTPUTS && reduceSize > 4 * SPLIT_CHUNK ? Math.ceil(reduceSize / SPLIT_CHUNK) : 1;
  if (parts === 1) {
    enqueuePass(backend, name, op, out, { input, outSize, reduceSize, parts: 1, scale, contiguous, kept, red });
    return;
  }
  const partial = backend.allocate(name, [outSize, parts]);
  enqueuePass(backend, name, op, partial, { input, outSize, reduceSize, parts, scale: 1, contiguous, kept, red });
  const flat = { shape: [outSize], strides: [parts] };
  enqueuePass(backend, name, op, out, {
    input: partial,
    outSize,
    reduceSize: parts,
    parts: 1,
    scale,
    contiguous: true,
    kept: flat,
    red: { shape: [parts], strides: [1] },
  });
  backend.release(partial);
}

function reduceKernel(name: ReduceOpName): WebGPUKernel {
  const op = name === 'max' ? 1 : 0;
  return (backend, [x], rawAttrs, outShape: Shape) => {
    const axes = reducedAxes(name, x.shape, (rawAttrs as ReduceAttrs).axes);
    const reduceSize = sizeOf(axes.map((a) => x.shape[a]));
    const out = backend.allocate(name, outShape);
    reduceAxes(
      backend,
      name,
      op,
      x.storage,
      x.shape,
      [...axes].sort((a, b) => a - b),
      name === 'mean' ? 1 / reduceSize : 1,
      out,
    );
    return out;
  };
}

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = Object.fromEntries(REDUCE_OPS.map((n) => [n, reduceKernel(n)]));

/**
 * The sum over `parts` partial results laid out [parts, size] (kernels that split a long
 * reduction over images write one partial each), as `outShape`; one part is returned as it
 * is. The partials' storage is released.
 */
export function sumPartials(backend: WebGPUKernelHost, partials: GpuStorage, parts: number, size: number, outShape: Shape): GpuStorage {
  if (parts === 1) return partials;
  const out = kernels.sum(backend, [{ storage: partials, shape: [parts, size] }], { axes: [0], keepDims: false }, outShape);
  backend.release(partials);
  return out;
}
