/** Objects up to this size are verified whole before their first byte is written (`cas get` to stdout). */
export const VERIFY_BEFORE_OUTPUT_BYTES = 64 << 20;

/** A sink that holds bytes back from its output until release(). */
export interface HoldBack {
  /** Takes the next chunk (copied at once: the caller reuses its buffer). Calls may overlap; order is kept. */
  write(chunk: Buffer): Promise<void>;
  /** Sends what is held back: call it only once the bytes hashed to their digest. */
  release(): Promise<void>;
}

/**
 * Sits in front of an output that must never receive a corrupt object whole. It keeps the first
 * `bufferBytes`; only an object larger than that streams, one chunk behind, so its last chunk is
 * still held when the digest is checked. Memory stays at `bufferBytes` plus one chunk.
 */
export function holdBack(out: (chunk: Buffer) => Promise<void>, bufferBytes: number): HoldBack {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let streaming = false;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const step = (fn: () => Promise<void>): Promise<void> => {
    const p = chain.then(async () => {
      if (failure) throw failure;
      try {
        await fn();
      } catch (err) {
        failure = err;
        throw err;
      }
    });
    chain = p.catch(() => undefined);
    return p;
  };
  return {
    write(chunk) {
      const copy = Buffer.from(chunk);
      return step(async () => {
        if (!streaming && heldBytes + copy.length <= bufferBytes) {
          held.push(copy);
          heldBytes += copy.length;
          return;
        }
        // Too large to verify before output: everything but the newest chunk may go now.
        streaming = true;
        const ready = held;
        held = [copy];
        heldBytes = copy.length;
        for (const b of ready) await out(b);
      });
    },
    release() {
      return step(async () => {
        const ready = held;
        held = [];
        heldBytes = 0;
        for (const b of ready) await out(b);
      });
    },
  };
}
