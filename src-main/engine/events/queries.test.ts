import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine.js';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';
import type { EventFilter } from './filter.js';
import type { EventRecord } from './queries.js';
import { bulkInsertSeed } from './seed.js';
import type { TraceNode } from './trace-tree.js';
import { TS_KEY } from './ts-key.js';

const END = Date.parse('2026-11-27T00:00:00Z');

function seeded(count = 4000): Engine {
  const home = tempHome();
  const engine = openEngine({ env: home.env() });
  bulkInsertSeed(engine.stores.get('EVENTS'), { count, endMs: END, spanMs: 86_400_000, seed: 7 });
  return engine;
}

async function allPages(engine: Engine, filter: EventFilter, limit: number, order: 'asc' | 'desc' = 'desc'): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10_000; i++) {
    const page = await engine.events.query(filter, { limit, cursor, order });
    out.push(...page.rows);
    if (!page.next_cursor) return out;
    cursor = page.next_cursor;
  }
  throw new Error('pagination did not end');
}

const rows = (engine: Engine, where: string, ...params: unknown[]): { id: number }[] =>
  engine.stores.get('EVENTS').prepare(`SELECT id FROM foxcular_events WHERE ${where} ORDER BY ts DESC, id DESC`).all(...params) as { id: number }[];

describe('events queries', () => {
  it('pages through every matching row exactly once, newest first, with ties on ts broken by id', async () => {
    const engine = seeded();
    // Rows sharing one timestamp across a page boundary.
    await engine.events.emitMany(Array.from({ length: 7 }, (_, i) => ({ operation: 'tie', span_id: `tie-${i}`, ts: '2026-11-26T12:00:00Z' })), { persist: 'sql' });
    for (const [filter, where, params] of [
      [{}, '1', []],
      [{ operation: 'db.query' }, 'operation = ?', ['db.query']],
      [{ status: 'error' }, "status = 'error'", []],
      [{ operation: 'tie' }, "operation = 'tie'", []],
      [{ since: '2026-11-26T06:00:00Z', until: '2026-11-26T12:00:00Z' }, 'ts >= ? AND ts < ?', ['2026-11-26T06:00:00.000000000Z', '2026-11-26T12:00:00.000000000Z']],
    ] as [EventFilter, string, unknown[]][]) {
      const got = await allPages(engine, filter, 3);
      expect(got.map((r) => r.id), JSON.stringify(filter)).toEqual(rows(engine, where, ...params).map((r) => r.id));
    }
    const window = { since: '2026-11-26T06:00:00Z', until: '2026-11-26T12:00:00Z' };
    const ascWindow = await allPages(engine, window, 7, 'asc');
    expect(ascWindow.map((r) => r.id)).toEqual(rows(engine, 'ts >= ? AND ts < ?', '2026-11-26T06:00:00.000000000Z', '2026-11-26T12:00:00.000000000Z').map((r) => r.id).reverse());
    const asc = await allPages(engine, { operation: 'tie' }, 2, 'asc');
    expect(asc.map((r) => r.span_id)).toEqual(['tie-0', 'tie-1', 'tie-2', 'tie-3', 'tie-4', 'tie-5', 'tie-6']);
    await engine.close();
  });

  it('jumps to any offset of a result: the same rows the keyset pages hold there, in every order, and goes on by keyset', async () => {
    const engine = seeded(1500);
    const walk = async (filter: EventFilter, opts: { order?: 'asc' | 'desc'; sort?: 'time' | 'duration' }): Promise<number[]> => {
      const out: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await engine.events.query(filter, { limit: 97, cursor, ...opts });
        out.push(...page.rows.map((r) => r.id));
        cursor = page.next_cursor;
      } while (cursor);
      return out;
    };
    for (const [filter, opts] of [
      [{}, {}],
      [{}, { order: 'asc' }],
      [{ status: 'error' }, {}],
      [{}, { sort: 'duration' }],
      [{}, { sort: 'duration', order: 'asc' }],
      [{ text: 'timeout' }, {}],
    ] as [EventFilter, { order?: 'asc' | 'desc'; sort?: 'time' | 'duration' }][]) {
      const all = await walk(filter, opts);
      expect(all.length, JSON.stringify([filter, opts])).toBeGreaterThan(20);
      for (const at of [0, 1, Math.floor(all.length / 2), all.length - 3, all.length]) {
        const page = await engine.events.query(filter, { limit: 10, offset: at, ...opts });
        expect(page.rows.map((r) => r.id), `${JSON.stringify([filter, opts])} at ${at}`).toEqual(all.slice(at, at + 10));
        if (!page.next_cursor) continue;
        const next = await engine.events.query(filter, { limit: 10, cursor: page.next_cursor, ...opts });
        expect(next.rows.map((r) => r.id)).toEqual(all.slice(at + 10, at + 20));
      }
    }
    await expect(engine.events.query({}, { offset: -1 })).rejects.toThrow(/offset must be a whole number/);
    await expect(engine.events.query({}, { offset: 1.5 })).rejects.toThrow(/offset must be a whole number/);
    const first = await engine.events.query({}, { limit: 5 });
    await expect(engine.events.query({}, { offset: 5, cursor: first.next_cursor })).rejects.toThrow(/an offset or a cursor, not both/);
    await engine.close();
  });

  it('filters by time range, operation, status, command, session, agent, workspace, trace, duration', async () => {
    const engine = seeded();
    const sample = (await engine.events.query({ status: 'error' }, { limit: 1 })).rows[0]!;
    const cases: [EventFilter, string, unknown[]][] = [
      [{ since: '2026-11-26T12:00:00Z', until: '2026-11-26T18:00:00Z' }, 'ts >= ? AND ts < ?', ['2026-11-26T12:00:00.000000000Z', '2026-11-26T18:00:00.000000000Z']],
      [{ since: END - 3_600_000 }, 'ts >= ?', [new Date(END - 3_600_000).toISOString().replace('Z', '000000Z')]],
      [{ operation: 'llm.call', since: '2026-11-26T06:00:00Z' }, 'operation = ? AND ts >= ?', ['llm.call', '2026-11-26T06:00:00.000000000Z']],
      [{ operation: ['llm.call', 'tool.exec'] }, "operation IN ('llm.call', 'tool.exec')", []],
      [{ status: ['error', 'canceled'] }, "status IN ('error', 'canceled')", []],
      [{ command: sample.command! }, 'command = ?', [sample.command]],
      [{ session_id: sample.session_id! }, 'session_id = ?', [sample.session_id]],
      [{ agent_id: sample.agent_id! }, 'agent_id = ?', [sample.agent_id]],
      [{ workspace_id: sample.workspace_id!, status: 'error' }, "workspace_id = ? AND status = 'error'", [sample.workspace_id]],
      [{ trace_id: sample.trace_id }, 'trace_id = ?', [sample.trace_id]],
      [{ min_duration_ms: 5000 }, 'duration_ms >= 5000', []],
    ];
    for (const [filter, where, params] of cases) {
      const want = rows(engine, where, ...params);
      expect(want.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(await engine.events.count(filter), JSON.stringify(filter)).toBe(want.length);
      const page = await engine.events.query(filter, { limit: 50 });
      expect(page.rows.map((r) => r.id), JSON.stringify(filter)).toEqual(want.slice(0, 50).map((r) => r.id));
    }
    // A duration means "that long ago".
    expect(await engine.events.count({ since: '1h' })).toBe(0);
    await engine.close();
  });

  it('finds free text in messages and error fields through FTS5, whole words or word*, without operator injection', async () => {
    const engine = seeded();
    const like = (s: string): number => rows(engine, "lower(coalesce(error_message, '') || ' ' || coalesce(json_extract(data, '$.message'), '')) LIKE ?", `%${s}%`).length;
    expect(await engine.events.count({ text: 'timeout' })).toBe(like('timeout'));
    expect(await engine.events.count({ text: 'timeout' })).toBeGreaterThan(0);
    expect(await engine.events.count({ text: 'TIMEO*' })).toBe(like('timeout'));
    expect(await engine.events.count({ text: 'timeo' })).toBe(0); // whole words unless asked for a prefix
    expect(await engine.events.count({ text: 'cache hit' })).toBe(like('cache hit'));
    expect(await engine.events.count({ text: 'SQLITE_BUSY' })).toBe(rows(engine, "error_code = 'SQLITE_BUSY'").length);
    // FTS5 syntax in the input is searched for as words, never run as a query.
    expect(await engine.events.count({ text: 'timeout OR "cache' })).toBe(0);
    expect(await engine.events.count({ text: 'NEAR(rate limit)' })).toBe(0);
    const page = await engine.events.query({ text: 'rate limit', status: 'error' }, { limit: 5 });
    expect(page.rows.every((r) => /rate limit/.test(r.error_message ?? ''))).toBe(true);
    // Text pages come in ingest (id) order, each match exactly once, with other filters applied.
    for (const order of ['desc', 'asc'] as const) {
      const all = await allPages(engine, { text: 'timeout', status: 'error' }, 7, order);
      const want = rows(engine, "status = 'error' AND lower(coalesce(error_message, '') || ' ' || coalesce(json_extract(data, '$.message'), '')) LIKE '%timeout%'").map((r) => r.id).sort((a, b) => (order === 'desc' ? b - a : a - b));
      expect(all.map((r) => r.id)).toEqual(want);
    }
    const textPage = await engine.events.query({ text: 'timeout' }, { limit: 2 });
    await expect(engine.events.query({}, { cursor: textPage.next_cursor })).rejects.toThrow(/made for order "text-desc"/);
    await expect(engine.events.count({ text: '!!!' })).rejects.toThrow(/has no words/);
    // A row another tool inserted directly (no FTS entry) is searchable at once (a text query
    // first indexes what other writers added), and a deleted row leaves the index.
    const db = engine.stores.get('EVENTS');
    db.prepare("INSERT INTO foxcular_events (span_id, trace_id, ts, service, operation, status, error_message) VALUES ('go-1', 'go', '2026-11-26T00:00:00.000000000Z', 'foxctl', 'go.op', 'error', 'zanzibar failure')").run();
    expect((await engine.events.query({ text: 'zanzibar' })).rows.map((r) => r.span_id)).toEqual(['go-1']);
    await engine.events.emit({ operation: 'mine', span_id: 'mine-1', message: 'zanzibar too' }, { persist: 'sql' });
    expect(await engine.events.count({ text: 'zanzibar' })).toBe(2);
    db.prepare("DELETE FROM foxcular_events WHERE span_id = 'go-1'").run();
    expect((await engine.events.query({ text: 'zanzibar' })).rows.map((r) => r.span_id)).toEqual(['mine-1']);
    await engine.close();
  });

  it('uses an index for every viewer filter shape (never a full table scan)', () => {
    const engine = seeded(50);
    const db = engine.stores.get('EVENTS');
    const plan = (sql: string, ...p: unknown[]): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...p) as { detail: string }[]).map((r) => r.detail).join(' | ');
    const page = `ORDER BY ${TS_KEY} DESC, id DESC LIMIT 101`;
    const k = `AND (${TS_KEY}, id) < ('2026-11-27', 999999)`;
    expect(plan(`SELECT * FROM foxcular_events WHERE ${TS_KEY} >= ? AND ${TS_KEY} < ? ${k} ${page}`, 'a', 'b')).toMatch(/USING INDEX studio_events_tk/);
    expect(plan(`SELECT * FROM foxcular_events WHERE operation = ? AND ${TS_KEY} >= ? ${k} ${page}`, 'a', 'b')).toMatch(/USING INDEX studio_events_operation_tk/);
    expect(plan(`SELECT * FROM foxcular_events WHERE status = ? AND status <> 'ok' ${k} ${page}`, 'error')).toMatch(/USING INDEX studio_events_failed/);
    expect(plan(`SELECT * FROM foxcular_events WHERE trace_id = ? ${page}`, 't')).toMatch(/USING INDEX studio_events_trace/);
    expect(plan(`SELECT * FROM foxcular_events WHERE session_id = ? ${k} ${page}`, 's')).toMatch(/USING INDEX studio_events_session/);
    // Text: FTS5 drives in rowid order and the LIMIT stops it; no sort of all matches.
    const text = plan(
      "SELECT e.* FROM studio_events_fts f JOIN foxcular_events e ON e.id = f.rowid WHERE studio_events_fts MATCH ? AND f.rowid < ? AND status = ? ORDER BY f.rowid DESC LIMIT 101",
      '"x"*', 5, 'error',
    );
    expect(text).toMatch(/SCAN f VIRTUAL TABLE INDEX/);
    expect(text).not.toMatch(/TEMP B-TREE/);
    return engine.close();
  });

  it('counts per time bucket with errors, and top facets', async () => {
    const engine = seeded();
    const total = await engine.events.count();
    const errors = await engine.events.count({ status: 'error' });
    const h = await engine.events.histogram({}, { buckets: 24 });
    expect(h).toHaveLength(24);
    expect(h.reduce((s, b) => s + b.count, 0)).toBe(total);
    expect(h.reduce((s, b) => s + b.errors, 0)).toBe(errors);
    expect(h.every((b, i) => i === 0 || b.start === h[i - 1]!.end)).toBe(true);
    const ranged = await engine.events.histogram({ since: '2026-11-26T00:00:00Z', until: '2026-11-26T12:00:00Z' }, { buckets: 12 });
    expect(ranged[0]!.start).toBe('2026-11-26T00:00:00.000000000Z');
    expect(ranged[11]!.end).toBe('2026-11-26T12:00:00.000000000Z');
    expect(ranged.reduce((s, b) => s + b.count, 0)).toBe(await engine.events.count({ since: '2026-11-26T00:00:00Z', until: '2026-11-26T12:00:00Z' }));
    for (const f of [{ text: 'timeout' }, { operation: 'llm.call', since: '2026-11-26T03:00:00Z' }, { status: 'error' as const }]) {
      const hf = await engine.events.histogram(f, { buckets: 7 });
      expect(hf.reduce((s, b) => s + b.count, 0), JSON.stringify(f)).toBe(await engine.events.count(f));
      expect(hf.reduce((s, b) => s + b.errors, 0), JSON.stringify(f)).toBe(await engine.events.count({ ...f, status: 'error' }));
    }
    const facets = await engine.events.facets({}, { top: 3 });
    expect(facets.map((f) => f.field)).toEqual(['operation', 'status', 'command']);
    const db = engine.stores.get('EVENTS');
    expect(facets[0]!.values).toEqual(db.prepare('SELECT operation AS value, count(*) AS count FROM foxcular_events GROUP BY operation ORDER BY count DESC, value LIMIT 3').all());
    expect(facets[1]!.values.find((v) => v.value === 'error')?.count).toBe(errors);
    // status is counted from the partial index plus a total: it must agree with a plain GROUP BY.
    expect(facets[1]!.values).toEqual(db.prepare('SELECT status AS value, count(*) AS count FROM foxcular_events GROUP BY status ORDER BY count DESC, value LIMIT 3').all());
    const scoped = await engine.events.facets({ operation: 'llm.call' }, { fields: ['status'] });
    expect(scoped[0]!.values).toEqual(db.prepare("SELECT status AS value, count(*) AS count FROM foxcular_events WHERE operation = 'llm.call' GROUP BY status ORDER BY count DESC, value").all());
    await expect(engine.events.facets({}, { fields: ['data'] })).rejects.toThrow(/cannot facet on "data"/);
    expect(await engine.events.histogram({ operation: 'nothing' })).toEqual([]);
    await engine.close();
  });

  it('returns a trace as a tree in time order, orphans and cycles as roots', async () => {
    const engine = seeded();
    const root = (await engine.events.query({ operation: 'cli.command' }, { limit: 1 })).rows[0]!;
    const tree = await engine.events.trace(root.trace_id);
    expect(tree.roots).toHaveLength(1);
    expect(tree.roots[0]!.event.span_id).toBe(root.span_id);
    const flat: TraceNode[] = [];
    const walk = (n: TraceNode): void => {
      flat.push(n);
      for (const c of n.children) {
        expect(c.event.parent_id).toBe(n.event.span_id);
        expect(c.depth).toBe(n.depth + 1);
        walk(c);
      }
    };
    walk(tree.roots[0]!);
    expect(flat.length).toBe(tree.spans);
    expect(tree.spans).toBe(await engine.events.count({ trace_id: root.trace_id }));
    await engine.events.emitMany(
      [
        { operation: 'a', trace_id: 'cyc', span_id: 'c1', parent_id: 'c2', ts: '2026-01-01T00:00:01Z' },
        { operation: 'b', trace_id: 'cyc', span_id: 'c2', parent_id: 'c1', ts: '2026-01-01T00:00:02Z' },
        { operation: 'c', trace_id: 'cyc', span_id: 'c3', parent_id: 'gone', ts: '2026-01-01T00:00:03Z' },
      ],
      { persist: 'sql' },
    );
    const cyc = await engine.events.trace('cyc');
    expect(cyc.spans).toBe(3);
    expect(() => JSON.stringify(cyc)).not.toThrow();
    expect(cyc.roots.map((r) => r.event.span_id).sort()).toEqual(['c1', 'c3']);
    await expect(engine.events.trace('no-such-trace')).rejects.toSatisfy((e) => isFoxError(e, 'NOT_FOUND'));
    await engine.close();
  });

  it('rejects bad queries with INVALID_INPUT naming the problem', async () => {
    const engine = seeded(20);
    const first = await engine.events.query({}, { limit: 5 });
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => engine.events.query({}, { limit: 0 }), /limit must be a whole number from 1 to 1000/],
      [() => engine.events.query({}, { limit: 5000 }), /limit must be/],
      [() => engine.events.query({}, { cursor: 'garbage!' }), /invalid events cursor/],
      [() => engine.events.query({}, { cursor: first.next_cursor, order: 'asc' }), /made for order "desc"/],
      [() => engine.events.query({ opration: 'x' } as EventFilter), /unknown field "opration"/],
      [() => engine.events.query({ status: 'fail' }), /status must be one of/],
      [() => engine.events.query({ since: 'last tuesday' }), /since "last tuesday" is neither/],
      [() => engine.events.query({ since: '2026-11-27T00:00:00Z', until: '2026-11-26T00:00:00Z' }), /since .* must be before until/],
      [() => engine.events.query({ operation: [] }), /1 to 100 values/],
      [() => engine.events.histogram({}, { buckets: 0 }), /buckets must be/],
    ];
    for (const [fn, re] of cases) {
      const err = await fn().then(() => null, (e: unknown) => e);
      expect(isFoxError(err, 'INVALID_INPUT'), String(re)).toBe(true);
      expect((err as Error).message).toMatch(re);
    }
    await engine.close();
  });
});

describe('events.db opened read-only', () => {
  it('reads an older Go file whose table is wide_events (text search by scan)', async () => {
    const home = tempHome();
    const file = path.join(home.home, 'old-events.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE wide_events (id INTEGER PRIMARY KEY AUTOINCREMENT, span_id TEXT NOT NULL UNIQUE, trace_id TEXT NOT NULL, parent_id TEXT,
      ts TEXT NOT NULL, service TEXT NOT NULL, version TEXT, component TEXT, operation TEXT NOT NULL, command TEXT, subtype TEXT, session_id TEXT,
      agent_id TEXT, workspace_id TEXT, job_id TEXT, status TEXT NOT NULL, duration_ms INTEGER, error_type TEXT, error_code TEXT, error_message TEXT,
      retriable INTEGER, data TEXT, created_at TEXT DEFAULT (datetime('now')))`);
    const ins = db.prepare('INSERT INTO wide_events (span_id, trace_id, parent_id, ts, service, operation, status, error_message, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    ins.run('g1', 'gt', null, '2026-11-01T10:00:00Z', 'foxctl', 'run', 'ok', null, '{"message":"hello world"}');
    ins.run('g2', 'gt', 'g1', '2026-11-01T10:00:01.5Z', 'foxctl', 'llm.call', 'error', 'timeout talking to model', 'not json');
    db.close();
    const ro = openEngine({ env: home.env() }).events.openReadonly(file);
    expect(ro).toMatchObject({ table: 'wide_events', fts: false });
    expect((await ro.query()).rows.map((r) => r.span_id)).toEqual(['g2', 'g1']);
    expect((await ro.query({ text: 'timeout' })).rows.map((r) => r.span_id)).toEqual(['g2']);
    expect((await ro.query({ text: 'hello' })).rows.map((r) => r.span_id)).toEqual(['g1']);
    expect((await ro.query({ text: '100%' })).rows).toEqual([]);
    expect((await ro.trace('gt')).roots[0]!.children[0]!.event.span_id).toBe('g2');
    expect((await ro.rejects()).rows).toEqual([]);
    ro.close();
    await expect(ro.count()).rejects.toThrow(/was closed/);
  });

  it('never blocks the syncer or a writer while it reads', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env({ FOXCTL_EVENTS_DB_TIMEOUT: '200' }) });
    await engine.events.emitMany(Array.from({ length: 300 }, (_, i) => ({ operation: 'pre', span_id: `p${i}` })), { persist: 'sql' });
    const file = path.join(home.home, 'observability', 'events.db');
    const ro = engine.events.openReadonly(file);
    // Hold a read transaction open on the read-only connection, mid-iteration.
    const reader = new Database(file, { readonly: true });
    const it = reader.prepare('SELECT * FROM foxcular_events').iterate();
    it.next();
    await engine.events.emit({ operation: 'hybrid.1' }, { persist: 'hybrid' });
    const t0 = Date.now();
    expect((await engine.events.syncer.syncNow()).inserted).toBe(1);
    await engine.events.emit({ operation: 'sql.1' }, { persist: 'sql' });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await ro.count()).toBe(302);
    it.return?.();
    reader.close();
    ro.close();
    await engine.close();
  });

  it('refuses a missing file, a file that is not SQLite, and a database without events', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    expect(() => engine.events.openReadonly(path.join(home.home, 'nope.db'))).toThrow(/does not exist/);
    const junk = path.join(home.home, 'junk.db');
    fs.writeFileSync(junk, 'hello, not a database at all'.repeat(10));
    let err: unknown;
    try {
      engine.events.openReadonly(junk);
    } catch (e) {
      err = e;
    }
    expect(isFoxError(err, 'CORRUPT')).toBe(true);
    const empty = path.join(home.home, 'other.db');
    new Database(empty).exec('CREATE TABLE t (x)');
    expect(() => engine.events.openReadonly(empty)).toThrow(/has no events table \(looked for foxcular_events and wide_events\)/);
    await engine.close();
  });
});
