import fs from 'node:fs';
import type { FoxConfig } from '../config/resolve.js';
import { applyMigrations } from '../db/migrate.js';
import { migrationsFor } from '../db/migrations/index.js';
import { openSqlite, type SqliteDb } from '../db/sqlite.js';
import { openStoreDriver } from '../db/drivers/open.js';
import type { DriverTx, StoreDriver } from '../db/drivers/types.js';
import { FoxError, throwIfAborted, type OpOptions } from '../errors.js';
import { lookupStore } from '../registry/stores.js';

/** A table of the remote store as the dump copies it. */
interface RemoteTable {
  name: string;
  columns: { name: string; type: string }[];
  /** libSQL: the table's own CREATE statement and those of its indexes. */
  sql?: { table: string; indexes: string[] };
}

/** What a dump copied: rows per table and the store's schema version. */
export interface RemoteDump {
  driver: string;
  location: string;
  version: number | null;
  tables: { name: string; rows: number }[];
}

const BATCH = 1000;
const SHADOW_RE = /_(data|idx|content|docsize|config)$/;
const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The SQLite column type of a PostgreSQL column (information_schema data_type), by affinity. */
function sqliteTypeOf(pgType: string): string {
  const t = pgType.toLowerCase();
  if (t === 'bigint' || t === 'integer' || t === 'smallint' || t === 'boolean') return 'INTEGER';
  if (t === 'double precision' || t === 'real') return 'REAL';
  if (t === 'numeric') return 'NUMERIC';
  if (t === 'bytea') return 'BLOB';
  return 'TEXT';
}

/** A driver value as SQLite stores it: booleans as 0/1, dates as RFC 3339 text, JSON as text. */
function sqliteValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) return JSON.stringify(v);
  return v;
}

async function remoteVersion(tx: DriverTx): Promise<number | null> {
  try {
    const rows = await tx.query<{ v: unknown }>('SELECT max(version) AS v FROM schema_migrations');
    const v = rows[0]?.v;
    return v === null || v === undefined ? null : Number(v);
  } catch {
    // A store that was never migrated has no schema_migrations: its tables are copied as they are.
    return null;
  }
}

async function remoteTables(driver: StoreDriver, tx: DriverTx): Promise<RemoteTable[]> {
  if (driver.dialect === 'postgres') {
    const rows = await tx.query<{ t: string; c: string; type: string }>(
      `SELECT c.table_name AS t, c.column_name AS c, c.data_type AS type FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = ? AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position`,
      [driver.schema],
    );
    const byName = new Map<string, RemoteTable>();
    for (const r of rows) {
      const t = byName.get(r.t) ?? { name: r.t, columns: [] };
      t.columns.push({ name: r.c, type: sqliteTypeOf(r.type) });
      byName.set(r.t, t);
    }
    return [...byName.values()];
  }
  const master = await tx.query<{ type: string; name: string; tbl_name: string; sql: string | null }>(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY rowid",
  );
  const virtual = master.filter((m) => m.type === 'table' && /^\s*CREATE\s+VIRTUAL/i.test(m.sql ?? '')).map((m) => m.name);
  const out: RemoteTable[] = [];
  for (const m of master) {
    // Virtual tables and their shadow tables are indexes our code rebuilds, not data to copy.
    if (m.type !== 'table' || !m.sql || virtual.includes(m.name) || virtual.some((v) => m.name.startsWith(`${v}_`) && SHADOW_RE.test(m.name))) continue;
    const cols = await tx.query<{ name: string; type: string }>('SELECT name, type FROM pragma_table_info(?)', [m.name]);
    const indexes = master.filter((i) => i.type === 'index' && i.tbl_name === m.name && i.sql).map((i) => i.sql!);
    out.push({ name: m.name, columns: cols.map((c) => ({ name: c.name, type: c.type })), sql: { table: m.sql, indexes } });
  }
  return out;
}

/**
 * Creates `t` in the file, or empties the table the migrations made (a migration may seed rows
 * the server also holds) and adds the columns it lacks, so every remote column has a home.
 */
function ensureTable(db: SqliteDb, t: RemoteTable): void {
  const have = db.prepare('SELECT name FROM pragma_table_info(?)').all(t.name) as { name: string }[];
  if (have.length === 0) {
    if (t.sql) {
      db.exec(t.sql.table);
      for (const ix of t.sql.indexes) db.exec(ix);
    } else {
      db.exec(`CREATE TABLE ${q(t.name)} (${t.columns.map((c) => `${q(c.name)} ${c.type}`).join(', ')})`);
    }
    return;
  }
  db.exec(`DELETE FROM ${q(t.name)}`);
  const names = new Set(have.map((c) => c.name));
  for (const c of t.columns) if (!names.has(c.name)) db.exec(`ALTER TABLE ${q(t.name)} ADD COLUMN ${q(c.name)} ${c.type}`);
}

/** Reads `t` in batches inside the dump's transaction: a cursor on PostgreSQL, pages on libSQL. */
async function* remoteRows(driver: StoreDriver, tx: DriverTx, t: RemoteTable, cols: string): AsyncGenerator<Record<string, unknown>[]> {
  if (driver.dialect === 'postgres') {
    const cursor = `foxctl_dump_${Math.random().toString(36).slice(2, 10)}`;
    await tx.run(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${cols} FROM ${q(driver.schema!)}.${q(t.name)}`);
    try {
      for (;;) {
        const rows = await tx.query(`FETCH FORWARD ${BATCH} FROM ${cursor}`);
        if (rows.length === 0) return;
        yield rows;
      }
    } finally {
      await tx.run(`CLOSE ${cursor}`).catch(() => undefined);
    }
  }
  for (let offset = 0; ; offset += BATCH) {
    // The transaction holds the store still, so OFFSET pages see one state of the table.
    const rows = await tx.query(`SELECT ${cols} FROM ${q(t.name)} LIMIT ${BATCH} OFFSET ${offset}`);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < BATCH) return;
  }
}

async function copyTable(driver: StoreDriver, tx: DriverTx, db: SqliteDb, t: RemoteTable, opts: OpOptions): Promise<number> {
  const cols = t.columns.map((c) => q(c.name)).join(', ');
  const insert = db.prepare(`INSERT INTO ${q(t.name)} (${cols}) VALUES (${t.columns.map(() => '?').join(', ')})`);
  const write = db.transaction((rows: Record<string, unknown>[]) => {
    for (const r of rows) insert.run(t.columns.map((c) => sqliteValue(r[c.name])));
  });
  let copied = 0;
  for await (const rows of remoteRows(driver, tx, t, cols)) {
    throwIfAborted(opts.signal);
    write(rows);
    copied += rows.length;
  }
  const counted = await tx.query<{ n: unknown }>(driver.dialect === 'postgres' ? `SELECT count(*) AS n FROM ${q(driver.schema!)}.${q(t.name)}` : `SELECT count(*) AS n FROM ${q(t.name)}`);
  const expected = Number(counted[0]?.n ?? 0);
  const inFile = (db.prepare(`SELECT count(*) AS n FROM ${q(t.name)}`).get() as { n: number }).n;
  if (copied !== expected || inFile !== expected) {
    throw new FoxError('CORRUPT', `store ${driver.store.name} (${driver.location}): table ${t.name} has ${expected} rows but ${inFile} were copied`, { subject: `store ${driver.store.name}` });
  }
  return copied;
}

/**
 * Copies a store on a remote driver (PostgreSQL, Turso/libSQL) into a new SQLite file at `dest`:
 * the store's own SQLite schema at the server's schema version, then every table's rows, all
 * read in one transaction (REPEATABLE READ, READ ONLY on PostgreSQL) so the copy is one consistent
 * state, each table's row count checked against the server's. The file is what a local store
 * would be, so the Go tool and our restore read it like any other. On failure `dest` is removed.
 */
export async function dumpRemoteStore(config: FoxConfig, storeName: string, dest: string, opts: OpOptions = {}): Promise<RemoteDump> {
  const store = lookupStore(storeName);
  const driver = await openStoreDriver(config, store.name);
  let db: SqliteDb | undefined;
  try {
    return await driver.transaction(async (tx) => {
      if (driver.dialect === 'postgres') await tx.run('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const version = await remoteVersion(tx);
      const tables = (await remoteTables(driver, tx)).filter((t) => t.name !== 'schema_migrations');
      db = openSqlite(dest, { subject: `backup copy of store ${store.name}` });
      db.pragma('journal_mode = DELETE');
      db.pragma('synchronous = OFF');
      if (version !== null) applyMigrations(db, `store ${store.name}`, migrationsFor(store.name).filter((m) => m.version <= version));
      const copied: RemoteDump['tables'] = [];
      for (const t of tables) {
        throwIfAborted(opts.signal);
        ensureTable(db, t);
        copied.push({ name: t.name, rows: await copyTable(driver, tx, db, t, opts) });
      }
      db.pragma('synchronous = FULL');
      return { driver: driver.driver, location: driver.location, version, tables: copied };
    });
  } catch (err) {
    db?.close();
    db = undefined;
    fs.rmSync(dest, { force: true });
    throw err;
  } finally {
    db?.close();
    await driver.close().catch(() => undefined);
  }
}
