import { quoteIdent, type SqliteDb } from '../sqlite.js';
import type { SkippedTable } from './types.js';

/** A column of a source table as SQLite declares it. */
export interface SourceColumn {
  name: string;
  /** Declared type ('' when none). */
  type: string;
  notNull: boolean;
  /** Position in the primary key (1-based), 0 when not part of it. */
  pk: number;
}

/** A table to copy: its columns (generated ones left out), row count and original DDL. */
export interface SourceTable {
  name: string;
  columns: SourceColumn[];
  rows: number;
  withoutRowid: boolean;
  /** The CREATE TABLE statement (used as is for a libSQL target). */
  sql: string;
  /** CREATE INDEX statements of the table (libSQL targets get them after the copy). */
  indexes: string[];
  /** Tables this one references with foreign keys (copied first). */
  references: string[];
}

/** Tables never copied: SQLite's own and the migration log (the target's migrate() writes its own). */
const INTERNAL = /^(sqlite_|schema_migrations$)/;

interface TableListRow {
  name: string;
  type: string;
  wr: number;
}

/**
 * The tables of a source database in copy order (a table after the tables it references), and
 * those left out: virtual tables (FTS, R*Tree: rebuilt on the target by its own means) and their
 * shadow tables. Call inside a read transaction so counts and rows agree.
 */
export function listSourceTables(db: SqliteDb): { tables: SourceTable[]; skipped: SkippedTable[] } {
  const list = db.prepare("SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main' ORDER BY name").all() as TableListRow[];
  const skipped: SkippedTable[] = [];
  const tables: SourceTable[] = [];
  const schemaSql = (name: string): string => (db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) as { sql: string | null } | undefined)?.sql ?? '';
  for (const t of list) {
    if (INTERNAL.test(t.name)) continue;
    if (t.type === 'view') continue;
    if (t.type === 'virtual') {
      skipped.push({ table: t.name, reason: 'virtual table (full-text or spatial index): not copied; the target rebuilds its own index' });
      continue;
    }
    if (t.type === 'shadow') {
      skipped.push({ table: t.name, reason: 'shadow table of a virtual table: not copied' });
      continue;
    }
    const cols = db.prepare('SELECT name, type, "notnull" AS nn, pk, hidden FROM pragma_table_xinfo(?)').all(t.name) as {
      name: string;
      type: string;
      nn: number;
      pk: number;
      hidden: number;
    }[];
    const rows = (db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(t.name)}`).get() as { n: number }).n;
    const indexes = (db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name").all(t.name) as { sql: string }[]).map((r) => r.sql);
    const references = [...new Set((db.prepare('SELECT "table" AS t FROM pragma_foreign_key_list(?)').all(t.name) as { t: string }[]).map((r) => r.t))];
    tables.push({
      name: t.name,
      // Generated columns (hidden 2 and 3) are computed by the target; hidden 1 is a virtual table's.
      columns: cols.filter((c) => c.hidden === 0).map((c) => ({ name: c.name, type: c.type, notNull: c.nn === 1, pk: c.pk })),
      rows,
      withoutRowid: t.wr === 1,
      sql: schemaSql(t.name),
      indexes,
      references,
    });
  }
  return { tables: dependencyOrder(tables), skipped };
}

/** Orders tables so that a referenced table comes first (cycles keep name order). */
function dependencyOrder(tables: SourceTable[]): SourceTable[] {
  const byName = new Map(tables.map((t) => [t.name.toLowerCase(), t]));
  const out: SourceTable[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: SourceTable): void => {
    const key = t.name.toLowerCase();
    if (state.get(key)) return;
    state.set(key, 'visiting');
    for (const r of t.references) {
      const dep = byName.get(r.toLowerCase());
      if (dep && dep !== t) visit(dep);
    }
    state.set(key, 'done');
    out.push(t);
  };
  tables.forEach(visit);
  return out;
}

/**
 * The rows of a table as arrays: the rowid first (null for WITHOUT ROWID tables), then the
 * columns. Integers come as BigInt so that none beyond 2^53 loses precision.
 */
export function iterateRows(db: SqliteDb, table: SourceTable): IterableIterator<unknown[]> {
  const cols = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  const rowid = table.withoutRowid ? 'NULL' : '_rowid_';
  return db.prepare(`SELECT ${rowid}, ${cols} FROM ${quoteIdent(table.name)}`).raw(true).safeIntegers(true).iterate() as IterableIterator<unknown[]>;
}
