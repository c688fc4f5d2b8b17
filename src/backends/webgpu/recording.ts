import type { RecordedRun } from '../backend';
import { sizeClass, type BufferPool } from './buffer_pool';

/** One command of a recorded program. */
export type RecordedCommand =
  | { kind: 'dispatch'; pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; workgroups: [number, number, number] }
  | { kind: 'copy'; source: GPUBuffer; target: GPUBuffer; offset: number; bytes: number };

/**
 * The commands of a whole graph run (a training step), recorded once with their
 * pipelines and bind groups, and replayed every run into one command buffer.
 *
 * It owns the buffers of the values the run computes. They come from its own arena,
 * where a released buffer is reusable at once: within one command buffer each
 * dispatch sees the writes of the ones before it, so a later node may overwrite a
 * value whose last reader came earlier. Nothing outside the recording ever gets these
 * buffers, because every replay writes them again.
 */
export class Recording implements RecordedRun {
  readonly commands: RecordedCommand[] = [];
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly owned = new Set<GPUBuffer>();
  private readonly uniforms: GPUBuffer[] = [];
  /** Bytes of the buffers the recording created (the run's working memory). */
  bytes = 0;
  /**
   * Bytes the same requests would take with a buffer each and no reuse, in the same
   * size classes (kernel temporaries included), so it compares with `bytes`.
   */
  bytesWithoutReuse = 0;

  private readonly device: GPUDevice;
  /** Told of every byte created and destroyed, so the backend's peak counts recordings too. */
  private readonly pool: BufferPool;
  constructor(device: GPUDevice, pool: BufferPool) {
    this.device = device;
    this.pool = pool;
  }

  acquire(bytes: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const size = sizeClass(bytes);
    this.bytesWithoutReuse += size;
    const reused = this.free.get(size)?.pop();
    if (reused) return reused;
    const buffer = this.device.createBuffer({ size, usage, label });
    this.owned.add(buffer);
    this.bytes += size;
    this.pool.track(size);
    return buffer;
  }

  /** Takes a buffer back for reuse by later commands; false if the recording does not own it. */
  release(buffer: GPUBuffer): boolean {
    if (!this.owned.has(buffer)) return false;
    let list = this.free.get(buffer.size);
    if (!list) this.free.set(buffer.size, (list = []));
    list.push(buffer);
    return true;
  }

  /** A uniform buffer written once and kept for every replay. */
  uniform(data: ArrayBuffer, label: string): GPUBuffer {
    const buffer = this.device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label });
    this.device.queue.writeBuffer(buffer, 0, data);
    this.uniforms.push(buffer);
    this.pool.track(buffer.size);
    return buffer;
  }

  /** Appends the recorded commands to `encoder`: dispatches share compute passes, copies sit between them. */
  encode(encoder: GPUCommandEncoder): void {
    let pass: GPUComputePassEncoder | null = null;
    for (const c of this.commands) {
      if (c.kind === 'dispatch') {
        pass ??= encoder.beginComputePass();
        pass.setPipeline(c.pipeline);
        pass.setBindGroup(0, c.bindGroup);
        pass.dispatchWorkgroups(...c.workgroups);
      } else {
        pass?.end();
        pass = null;
        encoder.copyBufferToBuffer(c.source, 0, c.target, c.offset, c.bytes);
      }
    }
    pass?.end();
  }

  get dispatches(): number {
    return this.commands.filter((c) => c.kind === 'dispatch').length;
  }

  destroy(): void {
    for (const b of [...this.owned, ...this.uniforms]) {
      this.pool.track(-b.size);
      b.destroy();
    }
    this.owned.clear();
    this.free.clear();
    this.uniforms.length = 0;
    this.commands.length = 0;
  }
}
