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
    'oh',
    'ow',
    'seed',
    'flip_h_threshold',
    'flip_v_threshold',
    'noise_threshold',
    'max_shift',
    'padding',
    'resized_crop',
    'per_channel',
    'max_rotation',
    'zoom',
    'brightness',
    'contrast',
    'saturation',
    'pivot',
    'noise_low',
    'noise_high',
    'scale_min',
    'scale_max',
    'ratio_min',
    'ratio_max',
    'log_ratio_min',
    'log_ratio_max',
  ],
});

export const augment: WebGPUKernel = (backend, [x, step], rawAttrs, outShape) => {
  const a = rawAttrs as AugmentAttrs;
  const [n, c, h, w] = x.shape;
  const [, , oh, ow] = outShape;
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
      oh,
      ow,
      seed: a.seed >>> 0,
      flip_h_threshold: threshold(a.flipHorizontal),
      flip_v_threshold: threshold(a.flipVertical),
      noise_threshold: threshold(a.saltPepper),
      max_shift: a.maxShift,
      padding: a.padding,
      resized_crop: a.cropScale[1] !== 0 ? 1 : 0,
      per_channel: a.perChannel ? 1 : 0,
      max_rotation: a.maxRotation,
      zoom: a.zoom,
      brightness: a.brightness,
      contrast: a.contrast,
      saturation: a.saturation,
      pivot: a.pivot,
      noise_low: a.noiseLow,
      noise_high: a.noiseHigh,
      scale_min: a.cropScale[0],
      scale_max: a.cropScale[1],
      ratio_min: a.cropRatio[0],
      ratio_max: a.cropRatio[1],
      log_ratio_min: Math.log(a.cropRatio[0]),
      log_ratio_max: Math.log(a.cropRatio[1]),
    },
    workgroups: elementwiseWorkgroups(total),
  });
  return out;
};

/** The launchers of this file by op name (kernel_registry.ts collects them). */
export const kernels: WebGPUKernels = { augment };
