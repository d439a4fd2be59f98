/** The outcome of a "Test connection": latency on success, the exact error otherwise (secrets masked). */
export type ProbeResult =
  | { ok: true; latencyMs: number; target: string; detail: string }
  | { ok: false; latencyMs: number; target: string; code: string; message: string };

/** Options every probe takes: a time limit and a cancel signal. */
export interface ProbeOptions {
  /** Give up after this many ms (default 8000). */
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
}

/** Milliseconds since `t0` (performance.now), to 0.1 ms. */
export function since(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}

/** A signal that fires on the caller's signal or after `ms`. */
export function timeoutSignal(ms: number, signal?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, t]) : t;
}
