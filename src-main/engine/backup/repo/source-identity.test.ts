import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/temp-home.js';
import { makeAccountsDb } from '../test-fixtures.js';
import { fineMtimes, racilyClean, sameFile, sourceIdentity } from './source-identity.js';
import type { SnapshotEntry } from './snapshot-file.js';

/** A snapshot entry that only carries a source id (what racilyClean reads). */
function entryOf(sourceId: string): SnapshotEntry {
  return { path: 'storage/memory.db', component: 'databases', store: 'MEMORY', kind: 'sqlite', mode: 0o644, mtime: '', size: 0, sha256: '', content: [], source_id: sourceId };
}

/** Sets a file's mtime to `ms` since the epoch (fractional ms keep their µs). */
function setMtime(file: string, ms: number): void {
  fs.utimesSync(file, ms / 1000, ms / 1000);
}

describe('source identity', () => {
  it('an empty -wal is the same as none (our own reader creates one), a -wal with frames is not', () => {
    const th = tempHome();
    const db = path.join(th.home, 'memory.db');
    makeAccountsDb(db);
    expect(fs.existsSync(`${db}-wal`)).toBe(false);
    const none = sourceIdentity(db, 'sqlite')!;
    fs.writeFileSync(`${db}-wal`, '');
    const empty = sourceIdentity(db, 'sqlite')!;
    expect(sameFile(none, empty)).toBe(true);
    fs.writeFileSync(`${db}-wal`, Buffer.alloc(4096 + 32, 1));
    expect(sameFile(none, sourceIdentity(db, 'sqlite')!)).toBe(false);
    // A file that is not a database has no -wal part at all.
    expect(sourceIdentity(db, 'file')).not.toContain('wal');
  });

  it('a file changed well over a clock tick before it was read is trusted on a local file system with fine timestamps; coarse or recent times are not', () => {
    const th = tempHome();
    const file = path.join(th.home, 'log.ndjson');
    fs.writeFileSync(file, 'x\n');
    const now = Date.now();
    // Half a second ago, with sub-millisecond digits: only a file system that stores fine
    // timestamps could have written it, and no write after the read can share it.
    setMtime(file, now - 500.123);
    const fine = fineMtimes(file);
    expect(fine).toBe(process.platform === 'linux');
    expect(racilyClean(entryOf(sourceIdentity(file, 'file')!), file)).toBe(!fine);
    // A whole second within the last 2 s looks like a coarse (FAT, 1 s) time: read again.
    setMtime(file, Math.floor(now / 1000) * 1000 - 1000);
    expect(racilyClean(entryOf(sourceIdentity(file, 'file')!), file)).toBe(true);
    // Changed 50 ms before the read, or "in the future" (a clock step): read again.
    setMtime(file, Date.now() - 50.123);
    expect(racilyClean(entryOf(sourceIdentity(file, 'file')!), file)).toBe(true);
    setMtime(file, Date.now() + 60_000.123);
    expect(racilyClean(entryOf(sourceIdentity(file, 'file')!), file)).toBe(true);
    // Three seconds ago, even on a whole second: trusted everywhere.
    setMtime(file, Math.floor(now / 1000) * 1000 - 3000);
    expect(racilyClean(entryOf(sourceIdentity(file, 'file')!), file)).toBe(false);
    // No source id: never trusted.
    expect(racilyClean({ ...entryOf(''), source_id: undefined }, file)).toBe(true);
  });

  it('a database with a -wal changed just now is racily clean even when the main file is old', () => {
    const th = tempHome();
    const db = path.join(th.home, 'memory.db');
    makeAccountsDb(db);
    setMtime(db, Date.now() - 10_000.5);
    fs.writeFileSync(`${db}-wal`, Buffer.alloc(4096 + 32, 1));
    expect(racilyClean(entryOf(sourceIdentity(db, 'sqlite')!), db)).toBe(true);
    setMtime(`${db}-wal`, Date.now() - 10_000.5);
    expect(racilyClean(entryOf(sourceIdentity(db, 'sqlite')!), db)).toBe(false);
  });
});
