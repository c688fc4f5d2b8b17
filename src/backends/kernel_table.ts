/** A kernel module as a backend's registry loads it: its `kernels` table, op name to kernel, if it declares one. */
export interface KernelModule<K> {
  readonly kernels?: Readonly<Record<string, K>>;
}

/**
 * One backend's kernels by op name, merged from the `kernels` tables its kernel modules
 * export. The registry finds the modules by a glob over its kernels/ folder, so a new
 * kernel file is picked up without a list of names kept by hand; an op declared by two
 * modules throws, naming both.
 */
export function collectKernels<K>(backend: string, modules: Readonly<Record<string, KernelModule<K>>>): Readonly<Record<string, K>> {
  const table: Record<string, K> = {};
  const declaredBy = new Map<string, string>();
  for (const file of Object.keys(modules).sort()) {
    for (const [op, kernel] of Object.entries(modules[file].kernels ?? {})) {
      const other = declaredBy.get(op);
      if (other !== undefined) throw new Error(`${backend} kernels: '${op}' is declared by both ${other} and ${file}`);
      declaredBy.set(op, file);
      table[op] = kernel;
    }
  }
  return table;
}
