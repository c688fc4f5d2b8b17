// The Train page's session on the CPU backend, in a Web Worker: the CPU reference backend
// computes each step synchronously for seconds, which in the page would freeze it (40 s
// at a time, Pause included). Calls come as messages (train_client.ts), events go back.
import { sessionCalls, type WorkerAnswer, type WorkerCall } from './ui/train_client';
import { TrainSession, type SessionConfig } from './ui/train_session';

const scope = self as unknown as {
  postMessage(message: WorkerAnswer): void;
  onmessage: ((m: MessageEvent<WorkerCall>) => void) | null;
};

let session: TrainSession | null = null;
const calls: Record<string, (...args: never[]) => unknown> = {
  ...sessionCalls(() => {
    if (!session) throw new Error('the session is not open');
    return session;
  }),
  open: async (config: SessionConfig) => {
    session ??= await TrainSession.open(config, (event) => scope.postMessage({ event }));
    return session.info;
  },
};

scope.onmessage = async ({ data: { id, method, args } }) => {
  try {
    const result = await (calls[method] as (...a: unknown[]) => unknown)(...args);
    scope.postMessage({ id, result });
  } catch (e) {
    const err = e as Error & { rule?: string };
    scope.postMessage({ id, error: { name: err.name ?? 'Error', message: err.message ?? String(e), rule: err.rule } });
  }
};
