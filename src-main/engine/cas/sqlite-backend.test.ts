import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../test/temp-home.js';
import { casConformance, expectCode } from './conformance.js';
import { sqliteDamage } from './sqlite-damage.js';
import { digestBytes } from './digest.js';
import { CasStore } from './guarded-store.js';
import { createSqliteBackend } from './sqlite-backend.js';
import { verifyStore } from './verify.js';

/** A small chunk size so that the suite's larger objects take the chunked path. */
const CHUNK = 256 * 1024;

function sqliteFixture(file: string) {
  const withDb = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    open: (o: { tmpSafeAgeMs?: number } = {}) => createSqliteBackend({ file, chunkSize: CHUNK, ...o }),
    corrupt: async (hex: string) =>
      withDb((db) => {
        const digest = `sha256:${hex}`;
        const blob = db.prepare('SELECT blob_id FROM studio_cas_blobs WHERE digest = ?').pluck().get(digest) as number | undefined;
        const flip = (b: Buffer): Buffer => {
          const c = Buffer.from(b);
          c[Math.floor(c.length / 2)]! ^= 0x01;
          return c;
        };
        if (blob === undefined) {
          const content = db.prepare('SELECT content FROM cas_objects WHERE digest = ?').pluck().get(digest) as Buffer;
          db.prepare('UPDATE cas_objects SET content = ? WHERE digest = ?').run(flip(content), digest);
        } else {
          const data = db.prepare('SELECT data FROM studio_cas_chunks WHERE blob_id = ? AND seq = 1').pluck().get(blob) as Buffer;
          db.prepare('UPDATE studio_cas_chunks SET data = ? WHERE blob_id = ? AND seq = 1').run(flip(data), blob);
        }
      }),
    tempCount: async () => withDb((db) => db.prepare('SELECT count(*) FROM studio_cas_blobs WHERE digest IS NULL').pluck().get() as number),
    damage: sqliteDamage(file, { metaApart: false }),
  };
}

casConformance('sqlite', async () => sqliteFixture(path.join(tempHome().home, 'storage', 'cas.db')));

describe('sqlite CAS: rows written by the Go foxctl', () => {
  function goStore(): { file: string; db: Database.Database } {
    const file = path.join(tempHome().home, 'cas.db');
    const db = new Database(file);
    // The Go tool's table, created before ours ever ran: objects inline in content.
    db.exec(`CREATE TABLE cas_objects (digest TEXT PRIMARY KEY, size INTEGER NOT NULL, kind TEXT NOT NULL, tags TEXT,
      pinned INTEGER NOT NULL DEFAULT 0, content BLOB NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
    return { file, db };
  }

  it('reads inline rows, verifies them, and keeps storing inline under a NOT NULL content column', async () => {
    const { file, db } = goStore();
    const data = Buffer.from('an object the Go tool stored inline');
    const d = digestBytes(data);
    db.prepare('INSERT INTO cas_objects VALUES (?, ?, ?, ?, 1, ?, ?, ?)').run(d, data.length, 'text/plain', '["go"]', data, '2024-01-02T03:04:05.123456789Z', '2024-01-02T03:04:05.123456789Z');
    const wrong = Buffer.from('tampered');
    const dw = digestBytes('original');
    db.prepare('INSERT INTO cas_objects VALUES (?, ?, ?, ?, 0, ?, ?, ?)').run(dw, wrong.length, 'text/plain', null, wrong, '2024-01-02T03:04:05Z', '2024-01-02T03:04:05Z');
    db.close();
    const store = new CasStore(createSqliteBackend({ file, chunkSize: 16 }));
    expect(await store.head(d)).toMatchObject({ kind: 'text/plain', tags: ['go'], pinned: true, created_at: '2024-01-02T03:04:05.123456789Z' });
    const got = await store.get(d);
    const chunks: Buffer[] = [];
    for await (const c of got.stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks)).toEqual(data);
    await expectCode(store.getToFile(dw, path.join(path.dirname(file), 'out')), 'CORRUPT', /corrupt/);
    expect((await verifyStore(store)).corrupt).toEqual([dw]);
    // A chunked put into the Go table: content is left empty, not NULL.
    const big = Buffer.alloc(100, 7);
    const r = await store.put(big, { tags: ['new'] });
    expect(r.size_bytes).toBe(100);
    const again = await store.put(data, { tags: ['more'] });
    expect(again).toMatchObject({ existed: true, tags: ['go', 'more'] });
    await store.close();
  });

  it('a file that is not SQLite is refused untouched with a clear error', async () => {
    const file = path.join(tempHome().home, 'cas.db');
    (await import('node:fs')).writeFileSync(file, 'not a database at all, just text that is long enough to look like something '.repeat(3));
    const store = new CasStore(createSqliteBackend({ file }));
    await expectCode(store.list(), 'CORRUPT', /not a SQLite database/);
  });
});
