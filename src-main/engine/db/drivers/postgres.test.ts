import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../../test/pg-db.js';
import { tempHome } from '../../../test/temp-home.js';
import { driverConformance, expectCode } from './conformance.js';
import { fnv1a32 } from './fnv.js';
import { openStoreDriver } from './open.js';
import { PostgresStoreDriver } from './postgres.js';

const server = postgresForSuite('postgres');
let dsn = '';

/** Runs one statement on the test database as the superuser. */
async function admin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: dsn });
  await c.connect();
  try {
    return (await c.query<T>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

describe.skipIf(server.skip)('postgres store driver', () => {
  beforeAll(async () => {
    dsn = await createTestDatabase(server.dsn as string, 'drv');
  });
  afterAll(async () => {
    if (dsn) await dropTestDatabase(server.dsn as string, dsn);
  });

  driverConformance('postgres', async () => {
    const schema = `conf_${crypto.randomBytes(4).toString('hex')}`;
    const config = tempHome().config();
    return {
      open: (migrations) => openStoreDriver(config, 'KNOWLEDGE', { target: { dsn, schema }, ...(migrations ? { migrations } : {}) }),
      cleanup: async () => void (await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
    };
  });

  it('takes the DSN chain, creates the store schema (lower-case name) and sets search_path on it', async () => {
    const config = tempHome().config({ FOXCTL_TASKS_DB_DRIVER: 'postgres', DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none', FOXCTL_POSTGRES_DSN: dsn });
    const d = await openStoreDriver(config, 'TASKS', { migrate: true });
    try {
      expect(d).toMatchObject({ driver: 'postgres', dialect: 'postgres', schema: 'tasks' });
      expect(d.location).toContain('****');
      expect(d.location).not.toContain(new URL(dsn).password);
      expect(await d.query('SELECT current_schema() AS s')).toEqual([{ s: 'tasks' }]);
      expect((await d.tables()).map((t) => t.name)).toEqual(['task_dependencies', 'tasks']);
      const cols = await admin<{ table_schema: string }>("SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name IN ('tasks', 'schema_migrations')");
      expect(cols.map((c) => c.table_schema)).toEqual(['tasks']);
    } finally {
      await d.close();
    }
  });

  it('keeps public on the search_path after the store schema, as Go does: an extension-like type in public stays usable', async () => {
    // A domain and a function in public stand in for pgvector's type and operators (not installable here).
    await admin('CREATE DOMAIN public.fox_probe_vec AS real[]');
    await admin('CREATE FUNCTION public.fox_probe_len(v public.fox_probe_vec) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT cardinality(v) $$');
    const config = tempHome().config({ FOXCTL_MEMORY_DB_DRIVER: 'postgres', FOXCTL_POSTGRES_DSN: dsn, FOXCTL_MEMORY_POSTGRES_SCHEMA: 'sp_probe' });
    const d = await openStoreDriver(config, 'MEMORY', { migrate: true });
    try {
      expect(await d.query('SHOW search_path')).toEqual([{ search_path: 'sp_probe, public' }]);
      await d.run('CREATE TABLE embeddings_probe (id integer PRIMARY KEY, v fox_probe_vec)');
      await d.run('INSERT INTO embeddings_probe VALUES (1, ARRAY[1, 2, 3]::real[])');
      expect(await d.query('SELECT fox_probe_len(v) AS n FROM embeddings_probe')).toEqual([{ n: 3 }]);
      const where = await admin<{ table_schema: string }>("SELECT table_schema FROM information_schema.tables WHERE table_name = 'embeddings_probe'");
      expect(where).toEqual([{ table_schema: 'sp_probe' }]);
    } finally {
      await d.close();
      await admin('DROP SCHEMA IF EXISTS sp_probe CASCADE');
      await admin('DROP FUNCTION public.fox_probe_len(public.fox_probe_vec)');
      await admin('DROP DOMAIN public.fox_probe_vec');
    }
  });

  it('runs every store migration of the registry on PostgreSQL (per-dialect DDL) and records per-dialect checksums', async () => {
    const { STORE_MIGRATIONS } = await import('../migrations/index.js');
    const { migrationChecksum } = await import('../migrate.js');
    const config = tempHome().config({ FOXCTL_POSTGRES_DSN: dsn });
    for (const [name, migrations] of Object.entries(STORE_MIGRATIONS)) {
      const d = await openStoreDriver(config, name, { target: { dsn, schema: `all_${name.toLowerCase()}` } });
      try {
        const res = await d.migrate();
        expect(res.version, name).toBe(migrations[migrations.length - 1]!.version);
        const rows = await d.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations ORDER BY version');
        expect(rows, name).toEqual(migrations.map((m) => ({ version: m.version, checksum: migrationChecksum(m, 'postgres') })));
        expect((await d.tables()).length, name).toBeGreaterThan(0);
      } finally {
        await d.close();
      }
    }
  });

  it('keys the migration lock on FNV-1a 32 of the schema (unsigned) and holds it while migrating', async () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    const schema = 'lockcheck';
    const config = tempHome().config();
    const slow = [{ version: 1, name: 'slow', sql: 'CREATE TABLE s (x INTEGER)', postgres: 'CREATE TABLE s (x BIGINT); SELECT pg_sleep(1.5);' }];
    const d = await openStoreDriver(config, 'KNOWLEDGE', { target: { dsn, schema }, migrations: slow });
    try {
      const p = d.migrate();
      let held: { objid: string }[] = [];
      for (let i = 0; i < 50 && held.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        held = await admin<{ objid: string }>("SELECT objid::text FROM pg_locks WHERE locktype = 'advisory' AND granted");
      }
      // A bigint key shows as (classid = high 32 bits, objid = low 32 bits): ours fits in the low half.
      expect(held.map((h) => Number(h.objid))).toContain(fnv1a32(schema));
      expect(await p).toEqual({ applied: [1], version: 1 });
    } finally {
      await d.close();
    }
  });

  it('reports pgvector absent as vectors disabled, and fails clearly when it is required', async () => {
    const config = tempHome().config();
    const d = await openStoreDriver(config, 'MEMORY', { target: { dsn, schema: 'vec_off' } });
    try {
      expect(d.vectors).toBeNull();
      await d.migrate();
      expect(d.vectors).toBe(false);
      // Embeddings stay bytes.
      const [col] = await d.query<{ data_type: string }>("SELECT data_type FROM information_schema.columns WHERE table_schema = 'vec_off' AND table_name = 'named_memory' AND column_name = 'embedding'");
      expect(col?.data_type).toBe('bytea');
    } finally {
      await d.close();
    }
    const strict = tempHome().config({ FOXCTL_POSTGRES_REQUIRE_VECTOR: 'true' });
    const s = await openStoreDriver(strict, 'MEMORY', { target: { dsn, schema: 'vec_on' } });
    try {
      await expectCode(s.migrate(), 'UNSUPPORTED', /FOXCTL_POSTGRES_REQUIRE_VECTOR is true but pgvector cannot be enabled/);
      expect(await admin("SELECT 1 FROM information_schema.tables WHERE table_schema = 'vec_on' AND table_name = 'named_memory'")).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('opens external stores read-only on PostgreSQL', async () => {
    const config = tempHome().config();
    const d = await openStoreDriver(config, 'OPENCODE', { target: { dsn, schema: 'ext' } });
    try {
      expect(d.readOnly).toBe(true);
      expect(await d.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await expectCode(d.run('CREATE TABLE x (y TEXT)'), 'UNSUPPORTED', /read-only/);
      await expectCode(d.query('CREATE TABLE x (y TEXT)'), 'UNSUPPORTED');
      await expectCode(d.migrate(), 'UNSUPPORTED', /read-only/);
    } finally {
      await d.close();
    }
  });

  it('keeps at most MAX_CONNS connections open and at most MAX_IDLE_CONNS idle', async () => {
    const config = tempHome().config({ FOXCTL_POSTGRES_MAX_CONNS: '4', FOXCTL_POSTGRES_MAX_IDLE_CONNS: '2' });
    const d = await openStoreDriver(config, 'KNOWLEDGE', { target: { dsn, schema: 'pool' } });
    try {
      const count = async (): Promise<number> =>
        Number((await admin<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'foxctl KNOWLEDGE' AND datname = current_database()"))[0]?.n);
      let peak = 0;
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          await d.query('SELECT pg_sleep(0.2)');
          peak = Math.max(peak, await count());
        }),
      );
      expect(peak).toBeLessThanOrEqual(4);
      expect(peak).toBeGreaterThanOrEqual(2);
      expect(await count()).toBeLessThanOrEqual(2);
    } finally {
      await d.close();
    }
  });

  it('reuses the last connection for the next call, and never hands out one the server ended meanwhile', async () => {
    const d = await openStoreDriver(tempHome().config(), 'KNOWLEDGE', { target: { dsn, schema: 'warm' } });
    try {
      const pid = async (): Promise<number> => Number((await d.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]?.pid);
      const first = await pid();
      // Reused: back to back, and from a read-only transaction too.
      expect(await pid()).toBe(first);
      expect(await d.read(async (tx) => Number((await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]?.pid))).toBe(first);
      // The server ends the waiting connection: the next call opens another one and succeeds.
      expect(await admin<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [first])).toEqual([{ ok: true }]);
      await new Promise((r) => setTimeout(r, 200));
      const second = await pid();
      expect(second).not.toBe(first);
      expect(await pid()).toBe(second);
    } finally {
      await d.close();
    }
  });

  it('refuses $n placeholders and counts ? against the parameters', async () => {
    const d = await openStoreDriver(tempHome().config(), 'KNOWLEDGE', { target: { dsn, schema: 'ph' } });
    try {
      await expectCode(d.query('SELECT $1::text AS x', ['a']), 'INVALID_INPUT', /write parameters as \?/);
      expect(await d.query("SELECT ?::text AS x, $$a ? b$$ AS y, E'it\\'s ?' AS z", ['a'])).toEqual([{ x: 'a', y: 'a ? b', z: "it's ?" }]);
      expect(d).toBeInstanceOf(PostgresStoreDriver);
    } finally {
      await d.close();
    }
  });
});
