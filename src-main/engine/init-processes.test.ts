import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliBundle, REPO_ROOT, type CliBundle } from '../test/cli-bundle.js';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../test/pg-db.js';
import { tempHome } from '../test/temp-home.js';
import { migrationsFor } from './db/migrations/index.js';

const PROCESSES = 10;
const server = postgresForSuite('postgres');

interface InitStore {
  name: string;
  status: string;
  driver: string;
  location: string;
  schema_version: number;
}

describe.skipIf(server.skip)('foxctl init on PostgreSQL, from many processes at once', () => {
  let cli: CliBundle | undefined;
  let dsn = '';
  beforeAll(async () => {
    cli = await buildCliBundle();
    dsn = await createTestDatabase(server.dsn as string, 'init');
  }, 60_000);
  afterAll(async () => {
    cli?.remove();
    if (dsn) await dropTestDatabase(server.dsn as string, dsn);
  });

  it(`${PROCESSES} processes running init migrate MEMORY's schema exactly once; every one succeeds and names the driver`, async () => {
    const h = tempHome();
    const env = { ...process.env, ...h.env({ FOXCTL_MEMORY_DB_DRIVER: 'postgres', FOXCTL_MEMORY_POSTGRES_DSN: dsn }) };
    const runs = await Promise.all(
      Array.from(
        { length: PROCESSES },
        () =>
          new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
            const child = spawn(process.execPath, [cli!.file, '--json', 'init'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
            let out = '';
            let err = '';
            child.stdout.on('data', (c: Buffer) => (out += c.toString()));
            child.stderr.on('data', (c: Buffer) => (err += c.toString()));
            child.on('close', (code) => resolve({ code, out, err }));
          }),
      ),
    );
    const memory = runs.map((r) => {
      expect(r.code, r.err).toBe(0);
      return (JSON.parse(r.out) as { data: { stores: InitStore[] } }).data.stores.find((s) => s.name === 'MEMORY')!;
    });
    const versions = migrationsFor('MEMORY').map((m) => m.version);
    expect(memory.filter((m) => m.status === 'created')).toHaveLength(1);
    expect(memory.filter((m) => m.status === 'ok')).toHaveLength(PROCESSES - 1);
    for (const m of memory) expect(m).toMatchObject({ driver: 'postgres', schema_version: Math.max(...versions) });
    expect(memory[0]!.location).not.toContain(new URL(dsn).password || '\u0000');
    const schema = /schema (\S+)$/.exec(memory[0]!.location)?.[1];
    expect(schema).toBeTruthy();
    const c = new pg.Client({ connectionString: dsn });
    await c.connect();
    try {
      const rows = (await c.query<{ version: number; n: number }>(`SELECT version::int AS version, count(*)::int AS n FROM "${schema}".schema_migrations GROUP BY version ORDER BY version`)).rows;
      expect(rows).toEqual(versions.map((version) => ({ version, n: 1 })));
    } finally {
      await c.end();
    }
  }, 120_000);
});
