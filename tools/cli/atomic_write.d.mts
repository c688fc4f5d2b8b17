/** Writes `data` to `path` atomically: a temporary file in the same folder, fsync, rename. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void;
