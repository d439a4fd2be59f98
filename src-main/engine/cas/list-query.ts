import { FoxError } from '../errors.js';
import { parseRfc3339 } from '../util/time.js';
import { matchesSearch } from './names.js';
import type { CasObject } from './types.js';

/** Sort orders of list: by creation time, size or digest; `-` for descending. */
export const LIST_SORTS = ['created', '-created', 'size', '-size', 'digest'] as const;

/** One of LIST_SORTS. */
export type ListSort = (typeof LIST_SORTS)[number];

/** What list selects: filters, a page size, the cursor of the previous page and the order. */
export interface ListQuery {
  kind?: string | undefined;
  tag?: string | undefined;
  pinned?: boolean | undefined;
  /** A digest prefix or part of a name the object was put under (names.ts), case-insensitive. */
  search?: string | undefined;
  /** Objects created strictly before this time (RFC 3339 text or a Date). */
  createdBefore?: string | Date | undefined;
  /** Objects created at or after this time. */
  createdAfter?: string | Date | undefined;
  /** Page size (default 100, at most 10,000). */
  limit?: number | undefined;
  /** The `next_cursor` of the previous page. */
  cursor?: string | undefined;
  /** Default `-created` (newest first). */
  sort?: ListSort | undefined;
}

/** One page of list. */
export interface ListPage {
  items: CasObject[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

/** The largest page list returns. */
export const MAX_LIST_LIMIT = 10_000;

function toMs(value: string | Date | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : parseRfc3339(value);
  if (!Number.isFinite(ms)) throw new FoxError('INVALID_INPUT', `invalid ${what} ${JSON.stringify(String(value))}: expected an RFC 3339 time such as 2026-01-31T12:00:00Z`);
  return ms;
}

type SortKey = [number | string, string];

function sortKey(o: CasObject, sort: ListSort): SortKey {
  if (sort === 'digest') return ['', o.digest];
  if (sort === 'size' || sort === '-size') return [o.size_bytes, o.digest];
  const ms = parseRfc3339(o.created_at);
  return [Number.isFinite(ms) ? ms : 0, o.digest];
}

function compare(a: SortKey, b: SortKey, desc: boolean): number {
  const primary = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
  const c = primary !== 0 ? primary : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
  return desc ? -c : c;
}

function decodeCursor(cursor: string): SortKey {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && (typeof v[0] === 'number' || typeof v[0] === 'string') && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through to the error below
  }
  throw new FoxError('INVALID_INPUT', 'invalid cursor: pass the next_cursor of a previous list page unchanged');
}

/** Checks a query before any I/O; returns the limit and sort that apply. */
export function checkListQuery(q: ListQuery): { limit: number; sort: ListSort } {
  const limit = q.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new FoxError('INVALID_INPUT', `invalid limit ${String(q.limit)}: expected a whole number from 1 to ${MAX_LIST_LIMIT}`);
  }
  const sort = q.sort ?? '-created';
  if (!(LIST_SORTS as readonly string[]).includes(sort)) throw new FoxError('INVALID_INPUT', `invalid sort "${String(sort)}": expected one of ${LIST_SORTS.join(', ')}`);
  toMs(q.createdBefore, 'created-before');
  toMs(q.createdAfter, 'created-after');
  if (q.cursor !== undefined) decodeCursor(q.cursor);
  return { limit, sort };
}

/**
 * Filters, sorts and pages objects. The cursor is the sort key of the last item returned
 * (keyset paging), so objects added or removed between pages neither repeat nor shift others.
 */
export function applyListQuery(all: readonly CasObject[], q: ListQuery): ListPage {
  const { limit, sort } = checkListQuery(q);
  const before = toMs(q.createdBefore, 'created-before');
  const after = toMs(q.createdAfter, 'created-after');
  const desc = sort.startsWith('-');
  const from = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  const keyed = all
    .filter((o) => {
      if (q.kind !== undefined && o.kind !== q.kind) return false;
      if (q.tag !== undefined && !o.tags.includes(q.tag)) return false;
      if (q.pinned !== undefined && o.pinned !== q.pinned) return false;
      if (q.search !== undefined && !matchesSearch(o, q.search)) return false;
      if (before !== undefined || after !== undefined) {
        const ms = parseRfc3339(o.created_at);
        if (before !== undefined && !(ms < before)) return false;
        if (after !== undefined && !(ms >= after)) return false;
      }
      return true;
    })
    .map((o) => ({ o, k: sortKey(o, sort) }))
    .filter((e) => from === undefined || compare(e.k, from, desc) > 0)
    .sort((a, b) => compare(a.k, b.k, desc));
  const page = keyed.slice(0, limit);
  const last = page[page.length - 1];
  const more = keyed.length > limit && last !== undefined;
  return {
    items: page.map((e) => e.o),
    next_cursor: more ? Buffer.from(JSON.stringify(last.k), 'utf8').toString('base64url') : null,
  };
}
