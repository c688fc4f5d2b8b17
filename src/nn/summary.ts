import { formatShape, sizeOf, type Shape } from '../shape';
import type { LayerWindow } from './layer';
import type { Model } from './model';

interface Field {
  size: [number, number];
  jump: [number, number];
  start: [number, number];
}

/**
 * The receptive field after a layer from its inputs' fields (the widest of them): a
 * window of kernel k, stride s and dilation d grows it by (k - 1) d jumps and multiplies
 * the jump by s; a global layer sees everything.
 */
function nextField(window: LayerWindow, inputs: readonly Field[], whole: [number, number]): Field {
  const widest: Field = {
    size: [Math.max(...inputs.map((f) => f.size[0])), Math.max(...inputs.map((f) => f.size[1]))],
    jump: [Math.max(...inputs.map((f) => f.jump[0])), Math.max(...inputs.map((f) => f.jump[1]))],
    start: [Math.min(...inputs.map((f) => f.start[0])), Math.min(...inputs.map((f) => f.start[1]))],
  };
  if (window === 'pointwise') return widest;
  if (window === 'global') return { size: whole, jump: widest.jump, start: [0, 0] };
  if ('upsample' in window) {
    // Going back up: neighbouring outputs sit 1/scale input pixels apart, and each reads `reach` inputs.
    const up = (a: 0 | 1) => Math.min(whole[a], widest.size[a] + (window.reach[a] - 1) * widest.jump[a]);
    return { size: [up(0), up(1)], jump: [widest.jump[0] / window.upsample[0], widest.jump[1] / window.upsample[1]], start: widest.start };
  }
  const grow = (a: 0 | 1) => Math.min(whole[a], widest.size[a] + (window.kernel[a] - 1) * window.dilation[a] * widest.jump[a]);
  const start = (a: 0 | 1) => widest.start[a] - window.padding[a] * widest.jump[a];
  return { size: [grow(0), grow(1)], jump: [widest.jump[0] * window.stride[0], widest.jump[1] * window.stride[1]], start: [start(0), start(1)] };
}

export interface SummaryRow {
  name: string;
  kind: string;
  /** Per-example output shape. */
  outputShape: Shape;
  /** Trainable weights (running statistics excluded). */
  params: number;
  /** Values the layer outputs per example (what the forward pass must hold). */
  activations: number;
  /** Forward FLOPs per example (a multiply-add counts 2). */
  flops: number;
  /**
   * Rows and columns of the input one output value sees ([1, 1] for the input itself;
   * the whole input, capped at its size, once a dense, flatten or global pool has mixed it).
   */
  receptiveField: [number, number];
  /** Input pixels between neighbouring output values (the product of the strides so far). */
  stride: [number, number];
  /**
   * The input row and column where output value (0, 0)'s field starts (negative where it
   * reaches into padding): value (y, x) sees rows offset + y * stride onwards.
   */
  fieldOffset: [number, number];
}

export interface Summary {
  rows: SummaryRow[];
  totalParams: number;
  /** Activation values per example, the input included (as in the cs231n VGG table). */
  totalActivations: number;
  /** totalActivations * 4 bytes (float32), per example, forward only. */
  activationBytes: number;
  totalFlops: number;
  /** The table as text. */
  text: string;
}

/** Per layer: output shape, parameters, activation values, FLOPs, receptive field and stride, with totals. */
export function summary(model: Model): Summary {
  const shape = model.input.shape;
  // Images are [C, H, W]; anything else has no spatial extent to speak of.
  const whole: [number, number] = shape.length === 3 ? [shape[1], shape[2]] : [1, 1];
  const fields = new Map<number, Field>([[model.input.id, { size: [1, 1], jump: [1, 1], start: [0, 0] }]]);
  const inputRow: SummaryRow = {
    name: 'input',
    kind: 'input',
    outputShape: shape,
    params: 0,
    activations: sizeOf(shape),
    flops: 0,
    receptiveField: [1, 1],
    stride: [1, 1],
    fieldOffset: [0, 0],
  };
  const done = new Set<unknown>();
  const rows: SummaryRow[] = [inputRow];
  for (const { layer, inputs, output } of model.nodes) {
    const inShapes = inputs.map((i) => i.shape);
    const params = done.has(layer)
      ? 0
      : layer
          .params(inShapes)
          .filter((p) => p.kind === 'weight')
          .reduce((n, p) => n + sizeOf(p.shape), 0);
    done.add(layer);
    const field = nextField(
      layer.window(inShapes),
      inputs.map((i) => fields.get(i.id)!),
      whole,
    );
    fields.set(output.id, field);
    rows.push({
      name: layer.name,
      kind: layer.kind,
      outputShape: output.shape,
      params,
      activations: layer.storesOutputFor(inShapes, output.shape) ? sizeOf(output.shape) : 0,
      flops: layer.flops(inShapes, output.shape),
      receptiveField: field.size,
      stride: field.jump,
      fieldOffset: field.start,
    });
  }
  const totalParams = rows.reduce((n, r) => n + r.params, 0);
  const totalActivations = rows.reduce((n, r) => n + r.activations, 0);
  const totalFlops = rows.reduce((n, r) => n + r.flops, 0);
  const fmt = (n: number) => n.toLocaleString('en-US');
  const square = ([h, w]: [number, number]) => (h === w ? String(h) : `${h}x${w}`);
  const table = [
    ['layer', 'kind', 'output', 'params', 'activations', 'FLOPs', 'RF', 'stride'],
    ...rows.map((r) => [
      r.name,
      r.kind,
      formatShape(r.outputShape),
      fmt(r.params),
      fmt(r.activations),
      fmt(r.flops),
      square(r.receptiveField),
      square(r.stride),
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const text = [
    `${model.name}`,
    ...table.map(line),
    `total params ${fmt(totalParams)}; activations ${fmt(totalActivations)} per example (${((totalActivations * 4) / 1e6).toFixed(1)} MB float32, forward); ${fmt(totalFlops)} FLOPs per example forward`,
  ].join('\n');
  return { rows, totalParams, totalActivations, activationBytes: totalActivations * 4, totalFlops, text };
}
