/**
 * Rounds a byte size up to its size class: powers of two split into quarters, so a
 * pooled buffer wastes at most 25% and nearby sizes share buffers.
 */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 4) * 4);
  const pow = 2 ** Math.floor(Math.log2(b));
  const quarter = Math.max(4, pow / 4);
  return Math.ceil(b / quarter) * quarter;
}

/**
 * Reuses GPU buffers by size class and usage. A released buffer is parked until the
 * command buffer that may still use it has been submitted (`afterSubmit`): a
 * `queue.writeBuffer` into it before that would land ahead of the earlier, unsubmitted
 * dispatches.
 */
export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private parked: GPUBuffer[] = [];
  private liveBytes = 0;
  /** Highest total bytes of buffers created and not destroyed. */
  peakBytes = 0;
  /** Buffers created since the pool started (a pool hit creates none). */
  created = 0;

  private readonly device: GPUDevice;
  constructor(device: GPUDevice) {
    this.device = device;
  }

  acquire(bytes: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(`${usage}:${size}`);
    const reused = list?.pop();
    if (reused) return reused;
    const buffer = this.device.createBuffer({ size, usage, label });
    this.created++;
    this.liveBytes += size;
    this.peakBytes = Math.max(this.peakBytes, this.liveBytes);
    return buffer;
  }

  /** Returns a buffer; it becomes reusable after the next submit. */
  release(buffer: GPUBuffer): void {
    this.parked.push(buffer);
  }

  /** Call right after `queue.submit`: parked buffers may now be handed out again. */
  afterSubmit(): void {
    for (const buffer of this.parked) {
      const key = `${buffer.usage}:${buffer.size}`;
      let list = this.free.get(key);
      if (!list) this.free.set(key, (list = []));
      list.push(buffer);
    }
    this.parked = [];
  }

  /** Destroys every free buffer (live tensors keep theirs). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const buffer of list) {
        this.liveBytes -= buffer.size;
        buffer.destroy();
      }
    }
    this.free.clear();
  }

  /**
   * Counts buffers made outside the pool (a recorded program's arena and uniforms) in
   * the live and peak totals: positive when created, negative when destroyed.
   */
  track(bytes: number): void {
    this.liveBytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.liveBytes);
  }

  get bytesInUse(): number {
    return this.liveBytes;
  }
}
