import { FoxError } from '../errors.js';

/** The position after the last row of a page: keyset pagination on (ts, id). */
export interface PageKey {
  ts: string;
  id: number;
}

/** Encodes a page key as an opaque URL-safe cursor. */
export function encodeCursor(key: PageKey, order: string): string {
  return Buffer.from(JSON.stringify([key.ts, key.id, order]), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor for the same order (asc, desc, text-asc, text-desc); anything else is INVALID_INPUT. */
export function decodeCursor(cursor: string, order: string): PageKey {
  const fail = (why: string): FoxError => new FoxError('INVALID_INPUT', `invalid events cursor: ${why}`, { subject: 'events query' });
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 400) throw fail('expected the next_cursor of a previous page');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw fail('it is not a cursor returned by a query');
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || !Number.isInteger(parsed[1])) throw fail('it is not a cursor returned by a query');
  if (parsed[2] !== order) throw fail(`it was made for order "${String(parsed[2])}", not "${order}"`);
  return { ts: parsed[0], id: parsed[1] as number };
}
