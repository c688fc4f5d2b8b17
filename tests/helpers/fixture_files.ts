/** A file under tests/fixtures/, as bytes: fetched from the test server in the page, read from disk in Node. */
export async function fixtureBytes(path: string): Promise<Uint8Array> {
  if (typeof window === 'undefined') {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(new URL(`../fixtures/${path}`, import.meta.url)));
  }
  const response = await fetch(`/tests/fixtures/${path}`);
  if (!response.ok) throw new Error(`fixture ${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
