// `npm run bench -- viewer`: the Events view's requests on 1,000,000 events through the
// browser-mode bridge (HTTP with token and Host checks, zod validation of input and output,
// JSON both ways, keep-alive as the renderer's fetch uses it): the first page of the table and
// a filter change (the new filter's first page, and its count), p50 and p95 end to end.
// Anchor: the same page's (and count's) SQL run straight on better-sqlite3 in this process
// (what the bridge, the engine's filter building, validation and JSON cost on top of SQLite).
// The table shows its page as soon as it arrives; the count fills the header when it comes.
import path from 'node:path';
import Database from 'better-sqlite3';
import { createStudio } from '../src-main/api/studio.js';
import { openEngine } from '../src-main/engine/engine.js';
import { buildWhere, ftsQuery, type EventFilter } from '../src-main/engine/events/filter.js';
import { bulkInsertSeed } from '../src-main/engine/events/seed.js';
import { startWebServer } from '../src-main/web/server.js';
import { figure, keepAlivePoster, report, scratch, timed } from './lib.js';

const COUNT = Number(process.env.FOXCTL_BENCH_VIEWER_EVENTS ?? 1_000_000);
const N = Number(process.env.FOXCTL_BENCH_VIEWER_N ?? 300);
/** Rows per page, as the view asks for them. */
const PAGE = 100;
const GOAL_MS = 50;
const client = keepAlivePoster();
const post = client.post;

async function latencies(n: number, fn: (i: number) => Promise<unknown> | unknown): Promise<{ p50: number; p95: number; max: number }> {
  for (let i = 0; i < Math.min(20, n); i++) await fn(i);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(n * 0.5)]!, p95: ms[Math.floor(n * 0.95)]!, max: ms[n - 1]! };
}

const tmp = scratch('viewer');
try {
  const home = path.join(tmp.dir, '.foxctl');
  const engine = openEngine({ env: { HOME: tmp.dir, FOXCTL_HOME: home } });
  const endMs = Date.now();
  const seeded = await timed(() => bulkInsertSeed(engine.stores.get('EVENTS'), { count: COUNT, endMs, spanMs: 7 * 86_400_000, seed: 11 }));
  figure(`seed ${COUNT} events (bulk insert)`, seeded.seconds, 's');
  const studio = createStudio(engine, { mode: 'browser', version: 'bench' }, { syncer: false });
  const server = await startWebServer(studio, {});
  const headers = { host: `127.0.0.1:${server.port}`, 'x-foxctl-token': server.token };
  const call = async (name: string, input: unknown): Promise<unknown> => {
    const res = JSON.parse(await post(server.port, `/api/call/${name}`, headers, JSON.stringify(input))) as { ok: boolean; error?: { message: string } };
    if (!res.ok) throw new Error(`${name}: ${res.error?.message}`);
    return res;
  };

  // What the view asks for when the filter changes: facets clicked, a status, a range, free text.
  const iso = (h: number): string => new Date(endMs - h * 3_600_000).toISOString();
  const filters: EventFilter[] = [
    { since: '24h' },
    { status: 'error' },
    { operation: 'llm.call' },
    { command: 'cas put', since: '7d' },
    { status: 'error', since: iso(72), until: iso(24) },
    { session_id: 'sess-0042' },
    { agent_id: 'agent-coder-1', status: 'error' },
    { workspace_id: 'ws-studio-1', since: iso(48) },
    { text: 'timeout' },
    {},
  ];

  // Anchor: the engine's own SQL for each filter's first page, straight on better-sqlite3.
  const raw = new Database(path.join(engine.config.obsDir, 'events.db'), { readonly: true });
  const anchorStmts = filters.map((f) => {
    if (f.text) {
      // Free text pages by FTS rowid (see EventQueries.textPage).
      const sql = `SELECT e.* FROM studio_events_fts f JOIN foxcular_events e ON e.id = f.rowid WHERE studio_events_fts MATCH ? ORDER BY f.rowid DESC LIMIT ${PAGE + 1}`;
      return { stmt: raw.prepare(sql), params: [ftsQuery(f.text)] };
    }
    const w = buildWhere(f, { table: 'foxcular_events', fts: true });
    return { stmt: raw.prepare(`SELECT * FROM foxcular_events WHERE ${w.sql} ORDER BY ts DESC, id DESC LIMIT ${PAGE + 1}`), params: w.params };
  });
  const anchor = await latencies(N, (i) => {
    const a = anchorStmts[i % anchorStmts.length]!;
    return a.stmt.all(...a.params);
  });

  const countStmts = filters.map((f) => {
    const w = buildWhere(f, { table: 'foxcular_events', fts: true });
    return { stmt: raw.prepare(`SELECT count(*) AS n FROM foxcular_events WHERE ${w.sql}`), params: w.params };
  });
  const countAnchor = await latencies(N, (i) => {
    const a = countStmts[i % countStmts.length]!;
    return a.stmt.get(...a.params);
  });

  const first = await latencies(N, () => call('events.query', { filter: { since: '24h' }, limit: PAGE }));
  const change = await latencies(N, (i) => call('events.query', { filter: filters[i % filters.length], limit: PAGE }));
  const counts = await latencies(N, (i) => call('events.count', { filter: filters[i % filters.length] }));
  const withCount = await latencies(N, async (i) => {
    const filter = filters[i % filters.length];
    await call('events.query', { filter, limit: PAGE });
    await call('events.count', { filter });
  });
  // Scrolling: the next keyset page deep into the result (page 50 costs what page 1 does).
  let cursor: string | null = null;
  const scroll = await latencies(N, async () => {
    const r = (await call('events.query', { filter: {}, limit: PAGE, ...(cursor ? { cursor } : {}) })) as { value: { next_cursor: string | null } };
    cursor = r.value.next_cursor;
  });

  report(`first page (${PAGE} rows) p50`, first.p50, anchor.p50, 'ms', { anchorName: 'same SQL on better-sqlite3', better: 'lower' });
  report(`first page (${PAGE} rows) p95`, first.p95, anchor.p95, 'ms', { anchorName: 'same SQL on better-sqlite3', better: 'lower' });
  report('filter change: page p50', change.p50, anchor.p50, 'ms', { anchorName: 'same SQL on better-sqlite3', better: 'lower' });
  report('filter change: page p95', change.p95, anchor.p95, 'ms', { anchorName: 'same SQL on better-sqlite3', better: 'lower' });
  report('filter change: count p50', counts.p50, countAnchor.p50, 'ms', { anchorName: 'same count on better-sqlite3', better: 'lower' });
  report('filter change: count p95', counts.p95, countAnchor.p95, 'ms', { anchorName: 'same count on better-sqlite3', better: 'lower' });
  figure('filter change: page + count p50', withCount.p50, 'ms');
  figure('filter change: page + count p95', withCount.p95, 'ms');
  figure('scroll: next keyset page p95', scroll.p95, 'ms');
  for (const [name, v] of [['first page', first], ['filter change (page)', change], ['filter change (page + count)', withCount]] as const) {
    process.stdout.write(`${`goal p95 <= ${GOAL_MS} ms: ${name}`.padEnd(44)} ${v.p95.toFixed(1)} ms  ${v.p95 <= GOAL_MS ? 'MET' : 'NOT MET'}\n`);
  }

  raw.close();
  await server.close();
  await studio.stop();
  await engine.close();
  client.close();
} finally {
  tmp.cleanup();
}
