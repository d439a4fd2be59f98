import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventRecord, TraceTreeOutput } from '../../src-preload/contract.js';
import { openEngine, type Engine } from '../engine/engine.js';
import { bulkInsertSeed } from '../engine/events/seed.js';
import { tempHome } from '../test/temp-home.js';
import { ApiDispatcher } from './dispatch.js';
import { createHandlers } from './handlers.js';
import { failure, value } from '../test/bridge-result.js';

const END = Date.parse('2026-11-27T00:00:00Z');
const origin = { scope: 'test' };
const open: Engine[] = [];

function setup(seed = 0): { api: ApiDispatcher; engine: Engine; dir: string } {
  const home = tempHome();
  const engine = openEngine({ env: home.env() });
  open.push(engine);
  if (seed > 0) bulkInsertSeed(engine.stores.get('EVENTS'), { count: seed, endMs: END, spanMs: 86_400_000, seed: 3 });
  return { api: new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' })), engine, dir: engine.config.home };
}

afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

/** Creates an events.db the way an older Go build did: the same columns in `wide_events`, no index of ours. */
function goWideEventsDb(file: string, rows: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE wide_events (id INTEGER PRIMARY KEY AUTOINCREMENT, span_id TEXT NOT NULL UNIQUE, trace_id TEXT NOT NULL, parent_id TEXT,
    ts TEXT NOT NULL, service TEXT NOT NULL, version TEXT, component TEXT, operation TEXT NOT NULL, command TEXT, subtype TEXT, session_id TEXT,
    agent_id TEXT, workspace_id TEXT, job_id TEXT, status TEXT NOT NULL, duration_ms INTEGER, error_type TEXT, error_code TEXT, error_message TEXT,
    retriable INTEGER, data TEXT, created_at TEXT DEFAULT (datetime('now')))`);
  const ins = db.prepare('INSERT INTO wide_events (span_id, trace_id, parent_id, ts, service, operation, command, status, duration_ms, error_message, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const ts = new Date(END - (rows - i) * 1000).toISOString().replace('Z', '000000Z');
      ins.run(`span-${i}`, `trace-${Math.floor(i / 3)}`, i % 3 === 0 ? null : `span-${i - (i % 3)}`, ts, 'legacy', i % 3 === 0 ? 'cli.command' : 'db.query', 'run', i % 5 === 0 ? 'error' : 'ok', 10 + i, i % 5 === 0 ? 'legacy timeout' : null, JSON.stringify({ message: `legacy event ${i}` }));
    }
  })();
  db.close();
}

describe('events calls', () => {
  it('pages, counts and facets through the bridge agree with plain SQL', async () => {
    const { api, engine } = setup(3000);
    const filter = { status: 'error', since: '2026-11-26T06:00:00Z', until: '2026-11-26T18:00:00Z' };
    const raw = engine.stores.get('EVENTS');
    const expected = (raw.prepare("SELECT count(*) AS n FROM foxcular_events WHERE status = 'error' AND ts >= '2026-11-26T06:00:00' AND ts < '2026-11-26T18:00:00'").get() as { n: number }).n;
    expect(expected).toBeGreaterThan(5);
    expect(value<{ count: number }>(await api.invoke('events.count', { filter }, origin)).count).toBe(expected);
    const seen = new Set<number>();
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = value<{ rows: EventRecord[]; next_cursor: string | null }>(await api.invoke('events.query', { filter, limit: 7, ...(cursor ? { cursor } : {}) }, origin));
      for (const r of page.rows) {
        expect(r.status).toBe('error');
        expect(seen.has(r.id)).toBe(false);
        seen.add(r.id);
      }
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    expect(seen.size).toBe(expected);
    const facets = value<{ field: string; values: { value: string | null; count: number }[] }[]>(await api.invoke('events.facets', { filter, fields: ['status', 'operation'], top: 50 }, origin));
    expect(facets[0]!.values).toEqual([{ value: 'error', count: expected }]);
    expect(facets[1]!.values.reduce((s, v) => s + v.count, 0)).toBe(expected);
    const hist = value<{ count: number; errors: number }[]>(await api.invoke('events.histogram', { filter, buckets: 12 }, origin));
    expect(hist).toHaveLength(12);
    expect(hist.reduce((s, b) => s + b.count, 0)).toBe(expected);
  });

  it('refuses a bad time range, an unknown facet and an unknown filter field with clear messages', async () => {
    const { api } = setup(50);
    const range = failure(await api.invoke('events.count', { filter: { since: '2026-11-27T00:00:00Z', until: '2026-11-26T00:00:00Z' } }, origin));
    expect(range.code).toBe('INVALID_INPUT');
    expect(range.message).toMatch(/since .* must be before until/);
    const when = failure(await api.invoke('events.query', { filter: { since: 'yesterday-ish' } }, origin));
    expect(when.message).toContain('"yesterday-ish" is neither an RFC 3339 time');
    const facet = failure(await api.invoke('events.facets', { fields: ['colour'] }, origin));
    expect(facet.code).toBe('INVALID_INPUT');
    expect(facet.message).toContain('cannot facet on "colour"');
    const field = failure(await api.invoke('events.query', { filter: { colour: 'red' } }, origin));
    expect(field.code).toBe('INVALID_INPUT');
    expect(field.message).toContain('colour');
    const status = failure(await api.invoke('events.count', { filter: { status: 'failed' } }, origin));
    expect(status.message).toContain('status must be one of ok, error, canceled');
  });

  it('returns a trace as a tree through the contract', async () => {
    const { api, engine } = setup(400);
    const traceId = (engine.stores.get('EVENTS').prepare("SELECT trace_id FROM foxcular_events WHERE parent_id IS NOT NULL LIMIT 1").get() as { trace_id: string }).trace_id;
    const t = value<TraceTreeOutput>(await api.invoke('events.trace', { traceId }, origin));
    expect(t.trace_id).toBe(traceId);
    expect(t.roots).toHaveLength(1);
    expect(t.roots[0]!.children.length).toBeGreaterThan(0);
    expect(t.roots[0]!.children[0]!.depth).toBe(1);
    expect(failure(await api.invoke('events.trace', { traceId: 'no-such-trace' }, origin)).code).toBe('NOT_FOUND');
  });

  it('opens another events.db read-only (wide_events) without blocking its writer, and refuses what is not one', async () => {
    const { api, dir } = setup();
    const file = path.join(dir, 'legacy-events.db');
    goWideEventsDb(file, 30);
    // A writer in the middle of a transaction: the read-only open must neither fail nor block it.
    const writer = new Database(file);
    writer.exec('BEGIN IMMEDIATE');
    writer.prepare("INSERT INTO wide_events (span_id, trace_id, ts, service, operation, status) VALUES ('w1', 'tw', '2026-11-27T00:00:00.000000000Z', 'x', 'late', 'ok')").run();
    const src = value<{ source: string; table: string; fts: boolean; events: number }>(await api.invoke('events.open', { path: file }, origin));
    expect(src).toMatchObject({ table: 'wide_events', fts: false, events: 30 });
    writer.exec('COMMIT');
    writer.close();
    const errors = value<{ count: number }>(await api.invoke('events.count', { filter: { status: 'error' }, source: src.source }, origin));
    expect(errors.count).toBe(6);
    const page = value<{ rows: EventRecord[] }>(await api.invoke('events.query', { filter: { text: 'timeout' }, limit: 100, source: src.source }, origin));
    expect(page.rows).toHaveLength(6);
    const t = value<TraceTreeOutput>(await api.invoke('events.trace', { traceId: 'trace-2', source: src.source }, origin));
    expect(t.spans).toBe(3);
    expect(value<{ closed: boolean }>(await api.invoke('events.close', { source: src.source }, origin)).closed).toBe(true);
    expect(failure(await api.invoke('events.count', { source: src.source }, origin)).code).toBe('NOT_FOUND');

    const text = path.join(dir, 'notes.db');
    fs.writeFileSync(text, 'these are not the rows you are looking for\n');
    const notDb = failure(await api.invoke('events.open', { path: text }, origin));
    expect(notDb.code).toBe('INVALID_INPUT');
    expect(notDb.message).toContain('is not a SQLite database');
    expect(failure(await api.invoke('events.open', { path: path.join(dir, 'missing.db') }, origin)).code).toBe('NOT_FOUND');
    const other = path.join(dir, 'other.db');
    new Database(other).exec('CREATE TABLE t (x)');
    const noTable = failure(await api.invoke('events.open', { path: other }, origin));
    expect(noTable.message).toContain('has no events table');
    expect(failure(await api.invoke('events.open', { path: 'relative/events.db' }, origin)).message).toContain('absolute path');
  });

  it('lists NDJSON events not yet synced, and none once the syncer has run', async () => {
    const { api, engine } = setup();
    await engine.events.emit({ operation: 'pending.one', message: 'written, not synced' });
    await engine.events.emit({ operation: 'pending.two', status: 'error', error_message: 'boom' });
    const p = value<{ events: { file: string; event: { operation: string } }[]; pendingLines: number }>(await api.invoke('events.pending', {}, origin));
    expect(p.events.map((e) => e.event.operation)).toEqual(['pending.one', 'pending.two']);
    expect(p.events[0]!.file).toBe('foxcular_events.ndjson');
    expect(p.pendingLines).toBe(2);
    await engine.events.syncer.syncNow();
    const after = value<{ events: unknown[]; pendingLines: number }>(await api.invoke('events.pending', {}, origin));
    expect(after).toMatchObject({ events: [], pendingLines: 0 });
    expect(value<{ count: number }>(await api.invoke('events.count', { filter: { operation: ['pending.one', 'pending.two'] } }, origin)).count).toBe(2);
  });
});
