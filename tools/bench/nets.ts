// The plain benchmark networks, layer by layer, that the TF.js and jax-js peers build the same way.

export type NetLayer = { conv: [number, number, number]; pad: 'same' | 'valid' } | { pool: 2 } | { flatten: true } | { dense: [number, number]; relu: boolean };

export const NETS: Record<'lenet5' | 'cifar-cnn', { input: [number, number, number]; layers: NetLayer[] }> = {
  // [kernel, in, out] per conv; ReLU after every conv and every dense but the last.
  lenet5: {
    input: [28, 28, 1],
    layers: [
      { conv: [5, 1, 6], pad: 'same' },
      { pool: 2 },
      { conv: [5, 6, 16], pad: 'valid' },
      { pool: 2 },
      { flatten: true },
      { dense: [400, 120], relu: true },
      { dense: [120, 84], relu: true },
      { dense: [84, 10], relu: false },
    ],
  },
  'cifar-cnn': {
    input: [32, 32, 3],
    layers: [
      { conv: [3, 3, 32], pad: 'valid' },
      { pool: 2 },
      { conv: [3, 32, 64], pad: 'valid' },
      { pool: 2 },
      { conv: [3, 64, 64], pad: 'valid' },
      { flatten: true },
      { dense: [1024, 64], relu: true },
      { dense: [64, 10], relu: false },
    ],
  },
};
