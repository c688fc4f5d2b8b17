import type { Dataset } from './dataset';

/** Bytes of one CIFAR-10 binary record: 1 label byte then 3 x 32 x 32 pixel bytes (R, G, B planes). */
export const CIFAR10_RECORD = 1 + 3 * 32 * 32;

/** Bytes of one CIFAR-100 binary record: a coarse and a fine label byte, then the same 3072 pixel bytes. */
export const CIFAR100_RECORD = 2 + 3 * 32 * 32;

/**
 * Why a file of `length` bytes is not CIFAR-10 binary, or null if its size fits. A size
 * of whole CIFAR-100 records is called that: read as CIFAR-10 it would shift every record.
 */
export function cifar10SizeProblem(length: number): string | null {
  if (length > 0 && length % CIFAR10_RECORD === 0) return null;
  if (length > 0 && length % CIFAR100_RECORD === 0) {
    return `${length} bytes are ${length / CIFAR100_RECORD} CIFAR-100 records of ${CIFAR100_RECORD} bytes (coarse and fine label, then 3072 pixels), not CIFAR-10's ${CIFAR10_RECORD}-byte records; CIFAR-100 files are not read`;
  }
  return `${length} bytes is not a whole number of ${CIFAR10_RECORD}-byte CIFAR-10 records (${Math.floor(length / CIFAR10_RECORD)} records and ${length % CIFAR10_RECORD} bytes left over)`;
}

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/**
 * Parses CIFAR-10's binary format (data_batch_N.bin, test_batch.bin) into [3, 32, 32]
 * images scaled to [0, 1]. The file must hold whole records with labels 0..9; a file
 * of whole CIFAR-100 records (3074 bytes each) is refused as such.
 */
export function parseCifar10(bytes: Uint8Array, file: string): Dataset {
  const problem = cifar10SizeProblem(bytes.length);
  if (problem) throw new Error(`${file}: ${problem}`);
  const count = bytes.length / CIFAR10_RECORD;
  const images = new Float32Array(count * 3072);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * CIFAR10_RECORD;
    const label = bytes[at];
    if (label > 9) throw new Error(`${file}: record ${i} (byte ${at}) has label ${label}, not a class in [0, 10)`);
    labels[i] = label;
    for (let k = 0; k < 3072; k++) images[i * 3072 + k] = bytes[at + 1 + k] / 255;
  }
  return { images, labels, shape: [3, 32, 32], classes: 10, count };
}

/** Several batch files as one dataset. */
export function concatDatasets(parts: readonly Dataset[]): Dataset {
  const count = parts.reduce((n, p) => n + p.count, 0);
  const images = new Float32Array(parts.reduce((n, p) => n + p.images.length, 0));
  const labels = new Uint8Array(count);
  let at = 0;
  let li = 0;
  for (const p of parts) {
    images.set(p.images, at);
    labels.set(p.labels, li);
    at += p.images.length;
    li += p.count;
  }
  return { ...parts[0], images, labels, count };
}
