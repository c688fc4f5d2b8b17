import binarySource from '../../../../shaders/binary.wgsl?raw';
import { BINARY_OPS } from '../../../ops/binary';
import { broadcastStrides, shapesEqual, sizeOf } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel, WebGPUKernels } from '../kernel_host';
import { axisList, ELEMENTWISE_WG, quadWorkgroups } from './elementwise';

export const binaryShader = defineShader({
  name: 'binary',
  source: binarySource,
  bindings: ['a', 'b', 'out'],
  uniforms: ['n', 'rank', 'out_shape', 'a_strides', 'b_strides'],
});

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = Object.fromEntries(
  BINARY_OPS.map((name, index) => {
    const kernel: WebGPUKernel = (backend, [a, b], _attrs, outShape) => {
      const out = backend.allocate(name, outShape);
      const n = sizeOf(outShape);
      const broadcast = !shapesEqual(a.shape, outShape) || !shapesEqual(b.shape, outShape);
      backend.dispatch({
        spec: binaryShader,
        overrides: { OP: index, BROADCAST: broadcast, WG: ELEMENTWISE_WG },
        buffers: { a: a.storage, b: b.storage, out },
        uniforms: {
          n,
          rank: outShape.length,
          out_shape: axisList(name, outShape),
          a_strides: axisList(name, broadcastStrides(a.shape, outShape)),
          b_strides: axisList(name, broadcastStrides(b.shape, outShape)),
        },
        workgroups: quadWorkgroups(n),
      });
      return out;
    };
    return [name, kernel];
  }),
);
