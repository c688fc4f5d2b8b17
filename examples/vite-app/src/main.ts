// The page: the eager example here, and LeNet-5 training in a Web Worker that posts its progress.
import { eagerExample } from './eager';

const show = (id: string, text: string) => {
  document.getElementById(id)!.textContent = text;
  console.log(`${id}: ${text}`);
};

show('eager', JSON.stringify(await eagerExample()));
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (e: MessageEvent<{ kind: string; text: string }>) => show('worker', `${e.data.kind} ${e.data.text}`);
