import { quoteIdent } from '../sqlite.js';
import type { StoreDriver } from '../drivers/types.js';
import { pgTypeFor } from './convert.js';
import type { SourceTable } from './source.js';

/** A table as it exists in the target: its real name and its columns by lower-case name. */
export interface TargetTable {
  name: string;
  columns: Map<string, { name: string; type: string }>;
}

/** The target's table of a source table (exact name, else lower-case: unquoted PostgreSQL names fold), or null. */
export async function findTargetTable(driver: StoreDriver, name: string): Promise<TargetTable | null> {
  for (const candidate of [...new Set([name, name.toLowerCase()])]) {
    const rows =
      driver.dialect === 'postgres'
        ? await driver.query<{ name: string; type: string }>(
            'SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
            [driver.schema ?? 'public', candidate],
          )
        : await driver.query<{ name: string; type: string }>('SELECT name, type FROM pragma_table_info(?)', [candidate]);
    if (rows.length > 0) return { name: candidate, columns: new Map(rows.map((r) => [String(r.name).toLowerCase(), { name: String(r.name), type: String(r.type) }])) };
  }
  return null;
}

/**
 * The CREATE TABLE of a source table for a target without it: on libSQL the original statement;
 * on PostgreSQL the columns mapped by affinity (INTEGER -> BIGINT, REAL -> DOUBLE PRECISION,
 * BLOB -> BYTEA, TEXT and the rest -> TEXT), NOT NULL and the primary key kept.
 */
export function createTableSql(dialect: StoreDriver['dialect'], table: SourceTable): string {
  if (dialect === 'sqlite' && table.sql) return table.sql;
  const cols = table.columns.map((c) => `${quoteIdent(c.name)} ${pgTypeFor(c.type)}${c.notNull || c.pk > 0 ? ' NOT NULL' : ''}`);
  const pk = table.columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  if (pk.length > 0) cols.push(`PRIMARY KEY (${pk.map((c) => quoteIdent(c.name)).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table.name)} (\n  ${cols.join(',\n  ')}\n)`;
}

/**
 * Drops every table of the store in the target (its schema on PostgreSQL, the whole database on
 * libSQL) and the migration log, so that migrate() starts afresh. Returns the tables dropped.
 */
export async function dropTargetTables(driver: StoreDriver): Promise<string[]> {
  if (driver.dialect === 'postgres') {
    const names = (await driver.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = ?', [driver.schema ?? 'public'])).map((r) => String(r.name));
    if (names.length > 0) await driver.run(`DROP TABLE IF EXISTS ${names.map(quoteIdent).join(', ')} CASCADE`);
    return names;
  }
  const rows = await driver.query<{ name: string; type: string }>("SELECT name, type FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
  const names = rows.map((r) => String(r.name));
  await driver.run('PRAGMA foreign_keys = OFF');
  try {
    // Virtual tables first: dropping one drops its shadow tables.
    for (const r of [...rows].sort((a, b) => (a.type === 'virtual' ? -1 : 0) - (b.type === 'virtual' ? -1 : 0))) {
      await driver.run(`DROP TABLE IF EXISTS ${quoteIdent(String(r.name))}`);
    }
  } finally {
    await driver.run('PRAGMA foreign_keys = ON');
  }
  return names;
}

/** The tables that exist in the target now (its schema on PostgreSQL), lower-cased. */
export async function existingTargetTables(driver: StoreDriver): Promise<Set<string>> {
  const rows =
    driver.dialect === 'postgres'
      ? await driver.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = ?', [driver.schema ?? 'public'])
      : await driver.query<{ name: string }>("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual')");
  return new Set(rows.map((r) => String(r.name).toLowerCase()));
}

/** Exact row count of a target table. */
export async function countTargetRows(driver: StoreDriver, table: string): Promise<number> {
  const rows = await driver.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${quoteIdent(table)}`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Moves a PostgreSQL table's identity and serial sequences past the copied ids: rows arrive with
 * their SQLite ids, and a sequence left at 1 would hand the next insert an id already taken.
 * (libSQL keeps AUTOINCREMENT counters in sqlite_sequence, which the inserts update.)
 */
export async function advanceSequences(driver: StoreDriver, table: string): Promise<string[]> {
  if (driver.dialect !== 'postgres') return [];
  const schema = driver.schema ?? 'public';
  const cols = await driver.query<{ name: string }>(
    "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')",
    [schema, table],
  );
  const qualified = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  for (const { name } of cols) {
    await driver.query(`SELECT setval(pg_get_serial_sequence(?, ?), m, true) FROM (SELECT max(${quoteIdent(String(name))}) AS m FROM ${qualified}) AS t WHERE m IS NOT NULL`, [qualified, String(name)]);
  }
  return cols.map((c) => String(c.name));
}
