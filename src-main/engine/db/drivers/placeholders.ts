import { FoxError } from '../../errors.js';

/** A statement with `?` rewritten to PostgreSQL's numbered parameters. */
export interface NumberedSql {
  sql: string;
  /** How many `?` were found (and numbered). */
  count: number;
}

/**
 * Rewrites the `?` placeholders of a statement to `$1..$n` for PostgreSQL, leaving alone every
 * `?` inside a string literal ('...', E'...' with backslash escapes), a quoted identifier ("..."),
 * a dollar-quoted string ($tag$...$tag$), a line comment (-- ...) or a block comment (nested).
 * A `$n` already in the text is refused: one statement uses one style.
 * (PostgreSQL's jsonb operators `?`, `?|`, `?&` cannot be written here: use jsonb_exists*.)
 */
export function toPostgresPlaceholders(sql: string): NumberedSql {
  return cached(pgCache, sql, () => scan(sql, true));
}

const CACHE_SIZE = 64;
const pgCache = new Map<string, NumberedSql & { stripped: string }>();
const sqliteCache = new Map<string, NumberedSql & { stripped: string }>();

/** Statements repeat (a copy sends one INSERT text per batch): keep the last few scans. */
function cached<T>(cache: Map<string, T>, sql: string, make: () => T): T {
  const hit = cache.get(sql);
  if (hit !== undefined) return hit;
  const v = make();
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(sql, v);
  return v;
}

/** The characters that may start something the scanner must look at. */
const SPECIAL_CODES = new Set([..."'\"-/$?"].map((c) => c.charCodeAt(0)));

/**
 * How many bare `?` a SQLite-dialect statement has outside literals, identifiers and comments,
 * or null when it uses other placeholder styles (?NNN, :name, @name, $name) that SQLite binds itself.
 */
export function countSqlitePlaceholders(sql: string): number | null {
  const r = cached(sqliteCache, sql, () => scan(sql, false));
  return /\?\d|[:@$][A-Za-z_]/.test(r.stripped) ? null : r.count;
}

/** Whether a SQLite-dialect text holds a second statement: a `;` outside literals and comments with more text after it. */
export function hasSecondSqliteStatement(sql: string): boolean {
  return cached(sqliteCache, sql, () => scan(sql, false))
    .stripped.replace(/[\s;]+$/, '')
    .includes(';');
}

function scan(sql: string, postgres: boolean): NumberedSql & { stripped: string } {
  // Nothing to skip (no quotes, dollars or comments), as in a multi-row INSERT: number every ?.
  if (!/['"$]|--|\/\*/.test(sql)) {
    let count = 0;
    const out = postgres ? sql.replace(/\?/g, () => `$${++count}`) : sql;
    if (!postgres) for (let i = sql.indexOf('?'); i !== -1; i = sql.indexOf('?', i + 1)) count++;
    return { sql: out, count, stripped: sql };
  }
  let stripped = '';
  let out = '';
  let count = 0;
  let i = 0;
  const n = sql.length;
  const copyUntil = (end: number): void => {
    out += sql.slice(i, end);
    i = end;
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && (i < 2 || !/[A-Za-z0-9_]/.test(sql[i - 2]!));
      let j = i + 1;
      while (j < n) {
        if (escapes && sql[j] === '\\') j += 2;
        else if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      copyUntil(Math.min(j + 1, n));
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && !(sql[j] === '"' && sql[j + 1] !== '"')) j += sql[j] === '"' ? 2 : 1;
      copyUntil(Math.min(j + 1, n));
    } else if (c === '-' && next === '-') {
      const j = sql.indexOf('\n', i);
      copyUntil(j === -1 ? n : j + 1);
    } else if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      copyUntil(j);
    } else if (c === '$' && postgres) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      const num = /^\$\d+/.exec(sql.slice(i));
      const prevIdent = i > 0 && /[A-Za-z0-9_]/.test(sql[i - 1]!);
      if (num && !prevIdent) throw new FoxError('INVALID_INPUT', `write parameters as ? (found ${num[0]}): the PostgreSQL driver numbers them itself`);
      if (tag && !prevIdent) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        copyUntil(end === -1 ? n : end + tag[0].length);
      } else copyUntil(i + 1);
    } else if (c === '?') {
      count++;
      out += postgres ? `$${count}` : '?';
      stripped += '?';
      i++;
    } else {
      // Plain text: jump to the next character that may matter.
      let end = i + 1;
      while (end < n && !SPECIAL_CODES.has(sql.charCodeAt(end))) end++;
      stripped += sql.slice(i, end);
      copyUntil(end);
    }
  }
  return { sql: out, count, stripped };
}
