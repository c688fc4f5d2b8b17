import { sizeClass } from '../backends/webgpu/buffer_pool';
import { formatShape } from '../shape';
import type { Plan } from './plan';

/** What a plan's computed values take on a device that allocates in size classes (WebGPU's pool). */
export interface PlanMemory {
  /** Bytes of buffers created when each value reuses a dead buffer of its size class (the recording's policy). */
  workingBytes: number;
  /** Bytes with one buffer per value and no reuse. */
  unsharedBytes: number;
  /** Bytes of the largest single value, and the node that computes it. */
  largestBytes: number;
  largest: { op: string; label?: string; shape: string } | null;
}

/**
 * The memory of a plan's intermediate values, computed from the plan alone (no device):
 * the same liveness reuse the WebGPU recording does, in the same size classes. Kernel
 * temporaries (Winograd transforms, packed filters) are not in the plan and not counted.
 */
export function planMemory(plan: Plan): PlanMemory {
  const free = new Map<number, number>();
  const sizes = new Map<number, number>();
  let workingBytes = 0;
  let unsharedBytes = 0;
  let largestBytes = 0;
  let largest: PlanMemory['largest'] = null;
  plan.nodes.forEach((node, i) => {
    if (!node.inPlace && plan.root[node.output] === node.output) {
      const bytes = plan.values[node.output].length * 4;
      const size = sizeClass(bytes);
      unsharedBytes += size;
      const spare = free.get(size) ?? 0;
      if (spare > 0) free.set(size, spare - 1);
      else workingBytes += size;
      sizes.set(node.output, size);
      if (bytes > largestBytes) {
        largestBytes = bytes;
        largest = { op: node.op, label: node.label, shape: formatShape(node.shape) };
      }
    }
    for (const id of plan.freeAfter[i]) {
      const size = sizes.get(id);
      if (size !== undefined) free.set(size, (free.get(size) ?? 0) + 1);
    }
  });
  return { workingBytes, unsharedBytes, largestBytes, largest };
}

/**
 * Throws, before anything is allocated, when a value of the plan is larger than one
 * buffer binding may be on the device, naming the model's layer, the op, the shape and
 * the bytes.
 */
export function checkPlanFits(plan: Plan, maxBindingBytes: number, model: string, batch: number): void {
  for (const node of plan.nodes) {
    if (node.inPlace) continue;
    const bytes = plan.values[node.output].length * 4;
    if (bytes <= maxBindingBytes) continue;
    const where = node.label ? `layer '${node.label}' (${node.op})` : `op ${node.op}`;
    throw new RangeError(
      `${model}: ${where} computes a tensor of shape ${formatShape(node.shape)}: ${bytes.toLocaleString('en-US')} bytes, over the adapter's limit of ` +
        `${maxBindingBytes.toLocaleString('en-US')} bytes per buffer binding. Lower the batch size (${batch}) or the input size; nothing was allocated`,
    );
  }
}
