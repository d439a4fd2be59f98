/** The last time nowRfc3339() gave for "now", in ns since the epoch: each later one is greater. */
let lastNowNs = 0n;

/**
 * The current time as UTC RFC 3339 with nanoseconds (`2026-11-27T03:09:27.123456789Z`), as the
 * Go foxctl writes timestamps. The sub-millisecond digits come from the monotonic clock; its
 * millisecond boundaries are not the wall clock's, so two calls in one wall millisecond could
 * come out in reverse order: a time not past the last one given is moved 1 ns past it, and
 * successive calls in one process sort in call order. A date passed in is formatted as it is.
 */
export function nowRfc3339(date?: Date): string {
  const d = date ?? new Date();
  const sub = process.hrtime.bigint() % 1_000_000n;
  let ns = BigInt(d.getTime()) * 1_000_000n + sub;
  if (!date) {
    if (ns <= lastNowNs) ns = lastNowNs + 1n;
    lastNowNs = ns;
  }
  const iso = new Date(Number(ns / 1_000_000n)).toISOString(); // 2026-11-27T03:09:27.123Z
  return `${iso.slice(0, 23)}${String(ns % 1_000_000n).padStart(6, '0')}Z`;
}

/** Parses an RFC 3339 timestamp (any precision) into epoch milliseconds; NaN when invalid. */
export function parseRfc3339(ts: string): number {
  // Date.parse handles at most milliseconds: drop extra fraction digits first.
  return Date.parse(ts.replace(/(\.\d{3})\d+/, '$1'));
}
