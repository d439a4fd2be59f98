/** A function that runs calls with the same key one after another (different keys run freely). */
export type KeyLock = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

/** Creates a key lock: calls with one key queue up in order; a failed call does not stop the next. */
export function createKeyLock(): KeyLock {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const prev = tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await next;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
