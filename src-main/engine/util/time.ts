/**
 * The current time as UTC RFC 3339 with nanoseconds (`2026-11-27T03:09:27.123456789Z`), as the
 * Go foxctl writes timestamps. The sub-millisecond digits come from the monotonic clock, so
 * successive calls in one process sort in call order within a millisecond.
 */
export function nowRfc3339(date: Date = new Date()): string {
  const iso = date.toISOString(); // 2026-11-27T03:09:27.123Z
  const sub = Number(process.hrtime.bigint() % 1_000_000n);
  return `${iso.slice(0, 23)}${String(sub).padStart(6, '0')}Z`;
}

/** Parses an RFC 3339 timestamp (any precision) into epoch milliseconds; NaN when invalid. */
export function parseRfc3339(ts: string): number {
  // Date.parse handles at most milliseconds: drop extra fraction digits first.
  return Date.parse(ts.replace(/(\.\d{3})\d+/, '$1'));
}
