// A command-line job in a Node process on Dawn: set-up first (a fresh clone has no Vite
// until npm ci), then the TypeScript entry bundled for Node, its input as JSON on stdin,
// and one JSON message per line on stdout handed to `onMessage`. Resolves with the exit code.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runSetup } from './page_session.mjs';

export async function runNodeJob(root, entry, input, onMessage, { bundled = [], nodeArgs = [] } = {}) {
  runSetup(root);
  const { bundleForNode } = await import('./node_bundle.mjs');
  const name = entry.split('/').pop().replace(/\.ts$/, '');
  const file = await bundleForNode(root, entry, join(root, '.cache', name), { bundled });
  const child = spawn(process.execPath, [...nodeArgs, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify(input));
  // The job ends with this process (Ctrl-C, a kill turned into exit): no orphan keeps the GPU.
  const stop = () => child.kill();
  process.on('exit', stop);
  child.once('exit', () => process.off('exit', stop));
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('{')) await onMessage(JSON.parse(line));
  }
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
}
