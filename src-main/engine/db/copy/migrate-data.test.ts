import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from '@libsql/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FoxConfig } from '../../config/resolve.js';
import { openEngine } from '../../engine.js';
import { FoxError } from '../../errors.js';
import { storePath } from '../../registry/paths.js';
import { lookupStore, STORES } from '../../registry/stores.js';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../../test/pg-db.js';
import { tempHome } from '../../../test/temp-home.js';
import { applyMigrations } from '../migrate.js';
import { migrationsFor } from '../migrations/index.js';
import { openSqlite, type SqliteDb } from '../sqlite.js';
import { migrateData, startDbMigrate } from './migrate-data.js';
import { targetOpener } from './open-target.js';
import type { DbMigrateOptions, DbMigrateReport } from './types.js';

const server = postgresForSuite('db-migrate');

const BIG = 9007199254740993n; // 2^53 + 1: a number would lose the last digit
const blobs = Array.from({ length: 5 }, (_, i) => randomBytes(1 + i * 977));

/** Opens (creating) a store's SQLite file with its migrations applied. */
function storeDb(config: FoxConfig, name: string): SqliteDb {
  const store = lookupStore(name);
  const db = openSqlite(storePath(config, store));
  applyMigrations(db, `store ${store.name}`, migrationsFor(store.name));
  return db;
}

/** MEMORY: a store with migrations of ours (its target schema comes from the driver's migrate()). */
function seedMemory(config: FoxConfig): void {
  const mem = storeDb(config, 'MEMORY');
  const ins = mem.prepare(
    `INSERT INTO named_memory (id, name, type, workspace, session_id, summary, result, digests, created_at, updated_at, last_accessed, access_count, embedding, embedding_model)
     VALUES (?, ?, 'note', 'ws', ?, ?, ?, '[]', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?, ?, NULL)`,
  );
  blobs.forEach((b, i) => ins.run(`m${i}`, `name ${i}`, i % 2 ? null : `s${i}`, i === 3 ? null : `summary ${i} ✓`, b, i, i % 2 ? b : null));
  mem.close();
}

/** MAILBOX (tables of the Go tool: created in the target from their SQLite columns) and CACHE (local_only). */
function seed(config: FoxConfig, mailboxRows = 50): void {
  const mail = storeDb(config, 'MAILBOX');
  mail.exec(`
    CREATE TABLE messages (id INTEGER PRIMARY KEY, sender TEXT NOT NULL, body TEXT, payload BLOB, score REAL, big INTEGER, anything);
    CREATE INDEX idx_messages_sender ON messages (sender);
    CREATE TABLE pairs (a TEXT, b INTEGER, v TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;
    CREATE VIRTUAL TABLE message_fts USING fts5(body);`);
  const m = mail.prepare('INSERT INTO messages (id, sender, body, payload, score, big, anything) VALUES (?, ?, ?, ?, ?, ?, ?)');
  mail.transaction(() => {
    m.run(1, 'ann', 42n, Buffer.alloc(0), 1.5, BIG, null); // an empty blob; 42 becomes '42' by TEXT affinity
    m.run(2, 'bob', null, null, null, null, 'text');
    m.run(3, 'cy', 'émoji 🦊 and "quotes"', blobs[4], -0.25, -5, 7n);
    for (let i = 4; i <= mailboxRows; i++) m.run(i, `s${i % 7}`, `body ${i}`, randomBytes(i % 40), i / 3, i, null);
    mail.prepare("INSERT INTO pairs VALUES ('x', 1, 'one'), ('x', 2, NULL), ('y', 1, 'three')").run();
    mail.prepare("INSERT INTO message_fts (body) VALUES ('hello')").run();
  })();
  mail.close();
  const cache = storeDb(config, 'CACHE');
  cache.exec("CREATE TABLE entries (k TEXT PRIMARY KEY, v BLOB); INSERT INTO entries VALUES ('a', x'00ff');");
  cache.close();
}

async function pgQuery<T extends pg.QueryResultRow>(dsn: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: dsn });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

const run = (config: FoxConfig, opts: DbMigrateOptions, signal?: AbortSignal): Promise<DbMigrateReport> => migrateData(config, opts, { openTarget: targetOpener(config), signal });

const tableOf = (r: DbMigrateReport, store: string, table: string) => r.stores.find((s) => s.store === store)?.tables.find((t) => t.table === table);

async function rejectsWith(p: Promise<unknown>, code: string): Promise<FoxError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FoxError);
  expect((err as FoxError).code).toBe(code);
  return err as FoxError;
}

describe.skipIf(server.skip)('db migrate to PostgreSQL', () => {
  let dsn = '';
  beforeAll(async () => {
    dsn = await createTestDatabase(server.dsn as string, 'migrate');
  });
  afterAll(async () => {
    await dropTestDatabase(server.dsn as string, dsn);
  });
  /** A fresh database per test, so tests do not see each other's schemas. */
  const freshDb = () => createTestDatabase(server.dsn as string, 'mig');

  it('copies the sync stores on disk (tables from their SQLite columns): counts match, BLOBs, NULLs and big integers round-trip', async () => {
    const h = tempHome();
    const config = h.config();
    seed(config);
    const target = await freshDb();
    const r = await run(config, { targetDsn: target });
    expect(r.ok).toBe(true);
    expect(r.errors).toBe(0);
    const copied = r.stores.filter((s) => !s.skipped_reason).map((s) => s.store);
    expect(copied).toEqual(['MAILBOX']);
    // CACHE is local_only: not taken without --stores; stores not on disk are listed as skipped.
    expect(r.stores.find((s) => s.store === 'CACHE')).toBeUndefined();
    expect(r.stores.find((s) => s.store === 'TASKS')?.skipped_reason).toMatch(/no database file/);
    expect(tableOf(r, 'MAILBOX', 'messages')).toMatchObject({ source_rows: 50, target_rows: 50, match: true, rows_copied: 50 });
    expect(tableOf(r, 'MAILBOX', 'pairs')).toMatchObject({ source_rows: 3, target_rows: 3, match: true });
    expect(r.rows_copied).toBe(53);
    const mailbox = r.stores.find((s) => s.store === 'MAILBOX')!;
    expect(mailbox.schema).toBe('mailbox');
    expect(mailbox.skipped_tables.map((t) => t.table)).toContain('message_fts');
    expect(mailbox.target).not.toContain(new URL(target).password);

    const msgs = await pgQuery<{ id: string; body: string | null; payload: Buffer | null; score: number | null; big: string | null; anything: string | null }>(
      target,
      'SELECT id, body, payload, score, big::text AS big, anything FROM mailbox.messages WHERE id <= 3 ORDER BY id',
    );
    expect(msgs[0]).toMatchObject({ body: '42', score: 1.5, big: BIG.toString(), anything: null });
    expect(msgs[0]!.payload!.length).toBe(0);
    expect(msgs[1]).toMatchObject({ body: null, payload: null, score: null, big: null, anything: 'text' });
    expect(msgs[2]).toMatchObject({ body: 'émoji 🦊 and "quotes"', score: -0.25, big: '-5', anything: '7' });
    expect(Buffer.compare(msgs[2]!.payload!, blobs[4]!)).toBe(0);
    // Types by affinity, the primary key kept.
    const cols = await pgQuery<{ column_name: string; data_type: string }>(target, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'mailbox' AND table_name = 'messages'");
    expect(Object.fromEntries(cols.map((c) => [c.column_name, c.data_type]))).toEqual({ id: 'bigint', sender: 'text', body: 'text', payload: 'bytea', score: 'double precision', big: 'bigint', anything: 'text' });
    const pk = await pgQuery<{ n: string }>(target, "SELECT count(*) AS n FROM information_schema.table_constraints WHERE table_schema = 'mailbox' AND table_name = 'pairs' AND constraint_type = 'PRIMARY KEY'");
    expect(pk[0]!.n).toBe('1');
    await dropTestDatabase(server.dsn as string, target);
  });

  it('copies a store with migrations of ours (MEMORY) through migrate(): BLOBs and NULLs byte-exact', async () => {
    const config = tempHome().config();
    seedMemory(config);
    const target = await freshDb();
    const r = await run(config, { targetDsn: target });
    expect(r.ok).toBe(true);
    expect(tableOf(r, 'MEMORY', 'named_memory')).toMatchObject({ source_rows: 5, target_rows: 5, match: true });
    const mem = await pgQuery<{ result: Buffer; embedding: Buffer | null; summary: string | null }>(target, 'SELECT result, embedding, summary FROM memory.named_memory ORDER BY id');
    mem.forEach((row, i) => {
      expect(Buffer.compare(row.result, blobs[i]!)).toBe(0);
      if (i % 2) expect(Buffer.compare(row.embedding!, blobs[i]!)).toBe(0);
      else expect(row.embedding).toBeNull();
      expect(row.summary).toBe(i === 3 ? null : `summary ${i} ✓`);
    });
    await dropTestDatabase(server.dsn as string, target);
  });

  it('moves identity sequences past the copied ids, so the next insert on PostgreSQL gets a new id', async () => {
    const config = tempHome().config();
    const db = storeDb(config, 'COMPANION');
    const ins = db.prepare("INSERT INTO companion_events (id, conversation_id, event_type, created_at) VALUES (?, 'c1', 'turn', '2026-01-01T00:00:00Z')");
    for (const id of [1, 2, 40]) ins.run(id);
    db.close();
    const target = await freshDb();
    const r = await run(config, { targetDsn: target });
    expect(tableOf(r, 'COMPANION', 'companion_events')).toMatchObject({ source_rows: 3, target_rows: 3, match: true });
    const next = await pgQuery<{ id: string }>(target, "INSERT INTO companion.companion_events (conversation_id, event_type, created_at) VALUES ('c1', 'turn', 'now') RETURNING id");
    expect(next[0]!.id).toBe('41');
    await dropTestDatabase(server.dsn as string, target);
  });

  it('every sync store of ours, created by its migrations, copies into PostgreSQL with matching columns', async () => {
    const config = tempHome().config();
    const names = STORES.filter((st) => st.class === 'sync_critical' || st.class === 'sync_useful').map((st) => st.name);
    for (const name of names) storeDb(config, name).close();
    const target = await freshDb();
    const r = await run(config, { targetDsn: target });
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.stores.map((st) => st.store).sort()).toEqual([...names].sort());
    // The tables our migrations make in SQLite all exist (with every column) in the target.
    const withTables = r.stores.filter((st) => st.tables.length > 0).map((st) => st.store);
    expect(withTables).toEqual(expect.arrayContaining(['SESSIONS', 'TASKS', 'MEMORY', 'COMPANION', 'CONTEXTVAR']));
    await dropTestDatabase(server.dsn as string, target);
  });

  it('a dry run reports tables and counts and writes nothing (not even a schema)', async () => {
    const config = tempHome().config();
    seed(config);
    const target = await freshDb();
    const r = await run(config, { targetDsn: target, dryRun: true });
    expect(r.dry_run).toBe(true);
    expect(tableOf(r, 'MAILBOX', 'messages')).toMatchObject({ source_rows: 50, target_rows: null, match: null, rows_copied: 0 });
    expect(r.rows_copied).toBe(0);
    const schemas = await pgQuery(target, "SELECT 1 FROM information_schema.schemata WHERE schema_name IN ('mailbox', 'memory')");
    expect(schemas).toHaveLength(0);
    await dropTestDatabase(server.dsn as string, target);
  });

  it('a second run is a CONFLICT that changes nothing; --drop replaces the tables', async () => {
    const config = tempHome().config();
    seed(config);
    const target = await freshDb();
    await run(config, { targetDsn: target });
    const err = await rejectsWith(run(config, { targetDsn: target }), 'CONFLICT');
    expect(err.message).toMatch(/already has|already hold/);
    expect(err.message).toMatch(/--drop/);
    expect((await pgQuery<{ n: string }>(target, 'SELECT count(*) AS n FROM mailbox.messages'))[0]!.n).toBe('50');
    const again = await run(config, { targetDsn: target, drop: true });
    expect(again.ok).toBe(true);
    expect(tableOf(again, 'MAILBOX', 'messages')).toMatchObject({ target_rows: 50, match: true });
    expect((await pgQuery<{ n: string }>(target, 'SELECT count(*) AS n FROM mailbox.pairs'))[0]!.n).toBe('3');
    await dropTestDatabase(server.dsn as string, target);
  });

  it('class boundaries: local_only only when named (and said so), external and keyed never, unknown NOT_FOUND', async () => {
    const config = tempHome().config();
    seed(config);
    const target = await freshDb();
    const r = await run(config, { targetDsn: target, stores: ['cache'] });
    expect(r.stores.map((s) => s.store)).toEqual(['CACHE']);
    expect(r.stores[0]!.note).toMatch(/local_only, rebuildable/);
    expect(r.ok).toBe(true);
    const ext = await rejectsWith(run(config, { targetDsn: target, stores: ['OPENCODE'] }), 'UNSUPPORTED');
    expect(ext.message).toMatch(/external.*never migrated/);
    await rejectsWith(run(config, { targetDsn: target, stores: ['repoindex'] }), 'UNSUPPORTED');
    await rejectsWith(run(config, { targetDsn: target, stores: ['nope'] }), 'NOT_FOUND');
    await rejectsWith(run(config, { targetDsn: target, stores: ['TASKS'] }), 'NOT_FOUND');
    await dropTestDatabase(server.dsn as string, target);
  });

  it('EVENTS (observability) only when named: copied with a note, its full-text index left out', async () => {
    const config = tempHome().config();
    const db = storeDb(config, 'EVENTS');
    const ins = db.prepare("INSERT INTO foxcular_events (span_id, trace_id, ts, service, operation, status, duration_ms, data) VALUES (?, 't1', '2026-01-01T00:00:00Z', 'foxctl', 'cas.put', 'ok', ?, '{\"k\":1}')");
    for (let i = 0; i < 25; i++) ins.run(`s${i}`, i);
    db.close();
    const target = await freshDb();
    const none = await run(config, { targetDsn: target, dryRun: true });
    expect(none.stores.find((s) => s.store === 'EVENTS')).toBeUndefined();
    const r = await run(config, { targetDsn: target, stores: ['events'] });
    expect(r.ok).toBe(true);
    const ev = r.stores[0]!;
    expect(ev.note).toMatch(/observability/);
    expect(tableOf(r, 'EVENTS', 'foxcular_events')).toMatchObject({ source_rows: 25, target_rows: 25, match: true });
    expect(ev.skipped_tables.map((t) => t.table)).toContain('studio_events_fts');
    expect(ev.tables.map((t) => t.table)).not.toContain('studio_events_fts_data');
    await dropTestDatabase(server.dsn as string, target);
  });

  it('a wrong password or an unreachable server is UNAVAILABLE within 10 s and never printed', async () => {
    const config = tempHome().config();
    seed(config);
    const u = new URL(dsn);
    u.password = 'Wr0ngPassw0rdXYZ';
    const t0 = Date.now();
    const err = await rejectsWith(run(config, { targetDsn: u.toString(), stores: ['MAILBOX'] }), 'UNAVAILABLE');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err.message).not.toContain('Wr0ngPassw0rdXYZ');
    expect(JSON.stringify(err.toJSON())).not.toContain('Wr0ngPassw0rdXYZ');
    expect(err.message).toMatch(/MAILBOX/);
    // Nothing listens on port 1: refused at once, UNAVAILABLE, still masked.
    const closed = new URL(dsn);
    closed.port = '1';
    const refused = await rejectsWith(run(config, { targetDsn: closed.toString(), stores: ['MAILBOX'] }), 'UNAVAILABLE');
    expect(refused.message).not.toContain(new URL(dsn).password);
  });

  it('a value a column cannot hold names the table, rowid and column; --continue-on-error goes on', async () => {
    const config = tempHome().config();
    seed(config);
    const mail = storeDb(config, 'MAILBOX');
    mail.exec("CREATE TABLE counters (name TEXT PRIMARY KEY, n INTEGER); INSERT INTO counters VALUES ('a', 1), ('b', 'not a number');");
    mail.close();
    const target = await freshDb();
    const err = await rejectsWith(run(config, { targetDsn: target, stores: ['MAILBOX'] }), 'INVALID_INPUT');
    expect(err.message).toMatch(/table counters, rowid 2, column n: text "not a number" is not an integer/);
    // The failed table was rolled back; the tables before it stay.
    expect((await pgQuery<{ n: string }>(target, 'SELECT count(*) AS n FROM mailbox.counters'))[0]!.n).toBe('0');
    const r = await run(config, { targetDsn: target, stores: ['MAILBOX'], drop: true, continueOnError: true });
    expect(r.ok).toBe(false);
    expect(r.errors).toBe(1);
    expect(r.failures[0]).toMatchObject({ store: 'MAILBOX', table: 'counters', code: 'INVALID_INPUT' });
    expect(tableOf(r, 'MAILBOX', 'messages')).toMatchObject({ match: true });
    expect(tableOf(r, 'MAILBOX', 'counters')).toMatchObject({ match: false });
    await dropTestDatabase(server.dsn as string, target);
  });

  it('a server that drops the connection mid-copy is UNAVAILABLE naming the store; the source is untouched', async () => {
    const h = tempHome();
    const config = h.config();
    seed(config, 40_000);
    const target = await freshDb();
    let killed = false;
    const err = await rejectsWith(
      migrateData(config, { targetDsn: target, stores: ['MAILBOX'], batchSize: 50 }, {
        openTarget: targetOpener(config),
        onProgress: (done) => {
          if (killed || done < 2000) return;
          killed = true;
          // The target's database only: other files' stores share the server.
          void pgQuery(server.dsn as string, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'foxctl MAILBOX'", [decodeURIComponent(new URL(target).pathname.slice(1))]);
        },
      }),
      'UNAVAILABLE',
    );
    expect(killed).toBe(true);
    expect(err.message).toMatch(/MAILBOX/);
    expect(err.message).not.toContain(new URL(target).password);
    const src = openSqlite(storePath(config, lookupStore('MAILBOX')), { readonly: true });
    expect((src.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n).toBe(40_000);
    src.close();
    expect((await pgQuery<{ n: string }>(target, 'SELECT count(*) AS n FROM mailbox.messages'))[0]!.n).toBe('0');
    await dropTestDatabase(server.dsn as string, target);
  });

  it('cancel mid-copy rolls back the table in progress; a rerun with --drop completes', async () => {
    const h = tempHome();
    const config = h.config();
    seed(config, 60_000);
    const target = await freshDb();
    const engine = openEngine({ env: h.env() });
    try {
      const job = startDbMigrate(engine, { targetDsn: target, stores: ['MAILBOX'], batchSize: 50 }, targetOpener(engine.config));
      const off = engine.jobs.subscribe((j) => {
        if (j.id === job.id && j.progress.done >= 5000) job.cancel('test cancels');
      });
      await rejectsWith(job.done, 'CANCELED');
      off();
      const info = engine.jobs.get(job.id);
      expect(info.state).toBe('canceled');
      expect(info.progress.done).toBeGreaterThanOrEqual(5000);
      expect(info.progress.message).toMatch(/MAILBOX\.messages/);
      // All or nothing per table: messages was in progress, so it is empty.
      expect((await pgQuery<{ n: string }>(target, 'SELECT count(*) AS n FROM mailbox.messages'))[0]!.n).toBe('0');
      const r = await startDbMigrate(engine, { targetDsn: target, stores: ['MAILBOX'], drop: true, batchSize: 500 }, targetOpener(engine.config)).done;
      expect(r.ok).toBe(true);
      expect(tableOf(r, 'MAILBOX', 'messages')).toMatchObject({ source_rows: 60_000, target_rows: 60_000, match: true });
    } finally {
      await engine.close();
      await dropTestDatabase(server.dsn as string, target);
    }
  });
});

describe('db migrate to libSQL (file: URLs)', () => {
  it('copies stores into one database per store with {store}; indexes follow', async () => {
    const h = tempHome();
    const config = h.config();
    seed(config);
    seedMemory(config);
    const dir = path.join(h.home, 'turso');
    fs.mkdirSync(dir);
    const r = await run(config, { targetDsn: `file:${dir}/{store}.db`, stores: ['MAILBOX', 'MEMORY'] });
    expect(r.ok).toBe(true);
    expect(r.dialect).toBe('sqlite');
    expect(tableOf(r, 'MAILBOX', 'messages')).toMatchObject({ source_rows: 50, target_rows: 50, match: true });
    const c = createClient({ url: `file:${dir}/mailbox.db`, intMode: 'bigint' });
    try {
      const rows = await c.execute('SELECT id, body, payload, big, typeof(anything) AS t FROM messages WHERE id <= 3 ORDER BY id');
      expect(rows.rows.map((x) => x.t)).toEqual(['null', 'text', 'integer']); // libSQL keeps SQLite's dynamic types as they were
      expect(Buffer.from(rows.rows[2]!.payload as ArrayBuffer).equals(blobs[4]!)).toBe(true);
      expect(rows.rows[1]!.payload).toBeNull();
      expect(rows.rows[0]!.big).toBe(BIG);
      const idx = await c.execute("SELECT name FROM sqlite_schema WHERE type = 'index' AND name = 'idx_messages_sender'");
      expect(idx.rows).toHaveLength(1);
    } finally {
      c.close();
    }
    const mem = createClient({ url: `file:${dir}/memory.db` });
    const got = await mem.execute('SELECT result FROM named_memory ORDER BY id');
    mem.close();
    got.rows.forEach((row, i) => expect(Buffer.from(row.result as ArrayBuffer).equals(blobs[i]!)).toBe(true));
  });

  it('a rerun into the same libSQL database is a CONFLICT; --drop replaces it', async () => {
    const h = tempHome();
    const config = h.config();
    seed(config);
    const url = `file:${h.home}/mailbox-copy.db`;
    expect((await run(config, { targetDsn: url, stores: ['MAILBOX'] })).ok).toBe(true);
    await rejectsWith(run(config, { targetDsn: url, stores: ['MAILBOX'] }), 'CONFLICT');
    const r = await run(config, { targetDsn: url, stores: ['MAILBOX'], drop: true });
    expect(r.ok).toBe(true);
    expect(tableOf(r, 'MAILBOX', 'messages')).toMatchObject({ source_rows: 50, target_rows: 50 });
  });

  it('refuses several stores in one libSQL database, a remote URL without a token, and the source file itself', async () => {
    const h = tempHome();
    const config = h.config();
    seed(config);
    seedMemory(config);
    const one = `file:${h.home}/one.db`;
    const e1 = await rejectsWith(run(config, { targetDsn: one, stores: ['MAILBOX', 'MEMORY'] }), 'INVALID_INPUT');
    expect(e1.message).toMatch(/\{store\}/);
    const e2 = await rejectsWith(run(config, { targetDsn: 'libsql://db-me.turso.io', stores: ['MAILBOX'] }), 'INVALID_INPUT');
    expect(e2.message).toMatch(/token/);
    await rejectsWith(run(config, { targetDsn: `file:${storePath(config, lookupStore('MAILBOX'))}`, stores: ['MAILBOX'] }), 'INVALID_INPUT');
    await rejectsWith(run(config, { targetDsn: 'mysql://u:pw@h/db' }), 'INVALID_INPUT');
    await rejectsWith(run(config, { targetDsn: one, stores: ['MAILBOX'], batchSize: 0 }), 'INVALID_INPUT');
  });
});
