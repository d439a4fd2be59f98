/** Runs async sections one at a time, in call order; a failed section does not block the next. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every section queued before it has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

const shared = new Map<string, Mutex>();

/** One mutex per key for the whole process (e.g. per local database file). */
export function sharedMutex(key: string): Mutex {
  let m = shared.get(key);
  if (!m) {
    m = new Mutex();
    shared.set(key, m);
  }
  return m;
}
