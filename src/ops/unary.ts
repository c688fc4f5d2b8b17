import type { Tensor } from '../tensor';
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
] as const;
export type UnaryOpName = (typeof UNARY_OPS)[number];

export const unaryOps = Object.fromEntries(
  UNARY_OPS.map((name) => [name, defineOp({ name, inputs: 1, inferShape: ([x]) => x })]),
) as Record<UnaryOpName, OpDef>;

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
