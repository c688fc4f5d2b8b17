import { broadcastShapes } from '../shape';
import type { Tensor } from '../tensor';
import { defineOp, runOp, type OpDef } from './op';

/** Elementwise two-input functions with NumPy broadcasting; the index is binary.wgsl's `OP`. */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow'] as const;
export type BinaryOpName = (typeof BINARY_OPS)[number];

export const binaryOps = Object.fromEntries(
  BINARY_OPS.map((name) => [name, defineOp({ name, inputs: 2, inferShape: ([a, b]) => broadcastShapes(name, a, b) })]),
) as Record<BinaryOpName, OpDef>;

const binary = (name: BinaryOpName) => (a: Tensor, b: Tensor) => runOp(binaryOps[name], [a, b], {});

export const add = binary('add');
export const sub = binary('sub');
export const mul = binary('mul');
export const div = binary('div');
export const maximum = binary('maximum');
export const minimum = binary('minimum');
export const pow = binary('pow');
