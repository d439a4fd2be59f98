import { FoxError } from '../engine/errors.js';

/**
 * The requests in flight, one AbortController each, keyed by the caller's scope (a window, a
 * browser-mode session) and its request id, so a caller can cancel only its own requests.
 */
export class RequestRegistry {
  private readonly inFlight = new Map<string, AbortController>();

  /** Registers a request and returns its signal and a release function to call when it ends. */
  begin(scope: string, requestId: string | undefined): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    if (requestId === undefined) return { signal: controller.signal, release: () => undefined };
    const key = `${scope}\u0000${requestId}`;
    // A reused id cancels nothing already running: the older request keeps its controller.
    if (this.inFlight.has(key)) throw new FoxError('CONFLICT', `request id ${requestId} is already in flight`);
    this.inFlight.set(key, controller);
    return {
      signal: controller.signal,
      release: () => {
        if (this.inFlight.get(key) === controller) this.inFlight.delete(key);
      },
    };
  }

  /** Cancels one request of a scope; false when it is not (or no longer) in flight. */
  cancel(scope: string, requestId: string, reason = 'the request was canceled'): boolean {
    const controller = this.inFlight.get(`${scope}\u0000${requestId}`);
    if (!controller) return false;
    controller.abort(new FoxError('CANCELED', reason));
    return true;
  }

  /** Cancels every request of a scope (its window closed, its connection dropped). */
  cancelScope(scope: string, reason = 'the caller went away'): number {
    let n = 0;
    for (const [key, controller] of this.inFlight) {
      if (key.startsWith(`${scope}\u0000`)) {
        controller.abort(new FoxError('CANCELED', reason));
        this.inFlight.delete(key);
        n++;
      }
    }
    return n;
  }

  /** How many requests are in flight (for tests and shutdown). */
  get size(): number {
    return this.inFlight.size;
  }
}
