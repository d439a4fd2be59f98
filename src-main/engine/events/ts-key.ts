/**
 * The instant of an events.db `ts` as text that sorts in time order: UTC with nine fraction
 * digits (`2026-03-01T09:00:00.500000000Z`), the form our writer stores. The Go writer stores
 * `time.RFC3339Nano` (`2026-03-01T10:00:00.5+01:00`: trailing zeros trimmed, the event's own
 * zone), whose text order is not time order. Every filter, ORDER BY, cursor and histogram bound
 * goes through this one SQL expression, and our indexes are built on it (schema v4), so rows in
 * either form compare as instants and the Go writer needs to know nothing of it: the expression
 * uses built-in functions only, so Go's INSERT and `sqlite3` keep working on the file.
 *
 * Our own form is returned as it is (the cheap first branch). Otherwise the seconds go through
 * strftime with the zone — without the fraction, which SQLite rounds to milliseconds (59.9996 s
 * would become the next second) — and the fraction digits are copied from the text, padded to
 * nine. A ts SQLite cannot read gives NULL: such a row is outside every time range.
 */
export function tsKeySql(col = 'ts'): string {
  const rest = `substr(${col}, 20)`;
  // Where the zone starts in `rest`: fraction digits hold no 'Z', '+' or '-', the zone exactly one.
  const zoneAt = `(instr(${rest}, 'Z') + instr(${rest}, '+') + instr(${rest}, '-'))`;
  const frac = `(CASE WHEN substr(${col}, 20, 1) = '.' THEN substr(${rest}, 2, ${zoneAt} - 2) ELSE '' END)`;
  return (
    `(CASE WHEN length(${col}) = 30 AND substr(${col}, 30) = 'Z' AND substr(${col}, 20, 1) = '.' THEN ${col} ` +
    `ELSE strftime('%Y-%m-%dT%H:%M:%S', substr(${col}, 1, 19) || substr(${rest}, ${zoneAt})) || '.' || substr(${frac} || '000000000', 1, 9) || 'Z' END)`
  );
}

/** The key expression over the `ts` column, as the indexes of schema v4 are built on it. */
export const TS_KEY = tsKeySql();
