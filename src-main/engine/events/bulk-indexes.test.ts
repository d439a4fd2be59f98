// The bulk drain: a large backlog goes in without the viewer's indexes, which are built at the
// end; stopped, killed (a real process, SIGKILL) or raced by another syncer, no row is lost and
// the indexes come back.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { StoreConnections } from '../db/connections.js';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';
import { VIEWER_INDEXES, missingViewerIndexes } from './bulk-indexes.js';
import { DEFAULT_STREAM, eventsDir, streamFileName } from './streams.js';
import { EventSyncer, type SyncerOptions } from './syncer.js';
import { buildChild, exited, waitForOutput, type ChildProgram } from './testing/build-child.js';

let child: ChildProgram;
beforeAll(async () => {
  child = await buildChild();
}, 60_000);
afterAll(() => child?.cleanup());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Lines in time order, with sessions and traces all over (what makes the indexes costly). */
function lines(from: number, n: number): string {
  let text = '';
  for (let i = from; i < from + n; i++) {
    const ts = new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString().replace('Z', '000000Z');
    text += `${JSON.stringify({ ts, trace_id: `t${(i * 7919) % 1009}`, span_id: `bulk-${i}`, operation: `op.${i % 5}`, status: i % 17 === 0 ? 'error' : 'ok', data: { session_id: `s${(i * 31) % 97}` }, duration_ms: i % 50, message: `line ${i}` })}\n`;
  }
  return text;
}

/** A syncer over a temp home's events.db, with the bulk threshold at 1 KiB. */
function setup(extra: Partial<SyncerOptions> = {}): { syncer: EventSyncer; db: () => Database.Database; file: string; stores: StoreConnections; env: Record<string, string | undefined> } {
  const env = tempHome().env();
  const config = resolveConfig({ env });
  const stores = new StoreConnections(config);
  const db = (): Database.Database => stores.get('EVENTS');
  const dir = eventsDir(config);
  fs.mkdirSync(dir, { recursive: true });
  const syncer = new EventSyncer({ dir, defaultFile: streamFileName(DEFAULT_STREAM), db, intervalMs: 1000, batch: 100, bulkMinBytes: 1024, ...extra });
  return { syncer, db, file: path.join(dir, streamFileName(DEFAULT_STREAM)), stores, env };
}

/** The CREATE statements of events.db's indexes, by name. */
function indexSql(db: Database.Database): Record<string, string> {
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all() as { name: string; sql: string }[];
  return Object.fromEntries(rows.map((r) => [r.name, r.sql]));
}

describe('events bulk drain', () => {
  it('drains a backlog that outgrows the table without the viewer indexes, which sqlite3 can query meanwhile, and builds them the same at the end', async () => {
    const { syncer, db, file, stores } = setup();
    const reference = setup({ bulkMinBytes: Number.MAX_SAFE_INTEGER });
    try {
      fs.writeFileSync(file, lines(0, 3000));
      fs.writeFileSync(reference.file, lines(0, 3000));
      const during: number[] = [];
      const seen: string[] = [];
      const r = await syncer.syncNow({
        onProgress: (_d, _t, f) => {
          seen.push(f);
          during.push(missingViewerIndexes(db()).length);
          if (during.length === 5) {
            // Another process reads the table while the indexes are away (the rows of the batches
            // committed so far): correct, only slower.
            const q = spawnSync('sqlite3', [db().name, `SELECT count(*) FROM foxcular_events WHERE operation = 'op.3'`], { encoding: 'utf8' });
            expect(q.stderr).toBe('');
            expect(Number(q.stdout.trim())).toBeGreaterThan(0);
          }
        },
      });
      expect(r).toMatchObject({ inserted: 3000, duplicates: 0, rejected: 0 });
      expect(during.slice(0, 2)).toEqual([VIEWER_INDEXES.length, VIEWER_INDEXES.length]);
      expect(seen.filter((f) => f.startsWith('events.db: index')).length).toBe(VIEWER_INDEXES.length);
      // Built at the end, the same statements as the migrations make; the lease is given back.
      await reference.syncer.syncNow();
      expect(indexSql(db())).toEqual(indexSql(reference.db()));
      expect(Object.keys(indexSql(db()))).toEqual(expect.arrayContaining(VIEWER_INDEXES.map((i) => i.name)));
      expect(db().prepare("SELECT count(*) FROM studio_event_meta WHERE key = 'bulk_index_lease_until'").pluck().get()).toBe(0);
      expect(db().prepare('SELECT count(*) FROM foxcular_events').pluck().get()).toBe(3000);
      expect(db().prepare("SELECT count(*) FROM studio_events_fts WHERE studio_events_fts MATCH 'line'").pluck().get()).toBe(3000);

      // A backlog smaller than the table goes in with the indexes in place: the schema never changes.
      const version = db().pragma('schema_version', { simple: true });
      fs.appendFileSync(file, lines(3000, 500));
      expect(await syncer.syncNow()).toMatchObject({ inserted: 500 });
      expect(db().pragma('schema_version', { simple: true })).toBe(version);
    } finally {
      stores.closeAll();
      reference.stores.closeAll();
    }
  });

  it('a drain stopped mid-way gives its lease back, and the next pass finishes the rows and builds the indexes', async () => {
    const { syncer, db, file, stores } = setup();
    try {
      fs.writeFileSync(file, lines(0, 3000));
      const stop = new AbortController();
      let reports = 0;
      const err = await syncer
        .syncNow({
          signal: stop.signal,
          onProgress: () => {
            if (++reports === 3) stop.abort();
          },
        })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(isFoxError(err, 'CANCELED')).toBe(true);
      const kept = db().prepare('SELECT count(*) FROM foxcular_events').pluck().get() as number;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(3000);
      expect(missingViewerIndexes(db())).toHaveLength(VIEWER_INDEXES.length);
      expect(db().prepare("SELECT count(*) FROM studio_event_meta WHERE key = 'bulk_index_lease_until'").pluck().get()).toBe(0);
      // The next pass drains the rest (in bulk again: it still outgrows the table) and builds them.
      const r = await syncer.syncNow();
      expect(r.inserted + kept).toBe(3000);
      expect(missingViewerIndexes(db())).toEqual([]);
      expect(db().prepare('SELECT count(DISTINCT span_id) FROM foxcular_events').pluck().get()).toBe(3000);
    } finally {
      stores.closeAll();
    }
  });

  it('kill -9 mid-drain: another syncer waits out the live lease, then builds the indexes; no row lost or doubled', { timeout: 120_000 }, async () => {
    const { syncer, db, file, stores, env } = setup();
    try {
      fs.writeFileSync(file, lines(0, 60_000));
      const proc = child.spawn(['sync-loop'], { ...env, FOXCTL_TEST_BULK_MIN_BYTES: '1024', FOXCTL_TEST_BULK_LEASE_MS: '3000' });
      await waitForOutput(proc, 'ready');
      // Killed once it has dropped the indexes and committed some rows, before it built them.
      const watch = new Database(db().name, { readonly: true });
      let rows = 0;
      try {
        for (let i = 0; i < 2000; i++) {
          rows = watch.prepare('SELECT count(*) FROM foxcular_events').pluck().get() as number;
          if (rows > 0 && missingViewerIndexes(watch).length === VIEWER_INDEXES.length) break;
          await sleep(5);
        }
      } finally {
        watch.close();
      }
      proc.kill('SIGKILL');
      await exited(proc);
      expect(proc.signalCode).toBe('SIGKILL');
      expect(rows).toBeGreaterThan(0);
      expect(rows).toBeLessThan(60_000);
      // The dead drain's lease is still live: this syncer neither drains in bulk nor builds the indexes.
      const version = db().pragma('schema_version', { simple: true });
      await syncer.syncNow();
      expect(missingViewerIndexes(db())).toHaveLength(VIEWER_INDEXES.length);
      expect(db().pragma('schema_version', { simple: true })).toBe(version);
      // Once it runs out, the next pass builds them.
      await sleep(3100);
      await syncer.syncNow();
      expect(missingViewerIndexes(db())).toEqual([]);
      expect(db().prepare('SELECT count(*), count(DISTINCT span_id) FROM foxcular_events').raw().get()).toEqual([60_000, 60_000]);
      expect(db().pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      stores.closeAll();
    }
  });
});
