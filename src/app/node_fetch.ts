// The jobs read their datasets with fetch (as in the page); in Node, file:// URLs are
// answered from the disk here (Node's own fetch does not read files).
import { readFile } from 'node:fs/promises';

export function fetchFilesFromDisk(): void {
  const webFetch = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith('file://')) return webFetch(input, init);
    try {
      return new Response(await readFile(new URL(url)));
    } catch {
      return new Response(null, { status: 404 });
    }
  }) as typeof fetch;
}
