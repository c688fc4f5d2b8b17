// The Train page hands the model it trained to the Visualise page: the weights as
// safetensors bytes in the origin's IndexedDB (sessionStorage would hold only a few MB of
// text). One slot; the next hand-over replaces it, and it stays for a reload.
const DATABASE = 'webgpu-cnn-demo';
const STORE = 'handover';
const SLOT = 'train';

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new Error(`IndexedDB '${DATABASE}': ${request.error?.message ?? 'cannot be opened'}`));
  });
}

async function transact<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = act(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result as T);
      request.onerror = () => reject(new Error(`IndexedDB '${DATABASE}': ${request.error?.message ?? 'request failed'}`));
    });
  } finally {
    db.close();
  }
}

/** Keeps `bytes` (a checkpoint of the Train page's model) for the Visualise page. */
export async function putHandover(bytes: Uint8Array): Promise<void> {
  await transact<IDBValidKey>('readwrite', (store) => store.put(bytes.slice().buffer, SLOT));
}

/** The bytes the Train page last handed over, or null if it never did. */
export async function takeHandover(): Promise<Uint8Array | null> {
  const buffer = await transact<ArrayBuffer | undefined>('readonly', (store) => store.get(SLOT));
  return buffer ? new Uint8Array(buffer) : null;
}
