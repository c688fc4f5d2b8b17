// The library docs' examples are the examples' files, character for character.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');

it('every docs/library.md code block marked with an example file is that file', () => {
  const doc = readFileSync(join(root, 'docs', 'library.md'), 'utf8');
  const marked = [...doc.matchAll(/<!-- example: (\S+) -->[\s\S]*?```(?:ts|js)\n([\s\S]*?)```/g)];
  expect(marked.map((m) => m[1])).toEqual(['examples/vite-app/src/eager.ts', 'examples/vite-app/src/worker.ts', 'examples/node/main.mjs']);
  for (const [, file, code] of marked) expect(code, file).toBe(readFileSync(join(root, file), 'utf8'));
});
