import type { Tensor } from '../tensor';
import { unaryGradRules } from './unary_grad';
import { defineOp, runOp, type OpDef } from './op';

/**
 * Elementwise one-input functions. The index is the `OP` override of unary.wgsl and
 * the switch in the CPU kernel, so the three stay in step.
 */
export const UNARY_OPS = [
  'neg',
  'abs',
  'exp',
  'log',
  'sqrt',
  'rsqrt',
  'square',
  'reciprocal',
  'sign',
  'relu',
  'sigmoid',
  'tanh',
  'relu6',
  'leaky_relu',
  'elu',
] as const;
export type UnaryOpName = (typeof UNARY_OPS)[number];

export interface UnaryAttrs {
  [key: string]: unknown;
  /** Slope for x < 0 (leaky_relu, default 0.01) or scale of exp(x) - 1 (elu, default 1). */
  readonly alpha?: number;
}

export const unaryOps = Object.fromEntries(
  UNARY_OPS.map((name) => [name, defineOp<UnaryAttrs>({ name, inputs: 1, inferShape: ([x]) => x, grad: unaryGradRules[name] })]),
) as Record<UnaryOpName, OpDef<UnaryAttrs>>;

/** The alpha an op uses when none is given. */
export function defaultAlpha(name: string): number {
  return name === 'leaky_relu' ? 0.01 : name === 'elu' ? 1 : 0;
}

const unary = (name: UnaryOpName) => (x: Tensor) => runOp(unaryOps[name], [x], {});

export const neg = unary('neg');
export const abs = unary('abs');
export const exp = unary('exp');
export const log = unary('log');
export const sqrt = unary('sqrt');
export const rsqrt = unary('rsqrt');
export const square = unary('square');
export const reciprocal = unary('reciprocal');
export const sign = unary('sign');
export const relu = unary('relu');
export const sigmoid = unary('sigmoid');
export const tanh = unary('tanh');
/** min(max(x, 0), 6) (MobileNet). */
export const relu6 = unary('relu6');
/** x for x > 0, alpha * x otherwise. */
export const leakyRelu = (x: Tensor, alpha = 0.01) => runOp(unaryOps.leaky_relu, [x], { alpha });
/** x for x > 0, alpha * (exp(x) - 1) otherwise. */
export const elu = (x: Tensor, alpha = 1) => runOp(unaryOps.elu, [x], { alpha });
