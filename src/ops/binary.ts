import { broadcastShapes } from '../shape';
import { scope, type Tensor } from '../tensor';
import { sumToShape } from './broadcast_grad';
import { neg } from './unary';
import { defineOp, runOp, type OpDef } from './op';

/** Elementwise two-input functions with NumPy broadcasting; the index is binary.wgsl's `OP`. */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow'] as const;
export type BinaryOpName = (typeof BINARY_OPS)[number];

type Rule = NonNullable<OpDef['grad']>;

/**
 * Gradient rules; each operand's gradient is summed back over its broadcast axes.
 * maximum, minimum and pow have none yet: a graph that needs them fails with a clear error.
 */
const binaryGradRules: Partial<Record<BinaryOpName, Rule>> = {
  add: ([a, b], _y, dy) => [sumToShape(dy, a.shape), sumToShape(dy, b.shape)],
  sub: ([a, b], _y, dy) => [sumToShape(dy, a.shape), scope(() => sumToShape(neg(dy), b.shape))],
  mul: ([a, b], _y, dy) => [scope(() => sumToShape(mul(dy, b), a.shape)), scope(() => sumToShape(mul(dy, a), b.shape))],
  // d(a/b)/db = -a / b^2 = -y / b
  div: ([a, b], y, dy) => [scope(() => sumToShape(div(dy, b), a.shape)), scope(() => sumToShape(neg(div(mul(dy, y), b)), b.shape))],
};

export const binaryOps = Object.fromEntries(
  BINARY_OPS.map((name) => [name, defineOp({ name, inputs: 2, inferShape: ([a, b]) => broadcastShapes(name, a, b), grad: binaryGradRules[name] })]),
) as Record<BinaryOpName, OpDef>;

const binary = (name: BinaryOpName) => (a: Tensor, b: Tensor) => runOp(binaryOps[name], [a, b], {});

export const add = binary('add');
export const sub = binary('sub');
export const mul = binary('mul');
export const div = binary('div');
export const maximum = binary('maximum');
export const minimum = binary('minimum');
export const pow = binary('pow');
