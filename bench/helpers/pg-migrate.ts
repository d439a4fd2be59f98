// The PostgreSQL half of `npm run bench -- remote`: `db migrate` of a 1,000,000-row store vs a
// bare multi-row INSERT of the same rows with `pg`. Both read the same SQLite file with
// better-sqlite3, send batches of the same size and commit once; the anchor skips everything
// db migrate adds (class checks, target schema, value conversion, the driver, counting both
// sides). Best of two rounds for each, alternating.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { resolveConfig } from '../../src-main/engine/config/resolve.js';
import { DEFAULT_BATCH_SIZE, migrateData, targetOpener } from '../../src-main/engine/db/copy/index.js';
import { openSqlite } from '../../src-main/engine/db/sqlite.js';
import { startTestPostgres } from '../../src-main/test/postgres.js';
import { figure, report, scratch, timed } from '../lib.js';

const COLS = ['id', 'sender', 'subject', 'body', 'payload', 'score', 'created_at'];

/** A MAILBOX store of `rows` messages: integers, text, a 32-byte blob, a real, a timestamp. */
function seedStore(file: string, rows: number): void {
  const db = openSqlite(file);
  db.exec(`CREATE TABLE messages (id INTEGER PRIMARY KEY, sender TEXT NOT NULL, subject TEXT, body TEXT, payload BLOB, score REAL, created_at TEXT NOT NULL)`);
  const ins = db.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)');
  const blob = randomBytes(32);
  db.transaction(() => {
    for (let i = 1; i <= rows; i++) {
      ins.run(i, `agent-${i % 97}`, i % 5 === 0 ? null : `subject ${i}`, `message body number ${i} with some words in it`, blob, i / 7, '2026-11-27T05:00:00.123456789Z');
    }
  })();
  db.close();
}

/** The bare anchor: same rows, same batch, multi-row INSERT with `pg`, one transaction. */
async function bareInsert(dsn: string, file: string, batch: number): Promise<number> {
  const c = new pg.Client({ connectionString: dsn });
  await c.connect();
  await c.query('DROP SCHEMA IF EXISTS bare CASCADE; CREATE SCHEMA bare');
  await c.query('CREATE TABLE bare.messages (id BIGINT PRIMARY KEY, sender TEXT NOT NULL, subject TEXT, body TEXT, payload BYTEA, score DOUBLE PRECISION, created_at TEXT NOT NULL)');
  const src = new Database(file, { readonly: true });
  const sqlFor = (n: number): string => {
    let p = 0;
    const tuples = Array.from({ length: n }, () => `(${COLS.map(() => `$${++p}`).join(', ')})`);
    return `INSERT INTO bare.messages (${COLS.join(', ')}) VALUES ${tuples.join(', ')}`;
  };
  const full = sqlFor(batch);
  const t = await timed(async () => {
    await c.query('BEGIN');
    let params: unknown[] = [];
    let n = 0;
    for (const row of src.prepare(`SELECT ${COLS.join(', ')} FROM messages`).raw(true).iterate() as IterableIterator<unknown[]>) {
      params.push(...row);
      if (++n === batch) {
        await c.query(full, params);
        params = [];
        n = 0;
      }
    }
    if (n > 0) await c.query(sqlFor(n), params);
    await c.query('COMMIT');
  });
  src.close();
  await c.end();
  return t.seconds;
}

/** Runs the comparison and prints rows/s of both and the ratio (goal >= 0.8). */
export async function benchDbMigrate(scale: number): Promise<void> {
  const rows = Math.max(10_000, Math.round(1_000_000 * scale));
  const batch = Number(process.env.FOXCTL_BENCH_BATCH ?? DEFAULT_BATCH_SIZE);
  const server = await startTestPostgres();
  const { dir, cleanup } = scratch('pg-migrate');
  try {
    const admin = new pg.Client({ connectionString: server.dsn });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS bench_migrate WITH (FORCE)');
    await admin.query('CREATE DATABASE bench_migrate');
    await admin.end();
    const u = new URL(server.dsn);
    u.pathname = '/bench_migrate';
    const dsn = u.toString();
    const home = path.join(dir, 'home');
    const config = resolveConfig({ env: { HOME: dir, FOXCTL_HOME: home } });
    const t0 = Date.now();
    seedStore(path.join(config.storageRoot, 'mailbox.db'), rows);
    figure(`seeded ${rows.toLocaleString('en-US')}-row MAILBOX store`, (Date.now() - t0) / 1000, 's');

    const ours: number[] = [];
    const bare: number[] = [];
    for (let round = 0; round < 2; round++) {
      bare.push(await bareInsert(dsn, path.join(config.storageRoot, 'mailbox.db'), batch));
      const r = await timed(() => migrateData(config, { targetDsn: dsn, stores: ['MAILBOX'], batchSize: batch, drop: true }, { openTarget: targetOpener(config) }));
      if (!r.value.ok || r.value.rows_copied !== rows) throw new Error(`db migrate did not copy every row: ${JSON.stringify(r.value.failures)}`);
      ours.push(r.seconds);
    }
    report(`db migrate ${rows.toLocaleString('en-US')} rows, batch ${batch} (vs bare pg)`, rows / Math.min(...ours), rows / Math.min(...bare), 'rows/s', { anchorName: 'pg INSERT', better: 'higher', goal: 0.8 });
    const c = new pg.Client({ connectionString: server.dsn });
    await c.connect();
    await c.query('DROP DATABASE IF EXISTS bench_migrate WITH (FORCE)');
    await c.end();
  } finally {
    cleanup();
    await server.stop();
  }
}
