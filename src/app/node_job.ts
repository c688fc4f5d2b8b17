// The Node side of a command-line job (cli/node_job.mjs starts it): the job comes as JSON
// on stdin, messages go out as one JSON object per line on stdout, and the datasets are
// read with fetch as in the page, file:// URLs answered from the disk.
import { readFile } from 'node:fs/promises';

/** The job the command line wrote to stdin. */
export async function readJob<T>(): Promise<T> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text) as T;
}

/** Writes one message; the promise settles once it is handed to the pipe (exiting earlier would cut it off). */
export const send = (message: object) => new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve()));

/** Lets fetch read file:// URLs (Node's own fetch does not read files). */
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
