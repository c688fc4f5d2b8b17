import { full, scope, type Tensor } from '../tensor';
import { activationGradOps, type ActivationGradName } from './activation_grad';
import { div, mul, neg, sign, square } from './by_name';
import { runOp } from './op';

type Rule = (inputs: readonly Tensor[], y: Tensor, dy: Tensor, attrs: { alpha?: number }) => (Tensor | null)[];

const constant = (like: Tensor, value: number) => full(like.backend, [], value);

/** dx from an activation's backward kernel, reading x (or y for sigmoid and tanh). */
const viaKernel =
  (op: ActivationGradName, from: 'x' | 'y', alpha?: number): Rule =>
  ([x], y, dy, attrs) => [runOp(activationGradOps[op], [from === 'x' ? x : y, dy], { alpha: attrs.alpha ?? alpha ?? 0 })];

/** Gradient rules of the unary ops, by name (their binary and unary ops come from by_name.ts: no import cycle). */
export const unaryGradRules: Record<string, Rule> = {
  neg: (_x, _y, dy) => [neg(dy)],
  abs: ([x], _y, dy) => [scope(() => mul(dy, sign(x)))],
  exp: (_x, y, dy) => [mul(dy, y)],
  log: ([x], _y, dy) => [div(dy, x)],
  // d sqrt(x) = 1 / (2 sqrt(x)) = 0.5 / y
  sqrt: (_x, y, dy) => [scope(() => div(mul(dy, constant(y, 0.5)), y))],
  // d x^-1/2 = -0.5 x^-3/2 = -0.5 y^3
  rsqrt: (_x, y, dy) => [scope(() => mul(dy, mul(constant(y, -0.5), mul(y, square(y)))))],
  square: ([x], _y, dy) => [scope(() => mul(dy, mul(x, constant(x, 2))))],
  // d 1/x = -1/x^2 = -y^2
  reciprocal: (_x, y, dy) => [scope(() => neg(mul(dy, square(y))))],
  sign: ([x]) => [full(x.backend, x.shape, 0)],
  relu: viaKernel('relu_grad', 'x'),
  relu6: viaKernel('relu6_grad', 'x'),
  leaky_relu: viaKernel('leaky_relu_grad', 'x', 0.01),
  elu: viaKernel('elu_grad', 'x', 1),
  sigmoid: viaKernel('sigmoid_grad', 'y'),
  tanh: viaKernel('tanh_grad', 'y'),
};
