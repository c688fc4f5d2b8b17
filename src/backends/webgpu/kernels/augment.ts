import augmentSource from '../../../../shaders/augment.wgsl?raw';
import { augmentThreshold as threshold, type AugmentAttrs } from '../../../ops/augment';
import { sizeOf } from '../../../shape';
import { defineShader } from '../shader_registry';
import type { WebGPUKernel, WebGPUKernels } from '../kernel_host';
import { ELEMENTWISE_WG, elementwiseWorkgroups } from './elementwise';

export const augmentShader = defineShader({
  name: 'augment',
  source: augmentSource,
  bindings: ['x', 'step', 'out'],
  uniforms: [
    'n',
    'c',
    'h',
    'w',
    'seed',
    'flip_h_threshold',
    'flip_v_threshold',
    'noise_threshold',
    'max_shift',
    'max_rotation',
    'brightness',
    'contrast',
    'pivot',
    'noise_low',
    'noise_high',
  ],
});

export const augment: WebGPUKernel = (backend, [x, step], rawAttrs, outShape) => {
  const a = rawAttrs as AugmentAttrs;
  const [n, c, h, w] = x.shape;
  const out = backend.allocate('augment', outShape);
  const total = sizeOf(outShape);
  backend.dispatch({
    spec: augmentShader,
    overrides: { WG: ELEMENTWISE_WG },
    buffers: { x: x.storage, step: step.storage, out },
    uniforms: {
      n,
      c,
      h,
      w,
      seed: a.seed >>> 0,
      flip_h_threshold: threshold(a.flipHorizontal),
      flip_v_threshold: threshold(a.flipVertical),
      noise_threshold: threshold(a.saltPepper),
      max_shift: a.maxShift,
      max_rotation: a.maxRotation,
      brightness: a.brightness,
      contrast: a.contrast,
      pivot: a.pivot,
      noise_low: a.noiseLow,
      noise_high: a.noiseHigh,
    },
    workgroups: elementwiseWorkgroups(total),
  });
  return out;
};

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { augment };
