import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { goSqliteGet } from '../../test/go-home/cas.js';
import { tempHome } from '../../test/temp-home.js';
import { casConformance, expectCode } from './conformance.js';
import { sqliteDamage } from './sqlite-damage.js';
import { createCasBackend } from './create.js';
import { CasStore } from './guarded-store.js';
import { createSqliteBackend } from './sqlite-backend.js';
import { createTursoBackend } from './turso-backend.js';
import { resolveTursoSettings } from './turso-config.js';

/** A small chunk size so that the suite's larger objects take the chunked path. */
const CHUNK = 256 * 1024;

function tursoFixture(file: string) {
  const withDb = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  const settings = resolveTursoSettings({ FOXCTL_CAS_DB_URL: `file:${file}` });
  return {
    open: (o: { tmpSafeAgeMs?: number } = {}) => createTursoBackend({ settings, chunkSize: CHUNK, ...o }),
    corrupt: async (hex: string) =>
      withDb((db) => {
        const digest = `sha256:${hex}`;
        const flip = (b: Buffer): Buffer => {
          const c = Buffer.from(b);
          c[Math.floor(c.length / 2)]! ^= 0x01;
          return c;
        };
        const blob = db.prepare('SELECT blob_id FROM studio_cas_blobs WHERE digest = ?').pluck().get(digest) as number | undefined;
        if (blob === undefined) {
          db.prepare('UPDATE cas_objects SET content = ? WHERE digest = ?').run(flip(db.prepare('SELECT content FROM cas_objects WHERE digest = ?').pluck().get(digest) as Buffer), digest);
        } else {
          db.prepare('UPDATE studio_cas_chunks SET data = ? WHERE blob_id = ? AND seq = 1').run(flip(db.prepare('SELECT data FROM studio_cas_chunks WHERE blob_id = ? AND seq = 1').pluck().get(blob) as Buffer), blob);
        }
      }),
    tempCount: async () => withDb((db) => db.prepare('SELECT count(*) FROM studio_cas_blobs WHERE digest IS NULL').pluck().get() as number),
    damage: sqliteDamage(file, { metaApart: false }),
  };
}

casConformance('turso', async () => tursoFixture(path.join(tempHome().home, 'storage', 'cas-turso.db')));

describe('turso CAS and the Go foxctl', () => {
  it("files every object whole in content, as Go's TursoStore.Get reads it; a too large one is refused", { timeout: 120_000 }, async () => {
    const file = path.join(tempHome().home, 'storage', 'cas-turso.db');
    const settings = resolveTursoSettings({ FOXCTL_CAS_DB_URL: `file:${file}` });
    const store = new CasStore(createTursoBackend({ settings, chunkSize: 64 * 1024, maxObjectBytes: 4 << 20 }));
    const big = randomBytes(3 << 20);
    const r = await store.put(big, { tags: ['t'] });
    await expectCode(store.put(randomBytes((4 << 20) + 1)), 'UNSUPPORTED', /one cas_objects\.content cell/);
    await store.close();
    // Go's TursoStore.Get runs the same SELECT as SQLiteStore.Get on the same table.
    const got = goSqliteGet(file, r.digest);
    expect(got.content.equals(big)).toBe(true);
    expect(got.tags).toEqual(['t']);
    expect(new Database(file, { readonly: true }).prepare('SELECT count(*) FROM studio_cas_chunks').pluck().get()).toBe(0);
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('turso CAS: settings, the sqlite layout, remote errors', () => {
  it('a file: database moves between the turso and sqlite backends unchanged', async () => {
    const file = path.join(tempHome().home, 'cas.db');
    const big = randomBytes(CHUNK * 3 + 17);
    const t = new CasStore(createTursoBackend({ settings: resolveTursoSettings({ TURSO_DATABASE_URL: `file:${file}` }), chunkSize: CHUNK }));
    const a = await t.put(big, { tags: ['t'], pin: true });
    const small = await t.put(Buffer.from('small inline'));
    await t.close();
    const s = new CasStore(createSqliteBackend({ file, chunkSize: CHUNK }));
    expect((await buffer((await s.get(a.digest)).stream)).equals(big)).toBe(true);
    expect(await s.head(a.digest)).toMatchObject({ pinned: true, tags: ['t'] });
    const c = await s.put(randomBytes(CHUNK * 2 + 1));
    await s.close();
    const t2 = new CasStore(createTursoBackend({ settings: resolveTursoSettings({ FOXCTL_TURSO_URL: `file:${file}` }), chunkSize: CHUNK }));
    expect((await t2.check(c.digest)).size_bytes).toBe(CHUNK * 2 + 1);
    expect((await buffer((await t2.get(small.digest)).stream)).toString()).toBe('small inline');
    await t2.close();
  });

  it('resolves the URL and token chains; a remote URL without a token names the variable', () => {
    expect(() => resolveTursoSettings({})).toThrow(/FOXCTL_CAS_DB_URL/);
    expect(resolveTursoSettings({ FOXCTL_CAS_DB_URL: 'file:/a.db', FOXCTL_TURSO_URL: 'file:/b.db' }).url).toBe('file:/a.db');
    expect(resolveTursoSettings({ FOXCTL_TURSO_URL: 'libsql://x.turso.io', TURSO_AUTH_TOKEN: 'tok3', FOXCTL_TURSO_TOKEN: 'tok2' }).authToken).toBe('tok2');
    for (const url of ['libsql://db.turso.io', 'https://db.turso.io', 'wss://db.turso.io']) {
      expect(() => resolveTursoSettings({ FOXCTL_CAS_DB_URL: url })).toThrow(/needs a token: set \$FOXCTL_CAS_DB_TOKEN/);
    }
    expect(() => resolveTursoSettings({ FOXCTL_CAS_DB_URL: 'mysql://x' })).toThrow(/unsupported scheme/);
    expect(() => resolveTursoSettings({ FOXCTL_CAS_DB_URL: 'not a url' })).toThrow(/not a valid libSQL URL/);
    expect(createCasBackend(tempHome().config({ FOXCTL_CAS_DRIVER: 'turso', FOXCTL_CAS_DB_URL: 'libsql://db.turso.io', FOXCTL_CAS_DB_TOKEN: 'secret-token-4242' })).location).toBe('libsql://db.turso.io');
  });

  it('an unreachable remote server is UNAVAILABLE within 10 s and the token never appears', async () => {
    const token = 'tok-Very-Secret-98765';
    const port = await closedPort();
    for (const url of [`http://127.0.0.1:${port}`, `ws://127.0.0.1:${port}?authToken=${token}`]) {
      const store = new CasStore(createTursoBackend({ settings: resolveTursoSettings({ FOXCTL_CAS_DB_URL: url, FOXCTL_CAS_DB_TOKEN: token }) }));
      const t0 = Date.now();
      const err = (await store.list().catch((e: unknown) => e)) as Error & { cause?: Error };
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(err).toMatchObject({ name: 'FoxError', code: 'UNAVAILABLE' });
      expect(err.message).toMatch(/turso CAS/);
      expect(`${err.message} ${err.stack} ${err.cause?.message} ${JSON.stringify(err)}`).not.toContain(token);
      await store.close();
    }
  });

  it('a file that is not SQLite is refused with a clear error', async () => {
    const file = path.join(tempHome().home, 'junk.db');
    (await import('node:fs')).writeFileSync(file, 'plain text, not a database '.repeat(10));
    const store = new CasStore(createTursoBackend({ settings: resolveTursoSettings({ FOXCTL_CAS_DB_URL: `file:${file}` }) }));
    await expectCode(store.list(), 'CORRUPT', /turso CAS/);
    await store.close();
  });
});
