// The sqlite CAS against the Go foxctl's own statements (src-main/test/go-home/cas.ts): what Go
// writes we read, and what we write Go's SQLiteStore.Get reads back byte for byte.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { goSqliteCasOpen, goSqliteGet, goSqlitePut, oldChunkedRow } from '../../test/go-home/cas.js';
import { tempHome } from '../../test/temp-home.js';
import { migrationChecksum } from '../db/migrate.js';
import { expectCode } from './conformance.js';
import { digestBytes } from './digest.js';
import { CasStore } from './guarded-store.js';
import { CAS_MIGRATIONS } from './sqlite-migrations.js';
import { createSqliteBackend } from './sqlite-backend.js';
import { verifyStore } from './verify.js';

const casFile = (): string => path.join(tempHome().home, 'storage', 'cas.db');

function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

// Each python3 start costs seconds on a loaded machine: the timeout is for that, not for our code.
describe('sqlite CAS and the Go foxctl', { timeout: 120_000 }, () => {
  it('Go puts into a cas.db we created: NULL tags accepted, BLOB tags read, content read byte-exact', async () => {
    const file = casFile();
    const store = new CasStore(createSqliteBackend({ file }));
    await store.open();
    // Go's NewSQLiteStore opens the same file, then puts without tags (NULL) and with tags (a BLOB).
    goSqliteCasOpen(file);
    const plain = Buffer.from('untagged, put by Go');
    const tagged = randomBytes(50_000);
    const d1 = goSqlitePut(file, { content: plain });
    const d2 = goSqlitePut(file, { content: tagged, kind: 'application/x-test', tags: [' b', 'a', 'b'] });
    expect(await store.head(d1)).toMatchObject({ tags: [], kind: 'application/octet-stream', size_bytes: plain.length });
    expect(await store.head(d2)).toMatchObject({ tags: ['a', 'b'], kind: 'application/x-test' });
    expect(await buffer((await store.get(d2)).stream)).toEqual(tagged);
    expect((await verifyStore(store)).ok).toBe(true);
    await store.close();
  });

  it('we write every object whole in content: Go reads 3 MiB and small objects byte-exact, tags and all', async () => {
    const file = casFile();
    // A small chunk size: the 3 MiB object is staged in 48 chunks and still filed whole.
    const store = new CasStore(createSqliteBackend({ file, chunkSize: 64 * 1024 }));
    const big = randomBytes(3 << 20);
    const small = Buffer.from('small object');
    const b = await store.put(big, { tags: ['z', 'y'] });
    const s = await store.put(small);
    await store.close();
    const got = goSqliteGet(file, b.digest);
    expect(got.content.equals(big)).toBe(true);
    expect(got).toMatchObject({ size: big.length, kind: 'application/octet-stream', tags: ['y', 'z'] });
    expect(goSqliteGet(file, s.digest)).toMatchObject({ content: small, tags: null });
    expect(count(file, 'SELECT count(*) FROM studio_cas_chunks')).toBe(0);
  });

  it('re-put keeps the first created_at for Go and records last_put_at in a column Go does not read', async () => {
    const file = casFile();
    let now = Date.parse('2026-05-01T00:00:00Z');
    const store = new CasStore(createSqliteBackend({ file }), { clock: () => new Date(now) });
    const first = await store.put(Buffer.from('twice'));
    now += 3_600_000;
    await store.put(Buffer.from('twice'), { tags: ['again'] });
    await store.close();
    const got = goSqliteGet(file, first.digest);
    expect(got.created_at).toBe(first.created);
    expect(got.tags).toEqual(['again']);
    expect(count(file, `SELECT count(*) FROM cas_objects WHERE last_put_at LIKE '2026-05-01T01:00:00%'`)).toBe(1);
  });

  it('a cas.db of our earlier version (tags NOT NULL, chunked rows) is rebuilt as Go creates it and its chunked objects move into content', async () => {
    const file = casFile();
    // The file as our version 1 left it: its migration, recorded, and one object chunked (content empty).
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const v1 = new Database(file);
    v1.exec(CAS_MIGRATIONS[0]!.sql);
    v1.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)');
    v1.prepare('INSERT INTO schema_migrations VALUES (1, ?, ?, ?)').run(CAS_MIGRATIONS[0]!.name, '2026-01-01T00:00:00Z', migrationChecksum(CAS_MIGRATIONS[0]!));
    const inline = Buffer.from('inline since v1');
    v1.prepare("INSERT INTO cas_objects VALUES (?, ?, 'text/plain', '[\"t\"]', 1, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')").run(digestBytes(inline), inline.length, inline);
    v1.close();
    const chunked = randomBytes(300_000);
    const dChunked = oldChunkedRow(file, chunked, { chunkSize: 64 * 1024, now: '2026-01-02T00:00:00Z' });
    // A chunked row whose chunks do not hash to its digest: never filed in content.
    const bad = randomBytes(200_000);
    const tampered = Buffer.from(bad);
    tampered[100] = tampered[100]! ^ 1;
    const dBad = oldChunkedRow(file, bad, { chunkSize: 64 * 1024, now: '2026-01-02T00:00:00Z', bytes: tampered });
    // Before: Go's untagged put fails on the NOT NULL tags, and Go reads the chunked object as 0 bytes.
    expect(() => goSqlitePut(file, { content: Buffer.from('refused before') })).toThrow(/NOT NULL constraint failed: cas_objects.tags/);
    expect(goSqliteGet(file, dChunked).content.length).toBe(0);

    const store = new CasStore(createSqliteBackend({ file }));
    await store.open();
    expect(count(file, 'SELECT count(*) FROM cas_objects')).toBe(3);
    const cols = new Database(file, { readonly: true });
    const info = cols.prepare("SELECT name, \"notnull\" AS nn FROM pragma_table_info('cas_objects')").all() as { name: string; nn: number }[];
    const indexes = cols.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'cas_objects' AND name LIKE 'idx_%' ORDER BY name").pluck().all();
    cols.close();
    expect(info.find((c) => c.name === 'tags')!.nn).toBe(0);
    expect(info.map((c) => c.name)).toContain('last_put_at');
    expect(indexes).toEqual(['idx_cas_created', 'idx_cas_kind', 'idx_cas_pinned']);
    // After: Go's untagged put is accepted, Go reads the moved object whole; the bad one stays where it was.
    const dGo = goSqlitePut(file, { content: Buffer.from('accepted now') });
    expect((await store.head(dGo)).tags).toEqual([]);
    expect(goSqliteGet(file, dChunked).content.equals(chunked)).toBe(true);
    expect(await store.head(digestBytes(inline))).toMatchObject({ tags: ['t'], pinned: true, kind: 'text/plain' });
    expect(count(file, `SELECT count(*) FROM studio_cas_blobs WHERE digest = '${dBad}'`)).toBe(1);
    const v = await verifyStore(store);
    expect(v.corrupt).toEqual([dBad]);
    await store.close();
  });

  it('an object larger than one row can hold is refused with UNSUPPORTED and leaves nothing staged', async () => {
    const file = casFile();
    const store = new CasStore(createSqliteBackend({ file, chunkSize: 1024, maxObjectBytes: 10_000 }));
    await expectCode(store.put(randomBytes(10_001)), 'UNSUPPORTED', /larger than the sqlite CAS .* can store.*one cas_objects\.content cell.*file or s3 backend/);
    expect((await store.stats()).objects).toBe(0);
    const ok = await store.put(randomBytes(10_000));
    expect(goSqliteGet(file, ok.digest).content.length).toBe(10_000);
    await store.close();
    expect(count(file, 'SELECT count(*) FROM studio_cas_chunks')).toBe(0);
  });
});
