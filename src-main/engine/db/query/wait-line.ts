import { canceled, type FoxError } from '../../errors.js';

/** The limits of a wait line: how many callers may wait, and for how long. */
export interface WaitLineLimits {
  maxWaiting: number;
  maxWaitMs: number;
}

/** Why a caller gets no place: the line is full, or it waited too long. */
export type WaitRefusal = (why: 'full' | 'waited') => FoxError;

interface Entry<T> {
  give(item: T): void;
  fail(err: unknown): void;
}

/**
 * A bounded first-come first-served line of callers waiting for a scarce resource (a query
 * process). A full line refuses at once, a caller that waits past the limit is refused, and an
 * aborted caller leaves the line at once, so a canceled request never takes a place later.
 * Items are handed over synchronously, so no newcomer can slip in between release and hand-off.
 */
export class WaitLine<T> {
  private readonly waiting: Entry<T>[] = [];

  constructor(private readonly limits: WaitLineLimits) {}

  /** How many callers wait now. */
  get size(): number {
    return this.waiting.length;
  }

  /** Waits for the next handed-over item; rejects when the line is full, after the wait limit, or on abort. */
  wait(refuse: WaitRefusal, opts: { signal?: AbortSignal | undefined; what?: string } = {}): Promise<T> {
    if (opts.signal?.aborted) return Promise.reject(canceled(opts.signal, opts.what));
    if (this.waiting.length >= this.limits.maxWaiting) return Promise.reject(refuse('full'));
    return new Promise<T>((resolve, reject) => {
      const leave = (): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
      };
      const entry: Entry<T> = {
        give: (item) => {
          leave();
          resolve(item);
        },
        fail: (err) => {
          leave();
          reject(err);
        },
      };
      const onAbort = (): void => entry.fail(canceled(opts.signal, opts.what));
      const timer = setTimeout(() => entry.fail(refuse('waited')), this.limits.maxWaitMs);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  /** Hands `make()` to the longest-waiting caller; false (and nothing made) when nobody waits. */
  handOff(make: () => T): boolean {
    const next = this.waiting[0];
    if (!next) return false;
    next.give(make());
    return true;
  }

  /** Refuses every waiting caller (the resource is going away). */
  failAll(err: unknown): void {
    for (const e of [...this.waiting]) e.fail(err);
  }
}
