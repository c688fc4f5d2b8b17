// Tuned kernel choices in a JSON file, for Node apps and the command line. Apart from
// node.ts so that it loads without the engine (whose shader reflection needs a bundler).
import type { TuneStore } from './backends/webgpu/autotune';

/**
 * Kernel-variant choices kept in a JSON file (the command line's .cache/autotune.json),
 * written whole to a temporary file and renamed, so a killed run never leaves half a file.
 */
export function fileTuneStore(path: string): TuneStore {
  return {
    async load() {
      const { readFile } = await import('node:fs/promises');
      try {
        return JSON.parse(await readFile(path, 'utf8')) as Record<string, number>;
      } catch {
        return {};
      }
    },
    async save(choices) {
      const { mkdir, rename, writeFile } = await import('node:fs/promises');
      const { dirname } = await import('node:path');
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify(choices, null, 2)}\n`);
      await rename(temporary, path);
    },
  };
}
