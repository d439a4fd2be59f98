import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine.js';
import { runCliInProcess } from '../../test/cli-runner.js';
import { writeGoFileCas, writeGoSqliteCas } from '../../test/go-home/cas-place.js';
import { tempHome } from '../../test/temp-home.js';
import { casLocations } from './locations.js';
import { startCasMigrate } from './migrate.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  process.exitCode = 0;
});

/** A home where the Go components filled storage/cas.db and the Go cas CLI filled cas/. */
function goHome(): { home: string; env: Record<string, string | undefined>; sqliteDigests: string[]; fileDigests: string[]; casDb: string } {
  const h = tempHome();
  const casDb = path.join(h.home, 'storage', 'cas.db');
  const sqliteDigests = writeGoSqliteCas(casDb, [
    { content: Buffer.from('turn 1 full content'), kind: 'text/plain', tags: ['turn', 'agent'] },
    { content: Buffer.from('{"board":[1,2,3]}'), kind: 'application/json', pinned: true },
    { content: Buffer.from('shared object') },
  ]);
  const fileDigests = writeGoFileCas(path.join(h.home, 'cas'), [{ content: Buffer.from('shared object') }, { content: Buffer.from('cli put'), tags: ['cli'] }]);
  return { home: h.home, env: h.env() as Record<string, string | undefined>, sqliteDigests, fileDigests, casDb };
}

function tables(file: string): string {
  return spawnSync('/usr/bin/sqlite3', [file, "SELECT name FROM sqlite_master ORDER BY name"], { encoding: 'utf8' }).stdout;
}

describe('where the CAS lives', () => {
  it('shows the Go sqlite cas.db beside the file store, reading it without changing it', async () => {
    const g = goHome();
    const before = tables(g.casDb);
    const e = openEngine({ env: g.env });
    engines.push(e);
    const locs = await casLocations(e);
    const file = locs.find((l) => l.backend === 'file' && l.location === path.join(g.home, 'cas'));
    const sqlite = locs.find((l) => l.backend === 'sqlite' && l.location === g.casDb);
    expect(file).toMatchObject({ active: true, exists: true, objects: 2, bytes: 'shared object'.length + 'cli put'.length, error: null });
    expect(file?.used_by.join(' ')).toMatch(/Go foxctl cas CLI/);
    // 'shared object' is in both: a merge would copy the other two.
    expect(sqlite).toMatchObject({ active: false, exists: true, objects: 3, pinned: 1, pinned_bytes: '{"board":[1,2,3]}'.length, error: null, pending: 2 });
    expect(sqlite?.used_by.join(' ')).toMatch(/Go components/);
    expect(tables(g.casDb)).toBe(before);
  });

  it('creates nothing where nothing is, and honours FOXCTL_CAS_DB_PATH and FOXCTL_CAS_PATH as Go reads them', async () => {
    const h = tempHome();
    const elsewhere = path.join(h.home, 'go-cas');
    const e = openEngine({ env: h.env({ FOXCTL_CAS_DB_PATH: 'x/cas.db', FOXCTL_CAS_PATH: elsewhere }) });
    engines.push(e);
    const locs = await casLocations(e);
    expect(locs.find((l) => l.location === path.join(h.home, 'x', 'cas.db'))).toMatchObject({ backend: 'sqlite', exists: false, objects: 0 });
    expect(locs.find((l) => l.location === elsewhere)).toMatchObject({ backend: 'file', exists: false, objects: 0 });
    expect(fs.existsSync(path.join(h.home, 'x'))).toBe(false);
    expect(fs.existsSync(elsewhere)).toBe(false);
  });

  it('merges the Go cas.db into the file store: re-hashed, pins kept, idempotent, the source untouched', async () => {
    const g = goHome();
    const e = openEngine({ env: g.env });
    engines.push(e);
    const r = await startCasMigrate(e, 'file', { from: g.casDb }).done;
    expect(r).toMatchObject({ objects_migrated: 2, objects_skipped: 1, errors: 0 });
    for (const d of g.sqliteDigests) expect((await e.cas.head(d)).digest).toBe(d);
    expect((await e.cas.head(g.sqliteDigests[1]!)).pinned).toBe(true);
    // Readable where the Go cas CLI looks: bytes and a pin file under paths.cas.
    expect(fs.readFileSync(path.join(g.home, 'cas', 'sha256', g.sqliteDigests[0]!.slice(7)), 'utf8')).toBe('turn 1 full content');
    expect(fs.existsSync(path.join(g.home, 'cas', 'pins', g.sqliteDigests[1]!.slice(7)))).toBe(true);
    // Tags Go bound as BLOB (json.Marshal bytes) come across, sorted as Go's mergeTags sorts them.
    expect(await e.cas.head(g.sqliteDigests[0]!)).toMatchObject({ kind: 'text/plain', tags: ['agent', 'turn'] });
    expect((await casLocations(e)).find((l) => l.location === g.casDb)?.pending).toBe(0);
    const again = await startCasMigrate(e, 'file', { from: g.casDb }).done;
    expect(again).toMatchObject({ objects_migrated: 0, objects_skipped: 3, errors: 0 });
    const count = spawnSync('/usr/bin/sqlite3', [g.casDb, 'SELECT COUNT(*) FROM cas_objects'], { encoding: 'utf8' }).stdout.trim();
    expect(count).toBe('3');
    // The other way round too: the file store's own object goes into cas.db, whole in `content` for Go's Get.
    const back = await startCasMigrate(e, g.casDb).done;
    expect(back).toMatchObject({ objects_migrated: 1, errors: 0 });
    const hex = spawnSync('/usr/bin/sqlite3', [g.casDb, `SELECT hex(content) FROM cas_objects WHERE digest = '${g.fileDigests[1]}'`], { encoding: 'utf8' }).stdout.trim();
    expect(Buffer.from(hex, 'hex').toString()).toBe('cli put');
  });

  it('refuses a damaged Go row (content not matching its digest) and files nothing for it', async () => {
    const h = tempHome();
    const casDb = path.join(h.home, 'storage', 'cas.db');
    const [bad, good] = writeGoSqliteCas(casDb, [{ content: Buffer.from('original'), storedContent: Buffer.from('tampered') }, { content: Buffer.from('fine') }]);
    const e = openEngine({ env: h.env() });
    engines.push(e);
    const r = await startCasMigrate(e, 'file', { from: casDb }).done;
    expect(r.objects_migrated).toBe(1);
    expect(r.failures).toEqual([expect.objectContaining({ digest: bad, code: 'CORRUPT' })]);
    expect((await buffer((await e.cas.get(good!)).stream)).toString()).toBe('fine');
    expect(fs.existsSync(path.join(h.home, 'cas', 'sha256', bad!.slice(7)))).toBe(false);
  });

  it('cas stats lists both places and the command that merges them', async () => {
    const g = goHome();
    const r = await runCliInProcess(g.home, ['cas', 'stats']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('objects of this home are in more than one place');
    expect(r.stdout).toContain(g.casDb);
    expect(r.stdout).toContain(`foxctl cas migrate --from ${g.casDb} --to ${path.join(g.home, 'cas')}`);
    const j = await runCliInProcess(g.home, ['cas', 'stats', '--json']);
    const data = JSON.parse(j.stdout).data as { objects: number; locations: { backend: string; objects: number }[] };
    expect(data.objects).toBe(2);
    expect(data.locations.filter((l) => l.objects > 0).map((l) => [l.backend, l.objects])).toEqual([
      ['file', 2],
      ['sqlite', 3],
    ]);
  });
});
