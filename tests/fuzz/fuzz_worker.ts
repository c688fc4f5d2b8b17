// One reader's fuzzing run in a worker thread of scripts/fuzz.mjs (npm run fuzz), which
// bundles this file for Node and watches it: a read that hangs stops reporting progress
// and the worker is terminated. Runs the reader's property (tests/fuzz/readers.ts) for
// `ms` with fresh seeds derived from `seed`, one after another; each failure is shrunk
// and reported with the seed and path that replay it. With `path`, replays that one case.
import fc from 'fast-check';
import { parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_LIMITS, outcomes } from './harness';
import { READERS, readerByName, readerProperty } from './readers';

export interface WorkerInput {
  command: 'list' | 'run';
  reader?: string;
  seed?: number;
  ms?: number;
  path?: string;
  root?: string;
}

export interface FuzzFailure {
  seed: number;
  path: string | null;
  counterexample: string;
  error: string;
}

const post = (message: object) => parentPort!.postMessage(message);

async function run(input: WorkerInput): Promise<void> {
  const reader = readerByName(input.reader!);
  let cases = 0;
  let lastPost = 0;
  const property = await readerProperty(reader, input.root!, DEFAULT_LIMITS, () => {
    cases++;
    const now = Date.now();
    if (now - lastPost > 1000) {
      lastPost = now;
      post({ type: 'progress', cases });
    }
  });
  const failures: FuzzFailure[] = [];
  const seen = new Set<string>();
  const end = Date.now() + (input.ms ?? 0);
  const report = (
    seed: number,
    details: { failed: boolean; interrupted: boolean; errorInstance: unknown; counterexamplePath: string | null; counterexample: unknown },
  ) => {
    if (!details.failed || details.interrupted) return;
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    // The same broken rule found again from another seed is counted once.
    const key = error.replace(/\d+/g, 'N');
    if (seen.has(key)) return;
    seen.add(key);
    const failure: FuzzFailure = { seed, path: details.counterexamplePath, counterexample: fc.stringify(details.counterexample), error };
    failures.push(failure);
    post({ type: 'failure', failure });
  };
  if (input.path !== undefined) {
    const details = await fc.check(property, { seed: input.seed, path: input.path, endOnFailure: true });
    report(input.seed!, details);
  } else {
    for (let round = 0; Date.now() < end; round++) {
      const seed = (input.seed! + round * 0x9e3779b1) | 0;
      const details = await fc.check(property, { seed, numRuns: 2 ** 31 - 1, plugins: [fc.interruptAfterTimeLimit(Math.max(1, end - Date.now()))] });
      report(seed, details);
    }
  }
  const refused = [...outcomes.refused].sort((a, b) => b[1] - a[1]);
  post({
    type: 'done',
    cases,
    failures,
    returned: outcomes.ok,
    refusedKinds: refused.length,
    topRefusals: refused.slice(0, 12).map(([message, count]) => ({ count, message })),
  });
}

const input = workerData as WorkerInput;
if (input.command === 'list') post({ type: 'list', readers: READERS.map((r) => ({ name: r.name, what: r.what })) });
else await run(input);
