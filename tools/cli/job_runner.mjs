// One runner for every command-line job, in headless Chromium or in a Node process on
// Dawn, with one protocol (tools/jobs/job.ts): the job sends { kind: 'progress', progress }
// and { kind: 'checkpoint', checkpoint } while it runs, then { kind: 'result', result } or
// { kind: 'error', message }. The job reads and writes the files the command names in its
// input: in Node itself (the same atomic writer), in the page through functions the
// command exposes (a page cannot write files), each path checked against the command's list.
//
//   browser: the page (`page`, a path on the Vite server) calls servePageJob; the command
//            calls window.runJob(envelope) and gets the messages through window.jobMessage.
//   node:    the TypeScript entry (`node`) calls serveNodeJob; it is bundled for Node, gets
//            the envelope as JSON on stdin and writes one message per line on stdout.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { writeFileAtomic } from './atomic_write.mjs';
import { runSetup } from './page_session.mjs';

/** The data sets' folder: DATASETS_DIR, as the Vite server serves it to the page under /datasets. */
const datasetsDir = () => process.env.DATASETS_DIR ?? '/usr/share/datasets';

/** How long a job's page may take to load before the job is given up. */
const PAGE_LOAD_MS = 300_000;

/** Entries already bundled by this process: a command running many jobs (check:torch) sets up and builds once. */
const bundles = new Map();
let setUp = false;

/**
 * Runs a job and resolves with its result; rejects with the job's error, or when it ends
 * without a result.
 * @param {string} root the repository
 * @param {{
 *   runtime: 'browser' | 'node',
 *   node?: string, page?: string,
 *   input: unknown,
 *   reads?: string[], writes?: string[],
 *   onProgress?: (progress: any) => void | Promise<void>,
 *   onCheckpoint?: (checkpoint: any) => void | Promise<void>,
 *   session?: { page: import('playwright').Page, url: (path: string) => string },
 *   bundled?: string[], nodeArgs?: string[],
 *   tuneFile?: string | null,
 *   adapter?: 'auto' | 'lavapipe' | 'swiftshader',
 * }} job `node`: the TypeScript entry for Node (relative to the repository); `page`: the page
 *   for the browser; `reads`, `writes`: the files the job may read and write; `session`: an
 *   open page session (openPageSession) for the browser; `bundled`, `nodeArgs`: for the Node
 *   bundle and process; `tuneFile`: where Node jobs keep tuned choices (default .cache/autotune.json);
 *   `adapter`: a Node job's Vulkan driver (src/node.ts; default auto).
 */
export async function runJob(root, job) {
  let result;
  let failure = null;
  let done = false;
  const onMessage = async (m) => {
    if (m.kind === 'progress') await job.onProgress?.(m.progress);
    else if (m.kind === 'checkpoint') await job.onCheckpoint?.(m.checkpoint);
    else if (m.kind === 'result') [done, result] = [true, m.result];
    else if (m.kind === 'error') failure = m.message;
  };
  const ended = job.runtime === 'node' ? await inNode(root, job, onMessage) : await inBrowser(job, onMessage);
  if (done) return result;
  throw new Error(failure ?? `${ended} before its result`);
}

/** The job in headless Chromium: `job.session`'s page loads `job.page` and runs window.runJob. */
async function inBrowser(job, onMessage) {
  const { page } = job.session;
  const reads = new Set((job.reads ?? []).map((p) => resolve(p)));
  const writes = new Set((job.writes ?? []).map((p) => resolve(p)));
  const allowed = (set, path, verb) => {
    if (!set.has(resolve(path))) throw new Error(`the page asked to ${verb} ${path}, which the command did not name`);
    return resolve(path);
  };
  await page.exposeFunction('jobMessage', onMessage);
  await page.exposeFunction('jobReadFile', (path) => readFileSync(allowed(reads, path, 'read')).toString('base64'));
  await page.exposeFunction('jobWriteFile', (path, base64) => writeFileAtomic(allowed(writes, path, 'write'), Buffer.from(base64, 'base64')));
  await page.goto(job.session.url(job.page));
  // Vite transforms the page's modules on first request: on a cold cache and a busy
  // two-core machine that can take longer than Playwright's default 30 s.
  await page.waitForFunction(() => typeof window.runJob === 'function', null, { timeout: PAGE_LOAD_MS });
  await page.evaluate((envelope) => window.runJob(envelope), { input: job.input, datasets: '/datasets' });
  return `the page ${job.page} ended the job`;
}

/** The job in a Node process on Dawn: set-up first (a fresh clone has no Vite until npm ci), then the entry bundled for Node. */
async function inNode(root, job, onMessage) {
  if (!setUp) runSetup(root);
  setUp = true;
  if (!bundles.has(job.node)) {
    const { bundleForNode } = await import('./node_bundle.mjs');
    const name = job.node.split('/').pop().replace(/\.ts$/, '');
    bundles.set(job.node, await bundleForNode(root, job.node, join(root, '.cache', name), { bundled: job.bundled ?? [] }));
  }
  const child = spawn(process.execPath, [...(job.nodeArgs ?? []), bundles.get(job.node)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const tuneFile = job.tuneFile === undefined ? join(root, '.cache', 'autotune.json') : job.tuneFile;
  child.stdin.end(
    JSON.stringify({
      input: job.input,
      datasets: `file://${resolve(datasetsDir())}`,
      ...(tuneFile ? { tuneFile } : {}),
      ...(job.adapter ? { adapter: job.adapter } : {}),
    }),
  );
  // The job ends with this process (Ctrl-C, a kill turned into exit): no orphan keeps the GPU.
  const stop = () => child.kill();
  process.on('exit', stop);
  child.once('exit', () => process.off('exit', stop));
  const exited = new Promise((done) => (child.exitCode !== null ? done(child.exitCode) : child.once('exit', (code, signal) => done(code ?? signal))));
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('{')) await onMessage(JSON.parse(line));
  }
  return `the Node process of ${job.node} exited with ${await exited}`;
}
