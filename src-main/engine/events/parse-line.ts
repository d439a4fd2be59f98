import { isUtf8 } from 'node:buffer';
import { checkEvent, eventToRow, ftsMessage, type EventRow } from './model.js';

/** What one NDJSON line became: a row (and the message its text index holds), nothing (blank), or the reason it was rejected. */
export type ParsedLine = { row: EventRow; message: string | null } | { blank: true } | { error: string };

/**
 * Turns one line (without its "\n") into a foxcular_events row, or says why it is not an event.
 * Invalid UTF-8 is rejected rather than silently replaced by U+FFFD (the check only runs when the
 * decoder had to substitute, so valid text pays nothing).
 */
export function parseLine(bytes: Buffer): ParsedLine {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 13) end--; // tolerate CRLF
  if (end === 0) return { blank: true };
  const text = bytes.toString('utf8', 0, end);
  if (text.includes('\uFFFD') && !isUtf8(bytes.subarray(0, end))) return { error: 'invalid UTF-8' };
  if (text.trim().length === 0) return { blank: true };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { error: `invalid JSON: ${(err as Error).message}` };
  }
  const ev = checkEvent(raw, true);
  if (typeof ev === 'string') return { error: `not an event: ${ev}` };
  return { row: eventToRow(ev), message: ftsMessage(ev) };
}

/** A bounded, printable excerpt of a rejected line for the rejects table. */
export function excerptOf(bytes: Buffer, max = 256): string {
  let out = '';
  for (const ch of bytes.subarray(0, max).toString('utf8')) out += ch < ' ' && ch !== '\t' ? '?' : ch;
  return out;
}
