// The device pack's bench cases (device_bench.ts runs them): what the issue names at real
// sizes in --full, three small ones in --smoke. Apart from the phase, so the browser suite
// can read the table.
import { sizeOf } from '../../src/shape';
import { type BenchCase, convCases, LENET5_FORWARD_FLOPS, matmulCase, predictCase, trainStepCase, zooForwardFlops } from '../bench/cases';

/**
 * The device bench's cases: in smoke three small ones (the harness and the peers work; the
 * train phase compiles a training step), in full the at real sizes.
 */
export function deviceBenchCases(mode: 'smoke' | 'full'): BenchCase[] {
  if (mode === 'smoke') {
    return [matmulCase('matmul-128', 128, 128, 128), convCases('conv-lenet2', [8, 6, 14, 14], 16, 5)[0], predictCase('lenet5-predict-b1', 'lenet5', 1)];
  }
  return [
    matmulCase('matmul-1024', 1024, 1024, 1024),
    matmulCase('matmul-2048', 2048, 2048, 2048),
    matmulCase('matmul-4096', 4096, 4096, 4096),
    ...convCases('conv-vgg', [8, 64, 56, 56], 64, 3, true),
    ...convCases('conv-resnet50-3x3', [8, 128, 28, 28], 128, 3, true),
    ...convCases('conv-mobilenet-pw', [8, 128, 28, 28], 128, 1),
    trainStepCase('lenet5-train-step-b64', 'lenet5', LENET5_FORWARD_FLOPS),
    trainStepCase('resnet20-train-step-b16', 'resnet20', zooForwardFlops('resnet20'), 16),
    trainStepCase('resnet20-train-step-b64', 'resnet20', zooForwardFlops('resnet20'), 64),
    predictCase('lenet5-predict-b1', 'lenet5', 1),
    predictCase('lenet5-predict-b64', 'lenet5', 64),
    predictCase('resnet18-predict-b1', 'resnet18', 1),
    predictCase('resnet18-predict-b64', 'resnet18', 64),
  ];
}

/** The least bytes an op case moves (its inputs and output once, f32); undefined for whole networks. */
export function caseBytes(c: BenchCase): number | undefined {
  const s = c.spec;
  if (s.kind === 'matmul') return 4 * (s.m * s.k + s.k * s.n + s.m * s.n);
  if (s.kind === 'conv') {
    const out = s.same ? [s.x[2], s.x[3]] : [s.x[2] - s.k + 1, s.x[3] - s.k + 1];
    return 4 * (sizeOf(s.x) + s.o * s.x[1] * s.k * s.k + s.x[0] * s.o * out[0] * out[1]);
  }
  return undefined;
}
