// The console's history: the last statements run on a store (whether they succeeded or not),
// newest first, kept in localStorage so they outlive a reload, as a database tool keeps them.

/** How many statements a store's history keeps. */
export const HISTORY_SIZE = 20;

/** The part of Storage the history uses (window.localStorage, or a Map-backed one in tests). */
export interface HistoryStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The localStorage key of one store's history (a keyed store has one per key). */
export function historyKey(store: string, key: string | null): string {
  return `foxctl-studio.sql-history.${store}${key === null ? '' : `/${key}`}`;
}

/** The storage to use: localStorage where the profile allows it, else none (history lasts the session). */
export function defaultStorage(): HistoryStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** One store's statements, newest first; anything unreadable counts as none. */
export function readHistory(storage: HistoryStorage | null, key: string): string[] {
  try {
    const v: unknown = JSON.parse(storage?.getItem(key) ?? '[]');
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string').slice(0, HISTORY_SIZE) : [];
  } catch {
    return [];
  }
}

/** The same statement with its spacing ignored: running it again moves it to the top, not twice. */
function sameStatement(a: string, b: string): boolean {
  const norm = (s: string): string => s.trim().replace(/\s+/g, ' ');
  return norm(a) === norm(b);
}

/** Puts a statement that ran at the top of a store's history (at most HISTORY_SIZE kept) and returns the new list. */
export function pushHistory(storage: HistoryStorage | null, key: string, sql: string): string[] {
  const stmt = sql.trim();
  if (!stmt) return readHistory(storage, key);
  const next = [stmt, ...readHistory(storage, key).filter((s) => !sameStatement(s, stmt))].slice(0, HISTORY_SIZE);
  try {
    storage?.setItem(key, JSON.stringify(next));
  } catch {
    // A full or locked storage keeps the list for this session only.
  }
  return next;
}
