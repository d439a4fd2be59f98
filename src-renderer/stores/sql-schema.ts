// What the SQL console completes: the store's tables and their columns. The columns are read
// from the CREATE statements `db.schema` already returns (one call, no query per table), which
// is also what the Schema tab shows.
import type { DbTable } from '../../src-preload/contract';

/** One CREATE statement as db.schema returns it. */
export interface SchemaObject {
  type: 'table' | 'index' | 'view' | 'trigger';
  name: string;
  sql: string;
}

/** Which SQL the console speaks: SQLite (sqlite, turso, libsql) or PostgreSQL. */
export type SqlDialectName = 'sqlite' | 'postgres';

/** The dialect of a store's driver (db.info's `driver`); unknown drivers read as SQLite, the default store. */
export function dialectOf(driver: string | null | undefined): SqlDialectName {
  return driver === 'postgres' ? 'postgres' : 'sqlite';
}

/** Table name -> its column names, the shape `sql({ schema })` of lang-sql takes. */
export type CompletionSchema = Record<string, string[]>;

/** Words that start a table constraint rather than a column definition. */
const CONSTRAINT_WORDS = new Set(['constraint', 'primary', 'unique', 'check', 'foreign', 'exclude', 'like']);

/** Where a quote opened at `at` ends (the index after it); doubled quotes stay inside. */
function skipQuoted(sql: string, at: number): number {
  const close = sql[at] === '[' ? ']' : sql[at]!;
  let i = at + 1;
  while (i < sql.length) {
    if (sql[i] === close) {
      if (close !== ']' && sql[i + 1] === close) i += 2;
      else return i + 1;
    } else i++;
  }
  return i;
}

/** The text between the first top-level `(` and its `)`, split at its top-level commas. */
function bodyParts(sql: string): string[] | null {
  let depth = 0;
  let start = -1;
  let from = 0;
  const parts: string[] = [];
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      i = skipQuoted(sql, i);
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl;
      continue;
    }
    if (c === '(') {
      depth++;
      if (depth === 1) {
        // CREATE TABLE t AS SELECT ...: the columns come from a query, not a list.
        if (/\bAS\s*$/i.test(sql.slice(0, i)) || /\bAS\s+SELECT\b/i.test(sql.slice(0, i))) return null;
        start = i + 1;
        from = start;
      }
    } else if (c === ')') {
      depth--;
      if (depth === 0 && start >= 0) {
        parts.push(sql.slice(from, i));
        return parts;
      }
    } else if (c === ',' && depth === 1) {
      parts.push(sql.slice(from, i));
      from = i + 1;
    }
    i++;
  }
  return null;
}

/** The first name of a column definition, unquoted. */
function leadingName(part: string): string | null {
  const s = part.replace(/^(\s|--[^\n]*\n)+/, '');
  if (!s) return null;
  const q = s[0];
  if (q === '"' || q === '`' || q === '[') {
    const end = skipQuoted(s, 0);
    const inner = s.slice(1, q === '[' ? end - 1 : end - 1);
    return q === '[' ? inner : inner.replaceAll(q + q, q);
  }
  const word = /^[^\s(),]+/.exec(s)?.[0];
  return word ?? null;
}

/**
 * The column names of a CREATE TABLE (SQLite's own text or the one the engine rebuilds for
 * PostgreSQL) or of a CREATE VIRTUAL TABLE ... USING fts5(a, b, content=...): table constraints
 * and module options are left out; a CREATE TABLE ... AS SELECT gives none.
 */
export function columnsOfCreate(sql: string): string[] {
  const virtual = /^\s*CREATE\s+VIRTUAL\s+TABLE\b/i.test(sql);
  const parts = bodyParts(sql);
  if (!parts) return [];
  const cols: string[] = [];
  for (const part of parts) {
    // Module options of a virtual table (content='', tokenize='porter') are not columns.
    if (virtual && /^[^'"`[]*=/.test(part)) continue;
    const name = leadingName(part);
    if (!name) continue;
    if (!/^["`[]/.test(part.trim()) && CONSTRAINT_WORDS.has(name.toLowerCase())) continue;
    cols.push(name);
  }
  return cols;
}

/**
 * The completion schema of a store: every table and view db.tables lists (an FTS index's shadow
 * tables left out), each with the columns of its CREATE statement when db.schema has answered.
 */
export function completionSchema(tables: readonly DbTable[] | null, objects: readonly SchemaObject[] | null): CompletionSchema {
  const columns = new Map<string, string[]>();
  for (const o of objects ?? []) if (o.type === 'table') columns.set(o.name, columnsOfCreate(o.sql));
  const out: CompletionSchema = {};
  const names = tables ? tables.filter((t) => t.type !== 'shadow').map((t) => t.name) : [...columns.keys()];
  for (const name of names) out[name] = columns.get(name) ?? [];
  return out;
}

/**
 * The tables of a schema a statement names (bare, "quoted", `quoted` or [quoted]), so the
 * console can offer their columns without a `table.` prefix, as a database tool does.
 */
export function tablesIn(sql: string, schema: CompletionSchema): string[] {
  const found = new Set<string>();
  const lower = new Map(Object.keys(schema).map((n) => [n.toLowerCase(), n]));
  for (const m of sql.matchAll(/"((?:[^"]|"")+)"|`([^`]+)`|\[([^\]]+)\]|([A-Za-z_][\w$]*)/g)) {
    const quoted = m[1]?.replaceAll('""', '"') ?? m[2] ?? m[3];
    if (quoted !== undefined) {
      if (quoted in schema) found.add(quoted);
    } else {
      const hit = lower.get(m[4]!.toLowerCase());
      if (hit) found.add(hit);
    }
  }
  return [...found];
}
